using AgentKit.Hosting.Configuration;
using AgentKit.LlamaCpp;
using AgentKit.LlamaCpp.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentKit.Hosting.Models;

/// <summary>The configured models: local ones' load state, remote ones' endpoint health. One per host.</summary>
public sealed class ModelCatalog : IAsyncDisposable
{
    private readonly Dictionary<string, LlamaModelHost> _local = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, RemoteModelProbe> _remote = new(StringComparer.OrdinalIgnoreCase);
    private readonly HttpClient _probeClient = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2), ConnectTimeout = RemoteModelProbe.MaxTimeout })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    private readonly AgentKitOptions _options;

    /// <summary>Creates the catalog from validated options.</summary>
    /// <param name="options">The AgentKit options.</param>
    /// <param name="environment">Resolves relative model paths against the content root.</param>
    /// <param name="loggerFactory">Logging for model loads.</param>
    /// <param name="downloaderOptions">Model cache and Hugging Face settings for configured downloads; defaults when null.</param>
    /// <param name="time">The clock that spaces remote health probes; the system clock when null.</param>
    public ModelCatalog(IOptions<AgentKitOptions> options, IHostEnvironment environment, ILoggerFactory loggerFactory, ModelDownloaderOptions? downloaderOptions = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _options = options.Value;
        var logger = loggerFactory.CreateLogger<ModelCatalog>();
        foreach (var (name, model) in _options.Models)
        {
            if (model.Provider == ModelProvider.Llama)
            {
                var path = model.Path is null ? null : AgentKitPaths.Resolve(environment, model.Path);
                _local[name] = new LlamaModelHost(
                    name,
                    model,
                    path,
                    () => new ModelDownloader(ModelDownloader.CreateHttpClient(), downloaderOptions, loggerFactory),
                    logger);
            }
            else if (model.Provider == ModelProvider.OpenAI)
            {
                _remote[name] = new RemoteModelProbe(name, model, _probeClient, time ?? TimeProvider.System);
            }
        }
    }

    /// <summary>Every configured model's name.</summary>
    public IReadOnlyCollection<string> Names => _options.Models.Keys;

    /// <summary>
    /// The load state of every local model and, for remote models, the last health probe's answer
    /// (<see cref="ModelLoadState.NotLoaded"/> before the first probe). Probes nothing.
    /// </summary>
    public IReadOnlyList<ModelStatus> GetStatuses() =>
        _options.Models.Keys
            .Select(name => _local.TryGetValue(name, out var host) ? host.Status : _remote.TryGetValue(name, out var remote) ? remote.Last : InProcess(name))
            .ToList();

    /// <summary>
    /// The load state of every local model and the health of every remote one: its endpoint is probed
    /// (<c>GET …/models</c>, at most every 10 s, each probe bounded to 5 s or the model's timeout) and reported
    /// <see cref="ModelLoadState.Failed"/> with the reason when it is down.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting; a probe in flight finishes for the next caller.</param>
    /// <returns>One status per configured model.</returns>
    public async Task<IReadOnlyList<ModelStatus>> GetStatusesAsync(CancellationToken cancellationToken = default)
    {
        var probes = _options.Models.Keys
            .Select(name => _local.TryGetValue(name, out var host) ? Task.FromResult(host.Status)
                : _remote.TryGetValue(name, out var remote) ? remote.GetStatusAsync(cancellationToken)
                : Task.FromResult(InProcess(name)))
            .ToList();
        return await Task.WhenAll(probes).ConfigureAwait(false);
    }

    /// <summary>Loads a local model now (no-op for remote models) and waits for it.</summary>
    /// <param name="name">The model's configuration name.</param>
    /// <param name="cancellationToken">Stops waiting; the load itself goes on for other callers.</param>
    /// <exception cref="KeyNotFoundException">No model has that name.</exception>
    /// <exception cref="LlamaException">The model could not be downloaded or loaded.</exception>
    public async Task WarmUpAsync(string name, CancellationToken cancellationToken = default)
    {
        if (!_options.Models.ContainsKey(name))
        {
            throw new KeyNotFoundException($"No model named '{name}' under {AgentKitOptions.SectionName}:Models; configured: {string.Join(", ", Names)}.");
        }

        if (_local.TryGetValue(name, out var host))
        {
            await host.GetModelAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    internal LlamaModelHost GetLocal(string name) => _local[name];

    // In-process embedders (MiniLM, Lexical) load on first use from the application's own files; nothing to probe.
    private static ModelStatus InProcess(string name) => new(name, ModelLoadState.Loaded, 1, null);

    internal IEnumerable<LlamaModelHost> LocalModels => _local.Values;

    /// <summary>Frees every loaded model.</summary>
    public async ValueTask DisposeAsync()
    {
        _probeClient.Dispose();
        foreach (var host in _local.Values)
        {
            await host.DisposeAsync().ConfigureAwait(false);
        }
    }
}
