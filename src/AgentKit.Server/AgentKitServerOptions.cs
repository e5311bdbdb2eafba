namespace AgentKit.Server;

/// <summary>Options of AgentKit's HTTP API (configuration section <c>AgentKit:Server</c>).</summary>
public sealed class AgentKitServerOptions
{
    /// <summary>The configuration section bound by <c>AddAgentKitServer()</c>.</summary>
    public const string SectionName = "AgentKit:Server";

    /// <summary>
    /// API keys accepted as <c>Authorization: Bearer &lt;key&gt;</c> or <c>X-Api-Key</c>. Empty: no authentication
    /// (for local use only). Default: empty.
    /// </summary>
    public List<string> ApiKeys { get; init; } = [];

    /// <summary>
    /// Further ASP.NET Core authentication schemes (registered by the application) whose users may call the API.
    /// A caller owns the sessions and approvals it creates by its <c>ClaimTypes.NameIdentifier</c> claim, whatever
    /// the scheme. With no API keys and no schemes the API is open (for local use only). Default: empty.
    /// </summary>
    public List<string> AuthenticationSchemes { get; init; } = [];

    /// <summary>
    /// Whether <c>/v1/chat/completions</c> and <c>/v1/models</c> offer the configured chat models themselves. Off, they
    /// offer only the agents, so callers reach a model through an agent's instructions and tools alone (an API open to
    /// the public, such as a shop's web chat). Default: true.
    /// </summary>
    public bool ExposeModels { get; set; } = true;

    /// <summary>Largest request body accepted, in bytes; larger bodies get 413. Default: 1 MiB.</summary>
    public long MaxRequestBodyBytes { get; set; } = 1 << 20;

    /// <summary>Most output tokens one request may ask for; also the default when a request names none. Default: 4096.</summary>
    public int MaxOutputTokens { get; set; } = 4096;

    /// <summary>Most messages in one request. Default: 1000.</summary>
    public int MaxMessages { get; set; } = 1000;

    /// <summary>Most requests running at once per caller (per client address without authentication); more get 429. Default: 8.</summary>
    public int MaxConcurrentRunsPerKey { get; set; } = 8;

    /// <summary>
    /// Most requests one caller may make per <see cref="RequestWindow"/> (a fixed window), on top of
    /// <see cref="MaxConcurrentRunsPerKey"/>; more get 429 <c>too_many_requests</c> with <c>Retry-After</c>. Null: no
    /// such limit. Default: null.
    /// </summary>
    public int? MaxRequestsPerWindow { get; set; }

    /// <summary>The fixed window of <see cref="MaxRequestsPerWindow"/>. Default: 1 minute.</summary>
    public TimeSpan RequestWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Longest a request may run before it is cancelled with 504. Default: 5 minutes.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromMinutes(5);
}
