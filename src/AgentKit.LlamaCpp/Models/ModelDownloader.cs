using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentKit.LlamaCpp.Models;

/// <summary>
/// Downloads GGUF files from Hugging Face into a local cache: resumes partial downloads with HTTP range
/// requests, checks the size and the SHA-256 (the pinned one, else the one Hugging Face reports for LFS
/// files), and moves the file into place only once it is verified. A file already in the cache is returned
/// without touching the network.
/// </summary>
/// <remarks>
/// Cache layout: <c>{CacheDirectory}/{owner}__{name}/{file}</c> (revision <c>main</c>) or
/// <c>{CacheDirectory}/{owner}__{name}@{revision}/{file}</c>; the download goes to <c>{file}.partial</c> and a
/// verified file gets a <c>{file}.sha256</c> beside it (<c>sha256sum</c> format).
/// </remarks>
public sealed partial class ModelDownloader
{
    private const int MaxRedirects = 10;
    private const int MaxAttempts = 3;
    private const int BufferSize = 1 << 20;
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(100);

    private readonly HttpClient _http;
    private readonly ModelDownloaderOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates a downloader.</summary>
    /// <param name="httpClient">
    /// The client to download with. Use <see cref="CreateHttpClient"/>, or any client whose handler does not
    /// follow redirects itself, so that Hugging Face's <c>X-Linked-Etag</c> (the SHA-256 of an LFS file) on
    /// the redirect is seen and the token is not forwarded to storage hosts. <see cref="HttpClient.Timeout"/>
    /// should be infinite: the downloader applies <see cref="ModelDownloaderOptions.ResponseTimeout"/> and
    /// <see cref="ModelDownloaderOptions.ReadTimeout"/> itself.
    /// </param>
    /// <param name="options">Where to download from and to; default: <see cref="ModelDownloaderOptions"/>'s defaults.</param>
    /// <param name="loggerFactory">Where to log resumes, restarts and verification (category <c>AgentKit.LlamaCpp.Models.ModelDownloader</c>).</param>
    public ModelDownloader(HttpClient httpClient, ModelDownloaderOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        _http = httpClient;
        _options = options ?? new ModelDownloaderOptions();
        _logger = loggerFactory?.CreateLogger<ModelDownloader>() ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>The options in use.</summary>
    public ModelDownloaderOptions Options => _options;

    /// <summary>
    /// Creates an <see cref="HttpClient"/> suited to model downloads: redirects left to the downloader, a
    /// 15-second connect timeout, no overall timeout, and an AgentKit user agent. The caller disposes it.
    /// </summary>
    public static HttpClient CreateHttpClient()
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectTimeout = TimeSpan.FromSeconds(15),
            AutomaticDecompression = DecompressionMethods.None,
        };
        var client = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("AgentKit", "1.0"));
        return client;
    }

    /// <summary>The path the file has (or will have) in the cache.</summary>
    public string GetCachePath(ModelReference model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var folder = model.Repository.Replace("/", "__", StringComparison.Ordinal);
        if (model.Revision != ModelReference.DefaultRevision)
        {
            folder += "@" + model.Revision.Replace("/", "__", StringComparison.Ordinal);
        }

        return Path.Combine([_options.CacheDirectory, folder, .. model.File.Split('/')]);
    }

    /// <summary>The address the file is downloaded from: <c>{base}/{repo}/resolve/{revision}/{file}</c>.</summary>
    public Uri GetDownloadUri(ModelReference model)
    {
        ArgumentNullException.ThrowIfNull(model);
        static string Escape(string path) => string.Join('/', path.Split('/').Select(Uri.EscapeDataString));
        var root = _options.BaseAddress.AbsoluteUri.TrimEnd('/');
        return new Uri($"{root}/{Escape(model.Repository)}/resolve/{Escape(model.Revision)}/{Escape(model.File)}");
    }

    /// <summary>
    /// Returns the cached file's path, downloading it first unless it is already in the cache and matches
    /// the pinned size and SHA-256.
    /// </summary>
    /// <param name="model">The file to get.</param>
    /// <param name="progress">Receives progress while bytes arrive (at most every 100 ms, and once at the end).</param>
    /// <param name="cancellationToken">Stops the download; the partial file is kept and the next call resumes it.</param>
    /// <returns>The full path of the verified file.</returns>
    /// <exception cref="ModelDownloadException">
    /// The host is unreachable (<see cref="ModelDownloadException.IsOffline"/>), access was refused, the file
    /// does not exist, it is larger than allowed, or it failed the size or SHA-256 check.
    /// </exception>
    public async Task<string> PullAsync(
        ModelReference model,
        IProgress<DownloadProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        var target = GetCachePath(model);
        if (await IsCachedAsync(model, target, cancellationToken).ConfigureAwait(false))
        {
            Log.CacheHit(_logger, model.ToString(), target);
            return target;
        }

        var directory = Path.GetDirectoryName(target)!;
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelDownloadException(
                model, target, $"Cannot create the model cache folder '{directory}' for {model}: {e.Message}", innerException: e);
        }

        var partial = target + ".partial";
        for (var attempt = 1; ; attempt++)
        {
            var outcome = await DownloadOnceAsync(model, target, partial, progress, cancellationToken).ConfigureAwait(false);
            if (outcome is not null)
            {
                await CommitAsync(model, target, partial, outcome, cancellationToken).ConfigureAwait(false);
                return target;
            }

            if (attempt == MaxAttempts)
            {
                throw new ModelDownloadException(
                    model, target, $"The server kept answering range requests for {model} inconsistently; delete '{partial}' and try again.");
            }
        }
    }

    private async Task<bool> IsCachedAsync(ModelReference model, string target, CancellationToken ct)
    {
        var file = new FileInfo(target);
        if (!file.Exists)
        {
            return false;
        }

        if (model.ExpectedSize is { } size && file.Length != size)
        {
            Log.CachedFileStale(_logger, target, "size differs from the pinned size");
            return false;
        }

        if (model.ExpectedSha256 is not { } expected)
        {
            // A file the user copied into the cache (the offline advice) is trusted as it is.
            return true;
        }

        var actual = ReadRecordedHash(file) ?? await HashFileAsync(target, file.Length, ct).ConfigureAwait(false);
        if (actual == expected)
        {
            return true;
        }

        Log.CachedFileStale(_logger, target, "SHA-256 differs from the pinned hash");
        return false;
    }

    // The recorded hash is trusted only if it was written after the file last changed.
    private static string? ReadRecordedHash(FileInfo file)
    {
        var record = new FileInfo(file.FullName + ".sha256");
        if (!record.Exists || record.LastWriteTimeUtc < file.LastWriteTimeUtc)
        {
            return null;
        }

        var text = File.ReadAllText(record.FullName);
        var hash = text.Split(' ', 2)[0].Trim();
        return Sha256Hex.IsValid(hash) ? hash.ToLowerInvariant() : null;
    }

    /// <returns>The verified download, or null when the partial file had to be discarded and another attempt is needed.</returns>
    private async Task<Completed?> DownloadOnceAsync(
        ModelReference model, string target, string partial, IProgress<DownloadProgress>? progress, CancellationToken ct)
    {
        var existing = File.Exists(partial) ? new FileInfo(partial).Length : 0;
        if (existing > 0 && existing > (model.ExpectedSize ?? _options.MaxFileSize))
        {
            DeletePartial(partial);
            existing = 0;
        }

        using var answer = await SendAsync(model, target, existing, ct).ConfigureAwait(false);
        var response = answer.Response;
        var status = (int)response.StatusCode;
        long offset;
        long? total;
        switch (response.StatusCode)
        {
            case HttpStatusCode.RequestedRangeNotSatisfiable when existing > 0:
                total = response.Content.Headers.ContentRange?.Length;
                if (total == existing)
                {
                    Log.PartialAlreadyComplete(_logger, partial);
                    var expected = ExpectedHash(model, answer, target);
                    var hash = await HashFileAsync(partial, existing, ct).ConfigureAwait(false);
                    return Verify(model, target, partial, existing, hash, expected);
                }

                Log.RestartingDownload(_logger, model.ToString(), "the partial file does not match the server's file");
                DeletePartial(partial);
                return null;

            case HttpStatusCode.PartialContent when existing > 0:
                var range = response.Content.Headers.ContentRange;
                if (range?.From != existing)
                {
                    Log.RestartingDownload(_logger, model.ToString(), "the server answered a different range");
                    DeletePartial(partial);
                    return null;
                }

                offset = existing;
                total = range.Length ?? (response.Content.Headers.ContentLength + existing);
                Log.Resuming(_logger, model.ToString(), existing);
                break;

            case HttpStatusCode.OK:
                if (existing > 0)
                {
                    Log.RestartingDownload(_logger, model.ToString(), "the server ignored the range request");
                }

                offset = 0;
                total = response.Content.Headers.ContentLength;
                break;

            default:
                throw StatusError(model, target, response.StatusCode, status);
        }

        total ??= answer.LinkedSize;
        CheckAnnouncedSize(model, target, total, answer.LinkedSize);
        var expectedHash = ExpectedHash(model, answer, target);
        var written = await ReceiveAsync(model, target, partial, response, offset, total, progress, ct).ConfigureAwait(false);
        return Verify(model, target, partial, written.Length, written.Hash, expectedHash);
    }

    private void CheckAnnouncedSize(ModelReference model, string target, long? total, long? linkedSize)
    {
        if (total is { } announced && announced > _options.MaxFileSize)
        {
            throw new ModelDownloadException(
                model, target,
                string.Create(CultureInfo.InvariantCulture,
                    $"{model} is {announced} bytes, more than the limit of {_options.MaxFileSize} bytes (ModelDownloaderOptions.MaxFileSize)."));
        }

        var known = total ?? linkedSize;
        if (model.ExpectedSize is { } pinned && known is { } size && size != pinned)
        {
            throw new ModelDownloadException(
                model, target,
                string.Create(CultureInfo.InvariantCulture,
                    $"The server's copy of {model} is {size} bytes, but {pinned} bytes were expected: the file changed upstream or the pinned size is wrong."));
        }
    }

    private string? ExpectedHash(ModelReference model, Answer answer, string target)
    {
        var served = answer.LinkedSha256 ?? Sha256Hex.FromEntityTag(answer.Response.Headers.ETag?.Tag);
        if (model.ExpectedSha256 is { } pinned)
        {
            if (served is not null && served != pinned)
            {
                throw new ModelDownloadException(
                    model, target,
                    $"The server's copy of {model} has SHA-256 {served}, but {pinned} was expected: the file changed upstream or the pinned hash is wrong.");
            }

            return pinned;
        }

        if (served is null)
        {
            Log.NoHashToVerify(_logger, model.ToString());
        }

        return served;
    }

    private async Task<Answer> SendAsync(ModelReference model, string target, long rangeFrom, CancellationToken ct)
    {
        var uri = GetDownloadUri(model);
        string? linkedSha = null;
        long? linkedSize = null;
        for (var redirects = 0; redirects <= MaxRedirects; redirects++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            if (rangeFrom > 0)
            {
                request.Headers.Range = new RangeHeaderValue(rangeFrom, null);
            }

            if (_options.Token is { } token && IsSameOrigin(uri, _options.BaseAddress))
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            var response = await SendRequestAsync(model, target, request, ct).ConfigureAwait(false);
            linkedSha ??= Sha256Hex.FromEntityTag(FirstHeader(response, "X-Linked-Etag"));
            linkedSize ??= long.TryParse(FirstHeader(response, "X-Linked-Size"), NumberStyles.None, CultureInfo.InvariantCulture, out var size)
                ? size
                : null;

            if (IsRedirect(response.StatusCode) && response.Headers.Location is { } location)
            {
                response.Dispose();
                var next = location.IsAbsoluteUri ? location : new Uri(uri, location);
                if (next.Scheme != Uri.UriSchemeHttps && next.Scheme != Uri.UriSchemeHttp)
                {
                    throw new ModelDownloadException(model, target, $"The server redirected the download of {model} to '{next}', which is not an http or https address.");
                }

                uri = next;
                continue;
            }

            return new Answer(response, linkedSha, linkedSize);
        }

        throw new ModelDownloadException(model, target, $"The download of {model} was redirected more than {MaxRedirects} times.");
    }

    private async Task<HttpResponseMessage> SendRequestAsync(
        ModelReference model, string target, HttpRequestMessage request, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.ResponseTimeout);
        var host = request.RequestUri!.Host;
        try
        {
            return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw Offline(model, target, host, string.Create(CultureInfo.InvariantCulture, $"no answer within {_options.ResponseTimeout.TotalSeconds:0} s"), e);
        }
        catch (HttpRequestException e) when (IsUnreachable(e))
        {
            throw Offline(model, target, host, "you are offline", e);
        }
        catch (HttpRequestException e)
        {
            throw new ModelDownloadException(model, target, $"The request to {host} for {model} failed: {OneLine(e.Message)}", innerException: e);
        }
    }

    private static ModelDownloadException Offline(ModelReference model, string target, string host, string why, Exception cause) =>
        new(model, target,
            $"Cannot reach {host} to download {model}: {why}. Copy the GGUF file to {target}.",
            isOffline: true, innerException: cause);

    private static bool IsUnreachable(HttpRequestException e) =>
        e.HttpRequestError is HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError
        || e.InnerException is SocketException;

    private async Task<Received> ReceiveAsync(
        ModelReference model,
        string target,
        string partial,
        HttpResponseMessage response,
        long offset,
        long? total,
        IProgress<DownloadProgress>? progress,
        CancellationToken ct)
    {
        var limit = total ?? _options.MaxFileSize;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[BufferSize];
        var length = offset;
        var host = response.RequestMessage?.RequestUri?.Host ?? _options.BaseAddress.Host;
        FileStream file;
        try
        {
            file = new FileStream(partial, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, BufferSize, FileOptions.Asynchronous);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelDownloadException(model, target, $"Cannot write '{partial}' for {model}: {OneLine(e.Message)}", innerException: e);
        }

        await using (file.ConfigureAwait(false))
        {
            try
            {
                await HashPrefixAsync(file, offset, hash, buffer, ct).ConfigureAwait(false);
                file.SetLength(offset);
                file.Position = offset;

                var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
                await using (body.ConfigureAwait(false))
                {
                    using var stall = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    var clock = Stopwatch.StartNew();
                    var lastReport = TimeSpan.Zero;
                    progress?.Report(new DownloadProgress(length, total, offset));
                    while (true)
                    {
                        stall.CancelAfter(_options.ReadTimeout);
                        int read;
                        try
                        {
                            read = await body.ReadAsync(buffer, stall.Token).ConfigureAwait(false);
                        }
                        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
                        {
                            throw new ModelDownloadException(
                                model, target,
                                string.Create(CultureInfo.InvariantCulture,
                                    $"The download of {model} from {host} stalled for {_options.ReadTimeout.TotalSeconds:0} s at {length} bytes; run again to resume."),
                                innerException: e);
                        }

                        if (read == 0)
                        {
                            break;
                        }

                        if (length + read > limit)
                        {
                            throw new ModelDownloadException(
                                model, target,
                                total is null
                                    ? string.Create(CultureInfo.InvariantCulture, $"{model} is larger than the limit of {limit} bytes (ModelDownloaderOptions.MaxFileSize).")
                                    : string.Create(CultureInfo.InvariantCulture, $"The server sent more than the {limit} bytes it announced for {model}."));
                        }

                        await file.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
                        hash.AppendData(buffer, 0, read);
                        length += read;
                        if (clock.Elapsed - lastReport >= ProgressInterval)
                        {
                            lastReport = clock.Elapsed;
                            progress?.Report(new DownloadProgress(length, total, offset));
                        }
                    }

                    await file.FlushAsync(ct).ConfigureAwait(false);
                    progress?.Report(new DownloadProgress(length, total, offset));
                }
            }
            catch (HttpIOException e)
            {
                throw Interrupted(model, target, host, length, total, e);
            }
            catch (IOException e) when (e.InnerException is SocketException)
            {
                throw Interrupted(model, target, host, length, total, e);
            }
            catch (IOException e)
            {
                throw new ModelDownloadException(model, target, $"Cannot write '{partial}' for {model}: {OneLine(e.Message)}", innerException: e);
            }
        }

        if (total is { } expected && length != expected)
        {
            throw Interrupted(model, target, host, length, total, null);
        }

        return new Received(length, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    private static ModelDownloadException Interrupted(ModelReference model, string target, string host, long length, long? total, Exception? cause) =>
        new(model, target,
            total is { } size
                ? string.Create(CultureInfo.InvariantCulture, $"The connection to {host} ended at {length} of {size} bytes of {model}; run again to resume.")
                : string.Create(CultureInfo.InvariantCulture, $"The connection to {host} ended at {length} bytes of {model}; run again to resume."),
            innerException: cause!);

    private static async Task HashPrefixAsync(FileStream file, long count, IncrementalHash hash, byte[] buffer, CancellationToken ct)
    {
        file.Position = 0;
        var left = count;
        while (left > 0)
        {
            var read = await file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), ct).ConfigureAwait(false);
            if (read == 0)
            {
                throw new IOException($"'{file.Name}' is shorter than expected.");
            }

            hash.AppendData(buffer, 0, read);
            left -= read;
        }
    }

    private static async Task<string> HashFileAsync(string path, long length, CancellationToken ct)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (file.ConfigureAwait(false))
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await HashPrefixAsync(file, length, hash, new byte[BufferSize], ct).ConfigureAwait(false);
            return Convert.ToHexStringLower(hash.GetHashAndReset());
        }
    }

    private Completed Verify(ModelReference model, string target, string partial, long length, string actualHash, string? expectedHash)
    {
        if (model.ExpectedSize is { } size && length != size)
        {
            DeletePartial(partial);
            throw new ModelDownloadException(
                model, target,
                string.Create(CultureInfo.InvariantCulture,
                    $"The download of {model} is {length} bytes, but {size} were expected; it was deleted, run again to download it afresh."));
        }

        if (expectedHash is not null && actualHash != expectedHash)
        {
            DeletePartial(partial);
            throw new ModelDownloadException(
                model, target,
                $"The download of {model} has SHA-256 {actualHash}, but {expectedHash} was expected; it was deleted, run again to download it afresh.");
        }

        if (expectedHash is not null)
        {
            Log.Verified(_logger, model.ToString(), actualHash);
        }

        return new Completed(actualHash);
    }

    private static async Task CommitAsync(ModelReference model, string target, string partial, Completed completed, CancellationToken ct)
    {
        try
        {
            // The hash record is written first so that it is never older than the file it describes.
            await File.WriteAllTextAsync(target + ".sha256", $"{completed.Sha256}  {Path.GetFileName(target)}\n", ct).ConfigureAwait(false);
            File.Move(partial, target, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelDownloadException(model, target, $"Cannot move the verified download of {model} to '{target}': {OneLine(e.Message)}", innerException: e);
        }
    }

    private ModelDownloadException StatusError(ModelReference model, string target, HttpStatusCode code, int status)
    {
        var message = code switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => _options.Token is null
                ? $"Hugging Face refused access to {model} (HTTP {status}): the repository '{model.Repository}' is gated or private. Accept its terms on the website and set {ModelDownloaderOptions.TokenVariable} to an access token."
                : $"Hugging Face refused access to {model} (HTTP {status}) with the given token: check that {ModelDownloaderOptions.TokenVariable} is valid and that you accepted the terms of '{model.Repository}'.",
            HttpStatusCode.NotFound =>
                $"'{model.File}' was not found in repository '{model.Repository}' at revision '{model.Revision}' (HTTP 404): check the repository, file name and revision.",
            _ => $"The server answered HTTP {status} ({OneLine(code.ToString())}) for {model}.",
        };
        return new ModelDownloadException(model, target, message, statusCode: status);
    }

    private void DeletePartial(string partial)
    {
        try
        {
            File.Delete(partial);
        }
        catch (IOException e)
        {
            Log.CannotDeletePartial(_logger, partial, e.Message);
        }
    }

    private static bool IsRedirect(HttpStatusCode code) =>
        code is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
            or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    private static bool IsSameOrigin(Uri a, Uri b) =>
        Uri.Compare(a, b, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;

    private static string? FirstHeader(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();

    private sealed record Answer(HttpResponseMessage Response, string? LinkedSha256, long? LinkedSize) : IDisposable
    {
        public void Dispose() => Response.Dispose();
    }

    private readonly record struct Received(long Length, string Hash);

    private sealed record Completed(string Sha256);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "{Model} is already in the cache at {Path}")]
        public static partial void CacheHit(ILogger logger, string model, string path);

        [LoggerMessage(2, LogLevel.Information, "The cached file {Path} is downloaded again: {Reason}")]
        public static partial void CachedFileStale(ILogger logger, string path, string reason);

        [LoggerMessage(3, LogLevel.Information, "Resuming {Model} from byte {Offset}")]
        public static partial void Resuming(ILogger logger, string model, long offset);

        [LoggerMessage(4, LogLevel.Information, "Restarting the download of {Model}: {Reason}")]
        public static partial void RestartingDownload(ILogger logger, string model, string reason);

        [LoggerMessage(5, LogLevel.Debug, "{Path} already holds the whole file")]
        public static partial void PartialAlreadyComplete(ILogger logger, string path);

        [LoggerMessage(6, LogLevel.Warning, "No SHA-256 is pinned or reported by the server for {Model}; only its size is checked")]
        public static partial void NoHashToVerify(ILogger logger, string model);

        [LoggerMessage(7, LogLevel.Debug, "{Model} verified, SHA-256 {Sha256}")]
        public static partial void Verified(ILogger logger, string model, string sha256);

        [LoggerMessage(8, LogLevel.Warning, "Cannot delete {Path}: {Reason}")]
        public static partial void CannotDeletePartial(ILogger logger, string path, string reason);
    }
}
