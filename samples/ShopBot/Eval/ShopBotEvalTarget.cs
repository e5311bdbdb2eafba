using System.Globalization;
using AgentKit.Agents;
using AgentKit.Evaluation.Datasets;
using AgentKit.Evaluation.Running;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using ShopBot.Startup;

namespace ShopBot.Eval;

/// <summary>How <see cref="ShopBotEvalTarget"/> starts each run's shop.</summary>
public sealed class ShopBotEvalOptions
{
    /// <summary>
    /// "Now" for every run: the seeded orders' dates are relative to it, so a fixed clock makes the tool results, and
    /// with them the model's requests, the same on every run and day (cached answers stay valid). Default 2026-06-15 10:00 UTC.
    /// </summary>
    public DateTimeOffset Now { get; init; } = new(2026, 6, 15, 10, 0, 0, TimeSpan.Zero);

    /// <summary>Where each run's shop folder is made. Default: a <c>shopbot-eval</c> folder in the temp folder.</summary>
    public string WorkDirectory { get; init; } = Path.Combine(Path.GetTempPath(), "shopbot-eval");

    /// <summary>Where the policy documents are copied from. Default: <c>policies</c> beside the application.</summary>
    public string PoliciesDirectory { get; init; } = Path.Combine(AppContext.BaseDirectory, "policies");

    /// <summary>The policies' embedding model; the configured default (MiniLM) when null.</summary>
    public Func<IEmbeddingGenerator<string, Embedding<float>>>? Embeddings { get; init; }

    /// <summary>Configuration values for every run's shop, applied after the evaluation's own.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    /// <summary>
    /// Whether the runs share what they only read. Default true: the target prepares once (at its first run) a
    /// migrated and seeded data folder, the policies, their index and the PDF handbook; each run then starts from its
    /// own copy of that data folder (so every database is fresh and private to the run) and reads the shared policy
    /// index, which it finds up to date. When false, every run migrates and seeds its databases, prints the handbook
    /// and ingests (embeds) the policies itself, as a fresh installation does.
    /// </summary>
    public bool ShareReadOnlyData { get; init; } = true;
}

/// <summary>
/// ShopBot as an evaluation target: every run gets a fresh shop (its own SQLite order database, seeded; its own
/// local carrier and SMTP sink on free loopback ports; its policies ingested) with the model under test, and the
/// end-state checks of <see cref="ShopBotEndState"/> read that shop's database, carrier and mail sink afterwards.
/// </summary>
/// <remarks>Dispose the target after the runs: it removes the data the runs shared (<see cref="ShopBotEvalOptions.ShareReadOnlyData"/>).</remarks>
/// <param name="model">The model for a case's run (the same client for a real model; a scripted double per case in tests).</param>
/// <param name="options">How shops are started.</param>
public sealed class ShopBotEvalTarget(Func<EvalCase, IChatClient> model, ShopBotEvalOptions? options = null) : IEvalTarget, IAsyncDisposable
{
    private static readonly System.Text.RegularExpressions.Regex[] VolatileValues =
    [
        new(@"lbl_[0-9a-f]{24}", System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)),
        new(@"\b1Z[0-9A-Z]{16}\b", System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)),
        new(@"127\.0\.0\.1:\d+", System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)),
    ];

    private readonly ShopBotEvalOptions _options = options ?? new ShopBotEvalOptions();
    private readonly SemaphoreSlim _preparing = new(1, 1);
    private SharedData? _shared;

    /// <inheritdoc/>
    public string Name => "agent shopbot";

    /// <inheritdoc/>
    public async ValueTask<IEvalSession> StartAsync(EvalCase evalCase, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(evalCase);
        var shared = _options.ShareReadOnlyData ? await PrepareSharedAsync(evalCase, cancellationToken).ConfigureAwait(false) : null;
        var root = Path.Combine(_options.WorkDirectory, Guid.NewGuid().ToString("N"));
        Dictionary<string, string?> settings;
        if (shared is null)
        {
            settings = Settings(root, CopyPolicies(root));
        }
        else
        {
            settings = Settings(root, shared.Policies);
            settings["ShopBot:KnowledgeDirectory"] = shared.Knowledge;
            CopyDirectory(shared.Data, Path.Combine(root, "data"));
        }

        // What differs on every run without changing what the model should do: the carrier's label ids, tracking
        // numbers and its port in label links. Masked, a re-run's requests match the cached ones.
        if (EvalMeter.Current is { } meter)
        {
            foreach (var volatileValue in VolatileValues)
            {
                meter.MaskInCacheKey(volatileValue);
            }

            // Passages cite their source files by path, under this run's folder or the shared one.
            meter.MaskInCacheKey(root);
            if (shared is not null)
            {
                meter.MaskInCacheKey(shared.Root);
            }
        }

        ShopBotApp? app = null;
        try
        {
            app = await StartShopAsync(root, settings, evalCase, cancellationToken).ConfigureAwait(false);
            var world = new World(app, root);
            AgentEvalSession? session = null;
            session = await AgentEvalSession.StartAsync(
                app.Services.GetRequiredService<AgentRunner>(), Agent.ShopBotAgent.Name,
                (check, ct) => ShopBotEndState.CheckAsync(app, session!.SessionId, check, ct), world, cancellationToken).ConfigureAwait(false);
            return session;
        }
        catch
        {
            if (app is not null)
            {
                await new World(app, root).DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _shared, null) is { } shared)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            TryDelete(shared.Root);
        }

        _preparing.Dispose();
        return ValueTask.CompletedTask;
    }

    private Task<ShopBotApp> StartShopAsync(string root, Dictionary<string, string?> settings, EvalCase evalCase, CancellationToken cancellationToken)
    {
        var rmas = 0;
        return ShopBotApp.StartAsync(new ShopBotStartOptions
        {
            ContentRoot = root,
            Settings = settings,
            ChatClient = model(evalCase),
            EmbeddingGenerator = _options.Embeddings?.Invoke(),
            Time = new FixedClock(_options.Now),
            NewRma = () => string.Create(CultureInfo.InvariantCulture, $"RMA-{0xE0A10000 + Interlocked.Increment(ref rmas):X8}"),
            ConfigureLogging = l => l.SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Warning),
        }, cancellationToken);
    }

    /// <summary>
    /// Once per target: a shop started and stopped without a conversation leaves a migrated, seeded data folder and
    /// an up-to-date policy index with its handbook, which the runs then share (<see cref="ShopBotEvalOptions.ShareReadOnlyData"/>).
    /// </summary>
    private async Task<SharedData> PrepareSharedAsync(EvalCase evalCase, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _shared) is { } ready)
        {
            return ready;
        }

        await _preparing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_shared is { } prepared)
            {
                return prepared;
            }

            var root = Path.Combine(_options.WorkDirectory, "shared-" + Guid.NewGuid().ToString("N"));
            var shared = new SharedData(root, CopyPolicies(root), Path.Combine(root, "knowledge"), Path.Combine(root, "data"));
            try
            {
                var settings = Settings(root, shared.Policies);
                settings["ShopBot:KnowledgeDirectory"] = shared.Knowledge;
                await (await StartShopAsync(root, settings, evalCase, cancellationToken).ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);

                // Closed, so each run's copy of the databases is whole (no write-ahead log left behind).
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            }
            catch
            {
                TryDelete(root);
                throw;
            }

            Volatile.Write(ref _shared, shared);
            return shared;
        }
        finally
        {
            _preparing.Release();
        }
    }

    private Dictionary<string, string?> Settings(string root, string policies)
    {
        var settings = IsolatedSettings(root, policies);
        foreach (var (key, value) in _options.Settings)
        {
            settings[key] = value;
        }

        return settings;
    }

    private string CopyPolicies(string root)
    {
        var policies = Path.Combine(root, "policies");
        Directory.CreateDirectory(policies);
        foreach (var file in Directory.GetFiles(_options.PoliciesDirectory, "*.md"))
        {
            File.Copy(file, Path.Combine(policies, Path.GetFileName(file)));
        }

        return policies;
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (var folder in Directory.GetDirectories(from))
        {
            CopyDirectory(folder, Path.Combine(to, Path.GetFileName(folder)));
        }
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open; the temp folder is cleaned by the OS eventually.
        }
    }

    /// <summary>What the runs share: the policies, their index and handbook, and the data folder each run copies.</summary>
    private sealed record SharedData(string Root, string Policies, string Knowledge, string Data);

    /// <summary>The settings of a shop of its own: data and policies under <paramref name="root"/>, web, carrier and SMTP sink on free loopback ports, no carrier latency.</summary>
    /// <param name="root">The shop's folder.</param>
    /// <param name="policies">Its policies folder.</param>
    /// <returns>The settings, to add to.</returns>
    internal static Dictionary<string, string?> IsolatedSettings(string root, string policies) => new()
    {
        ["Urls"] = "http://127.0.0.1:0",
        ["Logging:LogLevel:Default"] = "Warning",
        ["ShopBot:DataDirectory"] = Path.Combine(root, "data"),
        ["ShopBot:PoliciesDirectory"] = policies,
        ["ShopBot:Carrier:LocalUrl"] = "http://127.0.0.1:0",
        ["ShopBot:Carrier:LocalLatency"] = "00:00:00",
        ["ShopBot:Carrier:RetryDelay"] = "00:00:00.010",
        ["ShopBot:Smtp:LocalSinkPort"] = "0",
    };

    /// <summary>One run's shop, removed with its folder when the run ends.</summary>
    private sealed class World(ShopBotApp app, string root) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await app.DisposeAsync().ConfigureAwait(false);
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            TryDelete(root);
        }
    }

    /// <summary>A clock that always says the same time.</summary>
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
