using AgentKit.Hosting.Configuration;
using AgentKit.LlamaCpp;
using AgentKit.LlamaCpp.Models;
using Microsoft.Extensions.Logging;

namespace AgentKit.Hosting.Models;

/// <summary>
/// Owns one configured GGUF model: pulls it into the model cache when configured to and it is missing, loads it
/// once (shared by every caller), logs progress, and remembers a failure so each caller gets the same typed error.
/// </summary>
internal sealed partial class LlamaModelHost : IAsyncDisposable
{
    private readonly ModelOptions _options;
    private readonly string? _path;
    private readonly Func<ModelDownloader> _downloaderFactory;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _disposed = new();
    private readonly Lock _gate = new();
    private Task<LlamaModel>? _load;
    private volatile float _progress;

    public LlamaModelHost(string name, ModelOptions options, string? resolvedPath, Func<ModelDownloader> downloaderFactory, ILogger logger)
    {
        Name = name;
        _options = options;
        _path = resolvedPath;
        _downloaderFactory = downloaderFactory;
        _logger = logger;
    }

    public string Name { get; }

    public ModelOptions Options => _options;

    public ModelStatus Status
    {
        get
        {
            var load = _load;
            if (load is null)
            {
                return new(Name, ModelLoadState.NotLoaded, 0, null);
            }

            if (load.IsCompletedSuccessfully)
            {
                return new(Name, ModelLoadState.Loaded, 1, null);
            }

            if (load.IsFaulted || load.IsCanceled)
            {
                var error = load.Exception?.InnerException?.Message ?? "loading was cancelled";
                return new(Name, ModelLoadState.Failed, _progress, error);
            }

            return new(Name, ModelLoadState.Loading, _progress, null);
        }
    }

    /// <summary>The model when it is loaded already (<see cref="ModelCatalog.WarmUpAsync"/> or a first call); null before.</summary>
    public LlamaModel? Loaded => _load is { IsCompletedSuccessfully: true } load ? load.Result : null;

    /// <summary>The loaded model, loading it on first use. A caller's cancellation stops its wait, not the shared load.</summary>
    public Task<LlamaModel> GetModelAsync(CancellationToken cancellationToken)
    {
        Task<LlamaModel> load;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
            load = _load ??= LoadAsync(_disposed.Token);
        }

        return load.WaitAsync(cancellationToken);
    }

    private async Task<LlamaModel> LoadAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        var path = _path;
        if (path is null || !File.Exists(path))
        {
            path = await DownloadAsync(cancellationToken).ConfigureAwait(false);
        }

        Log.Loading(_logger, Name, path);
        var lastReported = -1;
        var progress = new Progress<float>(value =>
        {
            _progress = value;
            var decile = (int)(value * 10);
            if (decile > Volatile.Read(ref lastReported))
            {
                Volatile.Write(ref lastReported, decile);
                Log.LoadProgress(_logger, Name, decile * 10);
            }
        });

        var model = await LlamaModel.LoadAsync(
            path,
            new LlamaModelOptions { GpuLayerCount = _options.GpuLayers },
            progress,
            cancellationToken).ConfigureAwait(false);
        _progress = 1;
        Log.Loaded(_logger, Name, model.Metadata.Architecture, model.Metadata.ParameterCount);
        return model;
    }

    private async Task<string> DownloadAsync(CancellationToken cancellationToken)
    {
        if (_options.Download is null || !AgentKitOptionsValidator.TryParseDownload(_options.Download, out var reference, out _))
        {
            throw new LlamaException($"Model '{Name}': the file '{_path}' does not exist and no Download is configured.");
        }

        var downloader = _downloaderFactory();
        var target = downloader.GetCachePath(reference!);
        var referenceText = reference!.ToString();
        Log.Downloading(_logger, Name, referenceText, target);
        long lastReportedMb = -100;
        var progress = new Progress<DownloadProgress>(p =>
        {
            var mb = p.BytesDownloaded >> 20;
            if (mb - Interlocked.Read(ref lastReportedMb) >= 50)
            {
                Interlocked.Exchange(ref lastReportedMb, mb);
                Log.DownloadProgress(_logger, Name, mb, p.TotalBytes is { } total ? total >> 20 : null);
            }
        });
        return await downloader.PullAsync(reference, progress, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        Task<LlamaModel>? load;
        lock (_gate)
        {
            if (_disposed.IsCancellationRequested)
            {
                return;
            }

            _disposed.Cancel();
            load = _load;
        }

        if (load is not null)
        {
            try
            {
                var model = await load.ConfigureAwait(false);
                model.Dispose();
            }
            catch (Exception e) when (e is OperationCanceledException or LlamaException)
            {
                // The load failed or was stopped; there is no model to free.
            }
        }

        _disposed.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Model '{Name}': loading {Path}")]
        public static partial void Loading(ILogger logger, string name, string path);

        [LoggerMessage(Level = LogLevel.Information, Message = "Model '{Name}': {Percent}% loaded")]
        public static partial void LoadProgress(ILogger logger, string name, int percent);

        [LoggerMessage(Level = LogLevel.Information, Message = "Model '{Name}': loaded ({Architecture}, {Parameters} parameters)")]
        public static partial void Loaded(ILogger logger, string name, string architecture, long parameters);

        [LoggerMessage(Level = LogLevel.Information, Message = "Model '{Name}': downloading {Reference} to {Path}")]
        public static partial void Downloading(ILogger logger, string name, string reference, string path);

        [LoggerMessage(Level = LogLevel.Information, Message = "Model '{Name}': {DownloadedMb} MB of {TotalMb} MB downloaded")]
        public static partial void DownloadProgress(ILogger logger, string name, long downloadedMb, long? totalMb);
    }
}
