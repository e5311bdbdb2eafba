using AgentKit.Agents;
using AgentKit.Plugins.Knowledge;
using AgentKit.Rag.Knowledge;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ShopBot.Agent;
using ShopBot.Carrier;
using ShopBot.Data;
using ShopBot.Email;
using ShopBot.Memory;
using ShopBot.Policies;
using ShopBot.Tools;
using ShopBot.Web;

namespace ShopBot.Startup;

/// <summary>How to start ShopBot; the defaults are what <c>dotnet run --project samples/ShopBot</c> does.</summary>
public sealed class ShopBotStartOptions
{
    /// <summary>Command-line arguments (configuration overrides such as <c>--urls</c> or <c>--ShopBot:DataDirectory=…</c>).</summary>
    public IReadOnlyList<string> Args { get; init; } = [];

    /// <summary>Configuration values applied last (tests use this).</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    /// <summary>The content root; the current folder when null.</summary>
    public string? ContentRoot { get; init; }

    /// <summary>A chat client that replaces the configured model (a scripted model in tests); the <c>AgentKit:Models</c> configuration is not used then.</summary>
    public IChatClient? ChatClient { get; init; }

    /// <summary>An embedding model that replaces the default one for the policies (tests name theirs); the configured default when null.</summary>
    public IEmbeddingGenerator<string, Embedding<float>>? EmbeddingGenerator { get; init; }

    /// <summary>The clock; the system clock when null.</summary>
    public TimeProvider? Time { get; init; }

    /// <summary>Where the model download progress bar goes; standard error when null.</summary>
    public TextWriter? Console { get; init; }

    /// <summary>Adds to the web application's logging after the defaults (a capturing provider in tests).</summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }

    /// <summary>Makes RMA numbers; random when null (see <see cref="ReturnStore"/>).</summary>
    public Func<string>? NewRma { get; init; }
}

/// <summary>
/// ShopBot running: the local carrier and SMTP sink (unless a real partner and server are configured), the
/// migrated and seeded order database, the ingested policies, the agent with its tools, and the web chat.
/// </summary>
public sealed partial class ShopBotApp : IAsyncDisposable
{
    /// <summary>The policy knowledge base's name (a keyed <see cref="KnowledgeBase"/>).</summary>
    public const string PoliciesKnowledgeBase = "policies";

    /// <summary>The PDF handbook's file name under the data folder.</summary>
    public const string HandbookFileName = "shopbot-policy-handbook.pdf";

    private const string PoliciesStoreKey = "shopbot-policies";

    private const string MemoryStoreKey = "shopbot-memory";

    private ShopBotApp(WebApplication web, WebApplication? carrier, SmtpSink? sink, string handbookPath)
    {
        Web = web;
        CarrierHost = carrier;
        MailSink = sink;
        Knowledge = web.Services.GetRequiredKeyedService<KnowledgeBase>(PoliciesKnowledgeBase);
        HandbookPath = handbookPath;
        var addresses = web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        Url = new Uri(addresses?.FirstOrDefault(a => a.StartsWith("http://", StringComparison.Ordinal)) ?? addresses?.FirstOrDefault() ?? "http://localhost/");
    }

    /// <summary>The web application (chat page and API).</summary>
    public WebApplication Web { get; }

    /// <summary>The application's services.</summary>
    public IServiceProvider Services => Web.Services;

    /// <summary>Where the web chat listens.</summary>
    public Uri Url { get; }

    /// <summary>The in-process stand-in carrier, when it runs.</summary>
    public WebApplication? CarrierHost { get; }

    /// <summary>The stand-in carrier's state (issued labels, recorded requests), when it runs.</summary>
    public LabelRegistry? CarrierLabels => CarrierHost?.Services.GetRequiredService<LabelRegistry>();

    /// <summary>The loopback SMTP sink, when it runs.</summary>
    public SmtpSink? MailSink { get; }

    /// <summary>The policy knowledge base: the Markdown policies and the PDF handbook printed from them, ingested in the background.</summary>
    public KnowledgeBase Knowledge { get; }

    /// <summary>The generated PDF handbook.</summary>
    public string HandbookPath { get; }

    /// <summary>Starts everything.</summary>
    /// <param name="start">How.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running application.</returns>
    /// <exception cref="AgentKit.LlamaCpp.Models.ModelDownloadException">No model is configured and the default one cannot be downloaded.</exception>
    public static async Task<ShopBotApp> StartAsync(ShopBotStartOptions start, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(start);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = [.. start.Args],
            ContentRootPath = start.ContentRoot,
            ApplicationName = typeof(ShopBotApp).Assembly.GetName().Name,
        });
        builder.Configuration.AddInMemoryCollection(start.Settings);
        start.ConfigureLogging?.Invoke(builder.Logging);
        var options = builder.Configuration.GetSection(ShopBotOptions.SectionName).Get<ShopBotOptions>() ?? new ShopBotOptions();
        var time = start.Time ?? TimeProvider.System;
        var contentRoot = builder.Environment.ContentRootPath;
        var dataDirectory = Path.GetFullPath(Path.Combine(contentRoot, options.DataDirectory));
        Directory.CreateDirectory(dataDirectory);

        using var bootLoggers = LoggerFactory.Create(l => l.AddConsole().SetMinimumLevel(LogLevel.Information));
        var bootLog = bootLoggers.CreateLogger("ShopBot");

        WebApplication? carrier = null;
        SmtpSink? sink = null;
        AddAgentKitDefaults(builder.Configuration, dataDirectory, ResolvePrompts(contentRoot));

        // The model first: without one nothing else is worth starting.
        if (start.ChatClient is null)
        {
            await ModelSetup.EnsureChatModelAsync(builder.Configuration, start.Console ?? System.Console.Error, cancellationToken).ConfigureAwait(false);
        }

        // The agent runs its own tool loop (allowlist, validation, authorization); a second invoker would bypass it.
        builder.AddAgentKit(o => o.ChatPipeline.FunctionInvocation = false);
        builder.AddAgentKitServer(o => o.AuthenticationSchemes.Add(CustomerSignIn.Scheme));
        if (start.ChatClient is { } chat)
        {
            // In the default model's place: the client agents without a model key run on, and the unkeyed one.
            builder.Services.AddKeyedSingleton(AgentChatClients.DefaultKey, chat);
            builder.Services.AddSingleton(chat);
        }

        if (start.EmbeddingGenerator is { } embeddings)
        {
            builder.Services.AddSingleton(embeddings);
        }

        try
        {
            var carrierAddress = options.Carrier.BaseAddress;
            if (options.Carrier.RunLocal)
            {
                carrier = CarrierApp.Create(
                    new CarrierOptions { ApiKey = options.Carrier.ApiKey, Latency = options.Carrier.LocalLatency, FailureRate = options.Carrier.LocalFailureRate },
                    options.Carrier.LocalUrl,
                    logging => logging.ClearProviders().AddConsole().AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>(null, LogLevel.Warning));
                await carrier.StartAsync(cancellationToken).ConfigureAwait(false);
                carrierAddress = CarrierApp.GetAddress(carrier);
            }

            if (carrierAddress is null)
            {
                throw new InvalidOperationException("ShopBot:Carrier:BaseAddress: set the shipping partner's label API address, or set ShopBot:Carrier:RunLocal to true.");
            }

            if (options.Smtp.UseLocalSink)
            {
                sink = SmtpSink.Start(options.Smtp.LocalSinkPort, time);
            }

            var database = new ShopDatabase(Path.Combine(dataDirectory, "shop.db"));
            await database.MigrateAsync(cancellationToken).ConfigureAwait(false);
            await ShopSeeder.SeedAsync(database, time, cancellationToken).ConfigureAwait(false);

            var policies = ResolvePolicies(options.PoliciesDirectory, contentRoot);
            var knowledgeDirectory = options.KnowledgeDirectory is { Length: > 0 } shared ? Path.GetFullPath(Path.Combine(contentRoot, shared)) : dataDirectory;
            Directory.CreateDirectory(knowledgeDirectory);
            var handbook = Path.Combine(knowledgeDirectory, HandbookFileName);
            if (Directory.Exists(policies))
            {
                PolicyPdfWriter.WriteIfChanged(policies, handbook);
            }

            AddServices(builder.Services, options, time, database, new Uri(carrierAddress.ToString().TrimEnd('/') + "/"), sink, dataDirectory, start.NewRma);
            AddPolicies(builder.Services, policies, handbook, knowledgeDirectory);
            var web = builder.Build();
            var plan = await ContextPlan.MeasureAsync(web.Services, options, web.Services.GetRequiredKeyedService<KnowledgeBase>(PoliciesKnowledgeBase).Options.ChunkTokens, cancellationToken).ConfigureAwait(false);
            web.Services.GetRequiredService<MeasuredContextPlan>().Plan = plan;
            Log.ContextPlanned(bootLog, plan);
            web.MapWebChat();
            await web.StartAsync(cancellationToken).ConfigureAwait(false);
            var app = new ShopBotApp(web, carrier, sink, handbook);

            // The first chat should find the policies: wait for the start-up ingestion (fast when nothing changed).
            await app.Knowledge.WhenIngestedAsync(cancellationToken).ConfigureAwait(false);
            LogIngestion(bootLog, app.Knowledge);
            return app;
        }
        catch
        {
            if (sink is not null)
            {
                await sink.DisposeAsync().ConfigureAwait(false);
            }

            if (carrier is not null)
            {
                await carrier.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await Web.StopAsync().ConfigureAwait(false);
        await Web.DisposeAsync().ConfigureAwait(false);
        if (MailSink is not null)
        {
            await MailSink.DisposeAsync().ConfigureAwait(false);
        }

        if (CarrierHost is not null)
        {
            await CarrierHost.StopAsync().ConfigureAwait(false);
            await CarrierHost.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static void AddServices(
        IServiceCollection services, ShopBotOptions options, TimeProvider time, ShopDatabase database, Uri carrierAddress, SmtpSink? sink, string dataDirectory, Func<string>? newRma)
    {
        services.AddSingleton(time);
        services.AddSingleton(options);
        services.AddSingleton(options.Returns);
        services.AddSingleton(options.Verification);
        services.AddSingleton(options.Carrier);
        services.AddSingleton(options.Smtp);
        services.AddSingleton(database);
        services.AddSingleton<OrderStore>();
        services.AddSingleton(new ReturnStore(database, newRma));
        services.AddSingleton<SupportStore>();
        services.AddSingleton<ShopGuard>();
        services.AddSingleton<ReturnEligibility>();
        services.AddSingleton(sp => new CarrierClient(
            new HttpClient { BaseAddress = carrierAddress, Timeout = Timeout.InfiniteTimeSpan }, options.Carrier, time, sp.GetRequiredService<ILogger<CarrierClient>>()));
        services.AddSingleton(new LabelMailer(options.Smtp) { LocalSinkPort = sink?.Port });
        services.AddCustomerSignIn(dataDirectory, options.Web);

        services.AddAgentKitPlugin<OrdersPlugin>("orders");
        services.AddAgentKitPlugin<ReturnsPlugin>("returns");
        services.AddAgentKitPlugin<ShippingPlugin>("shipping");
        services.AddAgentKitPlugin<SupportPlugin>("support");
        services.Configure<AgentKit.Abstractions.Tools.ToolPipelineOptions>(ToolPolicies.Apply);
        if (options.Memory.Enabled)
        {
            // Observations get a fixed importance and reflection is off, so remembering costs no model calls. Memories
            // are embedded with the default embedding model, as the policies are, in their own SQLite file.
            services.AddKeyedSqliteVectorStore(MemoryStoreKey, Path.Combine(dataDirectory, "memory.db"));
            services.AddAgentKitMemory(o =>
            {
                o.VectorStoreKey = MemoryStoreKey;
                o.BackgroundReflection = false;
                o.ReflectionThreshold = 0;
            });
            services.AddSingleton(options.Memory);
            services.AddSingleton<CustomerMemory>();
        }

        // The context plan is measured once the model and tools can be resolved, before anything resolves the agent.
        services.AddSingleton<MeasuredContextPlan>();
        services.AddSingleton(sp => ShopBotAgent.Create(
            options.Returns, options.Agent, sp.GetRequiredService<MeasuredContextPlan>().Plan, options.Memory.Enabled ? sp.GetRequiredService<CustomerMemory>() : null));
    }

    /// <summary>
    /// The policies as a knowledge base (Markdown files and the PDF handbook, in their own SQLite file under the data
    /// folder, incremental so restarts are fast) and the Knowledge plugin's <c>search_knowledge</c> over it.
    /// </summary>
    private static void AddPolicies(IServiceCollection services, string policies, string handbook, string knowledgeDirectory)
    {
        services.AddKeyedSqliteVectorStore(PoliciesStoreKey, Path.Combine(knowledgeDirectory, "knowledge.db"));
        services.AddAgentKitKnowledge(PoliciesKnowledgeBase, o =>
        {
            o.Sources = [policies, handbook];
            o.Collection = "policies";
            o.VectorStore = PoliciesStoreKey;
        });

        // MMR: the handbook repeats the Markdown files, so near-identical passages should not crowd the results.
        services.AddSingleton<AgentKit.Abstractions.Tools.IToolSource>(sp => new AgentKit.Abstractions.Tools.StaticToolSource(
            [KnowledgePlugin.For(sp.GetRequiredKeyedService<KnowledgeBase>(PoliciesKnowledgeBase), new KnowledgePluginOptions { MaxTop = ContextPlan.MaxPolicyPassages, MmrLambda = 0.6 }).AsAIFunction()]));
    }

    private static void LogIngestion(ILogger logger, KnowledgeBase knowledge)
    {
        if (knowledge.Status.LastReport is not { } report)
        {
            Log.IngestionFailed(logger, knowledge.Status.Error ?? "unknown");
            return;
        }

        foreach (var skipped in report.Files.Where(f => f.Status == AgentKit.Rag.Ingestion.FileIngestionStatus.Skipped))
        {
            Log.Skipped(logger, skipped.Path, skipped.Message ?? skipped.Reason?.ToString() ?? "skipped");
        }

        var changed = report.Count(AgentKit.Rag.Ingestion.FileIngestionStatus.Added) + report.Count(AgentKit.Rag.Ingestion.FileIngestionStatus.Updated);
        var unchanged = report.Count(AgentKit.Rag.Ingestion.FileIngestionStatus.Unchanged);
        Log.Ingested(logger, report.Files.Count, changed, unchanged, report.ChunksWritten, report.Elapsed);
    }

    /// <summary>
    /// ShopBot's values for AgentKit's keys, below every configuration source (so appsettings, the environment and the
    /// command line override them): sessions in ShopBot's data folder, its prompts, and a web API for the public —
    /// customers reach the model only through the agent, with 30 requests a minute each and small bodies (a message
    /// is at most 4,000 characters).
    /// </summary>
    private static void AddAgentKitDefaults(IConfigurationBuilder configuration, string dataDirectory, string prompts) =>
        configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["AgentKit:Storage:Directory"] = dataDirectory,
                ["AgentKit:Prompts:Directory"] = prompts,
                ["AgentKit:Server:ExposeModels"] = "false",
                ["AgentKit:Server:MaxRequestsPerWindow"] = "30",
                ["AgentKit:Server:RequestWindow"] = "00:01:00",
                ["AgentKit:Server:MaxRequestBodyBytes"] = "16384",
            },
        });

    private static string ResolvePolicies(string configured, string contentRoot)
    {
        if (Path.IsPathRooted(configured))
        {
            return configured;
        }

        var underRoot = Path.Combine(contentRoot, configured);
        return Directory.Exists(underRoot) ? underRoot : Path.Combine(AppContext.BaseDirectory, configured);
    }

    /// <summary>The repository's <c>prompts/</c> when the app runs from a checkout (so edits apply live), else the copy beside the application.</summary>
    private static string ResolvePrompts(string contentRoot)
    {
        for (var directory = new DirectoryInfo(contentRoot); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "prompts", "shopbot");
            if (Directory.Exists(candidate))
            {
                return Path.GetDirectoryName(candidate)!;
            }
        }

        return Path.Combine(AppContext.BaseDirectory, "prompts");
    }

    /// <summary>The context plan, measured after the host is built and before the agent is first resolved.</summary>
    private sealed class MeasuredContextPlan
    {
        private ContextPlan? _plan;

        public ContextPlan Plan
        {
            get => _plan ?? throw new InvalidOperationException("ShopBot's context plan is measured when the application starts; start it with ShopBotApp.StartAsync.");
            set => _plan = value;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Policies: {Files} files, {Changed} (re)ingested, {Unchanged} unchanged, {Chunks} chunks written in {Elapsed}")]
        public static partial void Ingested(ILogger logger, int files, int changed, int unchanged, int chunks, TimeSpan elapsed);

        [LoggerMessage(Level = LogLevel.Information, Message = "Model context: {Plan}")]
        public static partial void ContextPlanned(ILogger logger, ContextPlan plan);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Policy file {Path} was not ingested: {Message}")]
        public static partial void Skipped(ILogger logger, string path, string message);

        [LoggerMessage(Level = LogLevel.Error, Message = "The policies could not be ingested: {Reason}")]
        public static partial void IngestionFailed(ILogger logger, string reason);
    }
}
