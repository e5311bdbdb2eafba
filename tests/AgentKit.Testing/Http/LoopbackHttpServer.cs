using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AgentKit.Testing.Http;

/// <summary>A request as the loopback server saw it.</summary>
public sealed record LoopbackRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers)
{
    /// <summary>A header's value, or null.</summary>
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>The request body (Content-Length or chunked), empty when there is none.</summary>
    public byte[] Body { get; init; } = [];

    /// <summary>The path without its query string.</summary>
    public string PathOnly => Path.Split('?', 2)[0];

    /// <summary>The query string without '?', or empty.</summary>
    public string Query => Path.Split('?', 2) is [_, var query] ? query : string.Empty;
}

/// <summary>What the loopback server answers.</summary>
public sealed record LoopbackResponse(int Status, byte[] Body)
{
    /// <summary>Headers beyond Content-Length and Connection.</summary>
    public Dictionary<string, string> Headers { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Announce this Content-Length instead of the body's length (to simulate a dropped connection).</summary>
    public long? AnnouncedLength { get; init; }

    /// <summary>Wait this long before sending anything.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>An empty answer with a status.</summary>
    public static LoopbackResponse Empty(int status) => new(status, []);
}

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 with an ephemeral port: one request per connection, answered by a
/// delegate. Real sockets, so clients exercise their actual network paths.
/// </summary>
public sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<LoopbackRequest, LoopbackResponse> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly ConcurrentQueue<LoopbackRequest> _requests = new();
    private long _bodyBytesSent;

    /// <summary>Starts the server.</summary>
    public LoopbackHttpServer(Func<LoopbackRequest, LoopbackResponse> handler)
    {
        _handler = handler;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        BaseAddress = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _loop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The server's address, ending in '/'.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Every request received so far, in order.</summary>
    public IReadOnlyList<LoopbackRequest> Requests => [.. _requests];

    /// <summary>Body bytes written to clients so far.</summary>
    public long BodyBytesSent => Interlocked.Read(ref _bodyBytesSent);

    /// <summary>A loopback address on which nothing listens (connections are refused).</summary>
    public static Uri ClosedAddress()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new Uri($"http://127.0.0.1:{port}/");
    }

    /// <summary>
    /// A handler serving <paramref name="content"/> at <paramref name="path"/> with byte-range support, as
    /// Hugging Face's storage does; 404 for anything else.
    /// </summary>
    /// <param name="path">The path served, starting with '/'.</param>
    /// <param name="content">The file.</param>
    /// <param name="honorRange">False to ignore Range headers and always send the whole file (200).</param>
    /// <param name="etag">An ETag to send, unquoted (e.g. the SHA-256), or null for none.</param>
    /// <param name="dropAfter">Announce the full length but close the connection after this many body bytes.</param>
    public static Func<LoopbackRequest, LoopbackResponse> ServeFile(
        string path, byte[] content, bool honorRange = true, string? etag = null, long? dropAfter = null) =>
        request =>
        {
            if (request.Path != path)
            {
                return LoopbackResponse.Empty(404);
            }

            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Accept-Ranges"] = "bytes" };
            if (etag is not null)
            {
                headers["ETag"] = $"\"{etag}\"";
            }

            var from = honorRange ? ParseRangeStart(request.Header("Range")) : null;
            if (from is { } start)
            {
                if (start >= content.Length)
                {
                    headers["Content-Range"] = string.Create(CultureInfo.InvariantCulture, $"bytes */{content.Length}");
                    return new LoopbackResponse(416, []) { Headers = headers };
                }

                headers["Content-Range"] = string.Create(CultureInfo.InvariantCulture, $"bytes {start}-{content.Length - 1}/{content.Length}");
                var part = content[(int)start..];
                return Truncate(new LoopbackResponse(206, part) { Headers = headers }, dropAfter);
            }

            return Truncate(new LoopbackResponse(200, content) { Headers = headers }, dropAfter);
        };

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private static LoopbackResponse Truncate(LoopbackResponse response, long? dropAfter) =>
        dropAfter is { } n && n < response.Body.Length
            ? response with { Body = response.Body[..(int)n], AnnouncedLength = response.Body.Length }
            : response;

    private static long? ParseRangeStart(string? range)
    {
        if (range is null || !range.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var spec = range["bytes=".Length..];
        var dash = spec.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 && long.TryParse(spec[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var start) ? start : null;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var request = await ReadRequestAsync(stream, _stop.Token);
                if (request is null)
                {
                    return;
                }

                _requests.Enqueue(request);
                var response = _handler(request);
                if (response.Delay > TimeSpan.Zero)
                {
                    await Task.Delay(response.Delay, _stop.Token);
                }

                var head = new StringBuilder();
                head.Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {response.Status} {ReasonPhrase(response.Status)}\r\n");
                foreach (var (name, value) in response.Headers)
                {
                    head.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
                }

                var length = response.AnnouncedLength ?? response.Body.Length;
                head.Append(CultureInfo.InvariantCulture, $"Content-Length: {length}\r\nConnection: close\r\n\r\n");
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), _stop.Token);
                if (request.Method != "HEAD")
                {
                    const int chunk = 64 * 1024;
                    for (var at = 0; at < response.Body.Length; at += chunk)
                    {
                        var count = Math.Min(chunk, response.Body.Length - at);
                        await stream.WriteAsync(response.Body.AsMemory(at, count), _stop.Token);
                        Interlocked.Add(ref _bodyBytesSent, count);
                    }
                }

                await stream.FlushAsync(_stop.Token);
                client.Client.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client went away (cancelled or timed out) — that is a case the tests provoke on purpose.
            }
        }
    }

    private static async Task<LoopbackRequest?> ReadRequestAsync(NetworkStream stream, CancellationToken ct)
    {
        var buffer = new List<byte>();
        var one = new byte[1];
        while (buffer.Count < 64 * 1024)
        {
            if (await stream.ReadAsync(one, ct) == 0)
            {
                return null;
            }

            buffer.Add(one[0]);
            if (buffer.Count >= 4 && buffer[^1] == '\n' && buffer[^2] == '\r' && buffer[^3] == '\n' && buffer[^4] == '\r')
            {
                break;
            }
        }

        var lines = Encoding.ASCII.GetString([.. buffer]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var first = lines[0].Split(' ');
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
        }

        var body = await ReadBodyAsync(stream, headers, ct);
        return new LoopbackRequest(first[0], Uri.UnescapeDataString(first[1]), headers) { Body = body };
    }

    private static async Task<byte[]> ReadBodyAsync(NetworkStream stream, Dictionary<string, string> headers, CancellationToken ct)
    {
        if (headers.TryGetValue("Content-Length", out var lengthText)
            && int.TryParse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture, out var length) && length > 0)
        {
            var body = new byte[length];
            await stream.ReadExactlyAsync(body, ct);
            return body;
        }

        if (!headers.TryGetValue("Transfer-Encoding", out var encoding) || !encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            return [];
        }

        var result = new MemoryStream();
        while (true)
        {
            var sizeLine = await ReadLineAsync(stream, ct);
            var size = int.Parse(sizeLine.Split(';')[0].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (size == 0)
            {
                await ReadLineAsync(stream, ct);
                return result.ToArray();
            }

            var chunk = new byte[size];
            await stream.ReadExactlyAsync(chunk, ct);
            result.Write(chunk);
            await ReadLineAsync(stream, ct);
        }
    }

    private static async Task<string> ReadLineAsync(NetworkStream stream, CancellationToken ct)
    {
        var line = new List<byte>();
        var one = new byte[1];
        while (await stream.ReadAsync(one, ct) == 1 && one[0] != '\n')
        {
            if (one[0] != '\r')
            {
                line.Add(one[0]);
            }
        }

        return Encoding.ASCII.GetString([.. line]);
    }

    private static string ReasonPhrase(int status) => status switch
    {
        200 => "OK",
        206 => "Partial Content",
        302 => "Found",
        401 => "Unauthorized",
        403 => "Forbidden",
        400 => "Bad Request",
        404 => "Not Found",
        409 => "Conflict",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        416 => "Range Not Satisfiable",
        _ => "Status",
    };
}
