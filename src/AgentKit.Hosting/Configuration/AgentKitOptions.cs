namespace AgentKit.Hosting.Configuration;

/// <summary>
/// The <c>AgentKit</c> configuration section: models, prompts, storage and the chat-client middleware.
/// Validated when the host starts; a bad value stops start-up with a message naming its configuration key.
/// </summary>
public sealed class AgentKitOptions
{
    /// <summary>The configuration section bound by <c>AddAgentKit()</c>.</summary>
    public const string SectionName = "AgentKit";

    /// <summary>Models by name. Each becomes a keyed <c>IChatClient</c> or <c>IEmbeddingGenerator</c> under that name.</summary>
    public Dictionary<string, ModelOptions> Models { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The chat model that the unkeyed <c>IChatClient</c> resolves to. Defaults to the only chat model when there is one.</summary>
    public string? DefaultChatModel { get; set; }

    /// <summary>The embedding model that the unkeyed <c>IEmbeddingGenerator</c> resolves to. Defaults to the only embedding model when there is one.</summary>
    public string? DefaultEmbeddingModel { get; set; }

    /// <summary>Agents by name, each served by <c>AgentRunner</c> and, through the HTTP API, as a <c>model</c>.</summary>
    public Dictionary<string, AgentOptions> Agents { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Where the agents' tools come from: built-in plugins, plugin classes and MCP servers (<c>AgentKit:Tools</c>).</summary>
    public ToolsOptions Tools { get; init; } = new();

    /// <summary>Where prompt files live.</summary>
    public PromptsOptions Prompts { get; init; } = new();

    /// <summary>Where AgentKit keeps its data (sessions, vector store, memories).</summary>
    public StorageOptions Storage { get; init; } = new();

    /// <summary>The vector store (<c>AgentKit:VectorStore</c>): embedded SQLite by default, or Qdrant.</summary>
    public VectorStoreOptions VectorStore { get; init; } = new();

    /// <summary>Knowledge bases by name (<c>AgentKit:Knowledge</c>), each a keyed <c>KnowledgeBase</c> ingested in the background.</summary>
    public Dictionary<string, AgentKit.Rag.Knowledge.KnowledgeBaseOptions> Knowledge { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Middleware applied to every keyed chat client.</summary>
    public ChatPipelineOptions ChatPipeline { get; init; } = new();

    /// <summary>OpenTelemetry export of traces, metrics and logs (<c>AgentKit:Telemetry</c>).</summary>
    public TelemetryOptions Telemetry { get; init; } = new();
}

/// <summary>The <c>AgentKit:Prompts</c> section.</summary>
public sealed class PromptsOptions
{
    /// <summary>The prompts folder. Relative paths resolve against the content root. Default: <c>prompts</c>.</summary>
    public string Directory { get; set; } = "prompts";

    /// <summary>
    /// Reload edited prompt files without restarting. Default: true. When the folder does not exist under the
    /// content root, the <c>prompts</c> folder beside the application (copied there at build) is used.
    /// </summary>
    public bool Watch { get; set; } = true;
}

/// <summary>The <c>AgentKit:Storage</c> section.</summary>
public sealed class StorageOptions
{
    /// <summary>The data folder (SQLite files, the embedded vector store). Relative paths resolve against the content root. Default: <c>data</c>.</summary>
    public string Directory { get; set; } = "data";

    /// <summary>Where sessions are kept. Default: <see cref="StorageProvider.Sqlite"/>.</summary>
    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    /// <summary>postgresql: the server and schema (<c>AgentKit:Storage:PostgreSql:ConnectionString</c> is required).</summary>
    public AgentKit.Storage.PostgreSql.PostgreSqlStorageOptions PostgreSql { get; init; } = new();
}

/// <summary>Which store <c>AddAgentKit()</c> keeps sessions in.</summary>
public enum StorageProvider
{
    /// <summary>Embedded: <c>sessions.db</c> under <c>AgentKit:Storage:Directory</c>, for one process.</summary>
    Sqlite,

    /// <summary>A PostgreSQL server shared by every replica, with turns of one session serialised across them.</summary>
    PostgreSql,
}

/// <summary>The <c>AgentKit:ChatPipeline</c> section: <c>ChatClientBuilder</c> layers around every chat model.</summary>
public sealed class ChatPipelineOptions
{
    /// <summary>Log every request and response at Trace level and failures at Error level (<c>UseLogging</c>). Default: true.</summary>
    public bool Logging { get; set; } = true;

    /// <summary>Emit OpenTelemetry spans and metrics per the GenAI semantic conventions (<c>UseOpenTelemetry</c>). Default: true.</summary>
    public bool Telemetry { get; set; } = true;

    /// <summary>Record prompt and completion text in model-call telemetry. Off unless explicitly enabled (or <c>AgentKit:Telemetry:EnableSensitiveData</c> is on).</summary>
    public bool TelemetrySensitiveData { get; set; }

    /// <summary>Cache responses for identical requests in memory (<c>UseDistributedCache</c>). Default: false.</summary>
    public bool ResponseCache { get; set; }

    /// <summary>Upper bound on the response cache, in megabytes of cached responses. Default: 64.</summary>
    public int ResponseCacheMegabytes { get; set; } = 64;

    /// <summary>
    /// Invoke the functions a model calls inside the chat client (<c>UseFunctionInvocation</c>), for callers that pass
    /// <c>ChatOptions.Tools</c> to a raw model client. Agents run their own tool loop (allowlists, argument validation,
    /// approvals) and use the model client without this layer. Default: true.
    /// </summary>
    public bool FunctionInvocation { get; set; } = true;

    /// <summary>Most model round trips one request may take when <see cref="FunctionInvocation"/> is on. Default: 10.</summary>
    public int MaxFunctionIterations { get; set; } = 10;
}
