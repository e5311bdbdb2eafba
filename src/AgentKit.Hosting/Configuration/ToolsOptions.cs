namespace AgentKit.Hosting.Configuration;

/// <summary>
/// The <c>AgentKit:Tools</c> section: where the tools in the application's one <c>ToolCatalog</c> come from. Agents
/// name the tools they may call in <c>AgentKit:Agents:&lt;name&gt;:Tools</c>; every name is checked at start.
/// </summary>
public sealed class ToolsOptions
{
    /// <summary>
    /// Built-in plugins by name: <c>knowledge</c> (<c>search_knowledge</c>, over the calling agent's knowledge bases;
    /// added by itself when an agent names <c>Knowledge</c>) and <c>memory</c> (<c>remember</c>, <c>recall</c>,
    /// <c>forget</c>, acting in the calling agent's memory), <c>code</c> (<c>run_code</c>) and <c>tool-making</c>
    /// (<c>propose_tool</c>, <c>list_made_tools</c>, <c>remove_tool</c>).
    /// </summary>
    public List<string> Plugins { get; init; } = [];

    /// <summary>
    /// Semantic Kernel plugin classes by type name (<c>Namespace.Type, Assembly</c>), constructed once by DI; each
    /// <c>[KernelFunction]</c> method becomes a tool named <c>Type_Function</c> (as <c>AddAgentKitPlugin&lt;T&gt;</c>).
    /// </summary>
    public List<string> PluginTypes { get; init; } = [];

    /// <summary>Model Context Protocol servers by name; each server's tools join the catalog under their own names.</summary>
    public Dictionary<string, McpServerOptions> McpServers { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Longest an MCP server may take to start and list its tools. The servers are started when the host starts (so a
    /// broken one stops start-up, naming its key); a server slower than this fails the same way. Default: 30 seconds.
    /// </summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>One entry of <c>AgentKit:Tools:McpServers</c>: a process reached over stdio (<see cref="Command"/>) or an HTTP endpoint (<see cref="Url"/>).</summary>
public sealed class McpServerOptions
{
    /// <summary>stdio: the program to start (a path, relative to the content root, or a name found on <c>PATH</c>).</summary>
    public string? Command { get; set; }

    /// <summary>stdio: its arguments.</summary>
    public List<string> Arguments { get; init; } = [];

    /// <summary>stdio: environment variables set for it (on top of the host's own).</summary>
    public Dictionary<string, string?> Environment { get; init; } = new(StringComparer.Ordinal);

    /// <summary>stdio: the folder it runs in. Relative paths resolve against the content root. Default: the content root.</summary>
    public string? WorkingDirectory { get; set; }

    /// <summary>HTTP: the server's endpoint (Streamable HTTP, falling back to SSE).</summary>
    public Uri? Url { get; set; }

    /// <summary>HTTP: headers sent with every request (an <c>Authorization</c> header, for example). Never logged.</summary>
    public Dictionary<string, string> Headers { get; init; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>The names of the built-in plugins of <see cref="ToolsOptions.Plugins"/>.</summary>
public static class BuiltInPlugins
{
    /// <summary><c>search_knowledge</c> over the calling agent's knowledge bases.</summary>
    public const string Knowledge = "knowledge";

    /// <summary><c>remember</c>, <c>recall</c> and <c>forget</c> in the calling agent's memory.</summary>
    public const string Memory = "memory";

    /// <summary><c>run_code</c>: JavaScript in the sandbox (<c>AgentKit:Sandbox</c> sets its limits).</summary>
    public const string Code = "code";

    /// <summary>
    /// <c>propose_tool</c>, <c>list_made_tools</c> and <c>remove_tool</c>: the model makes tools whose JavaScript runs in
    /// the sandbox (<c>AgentKit:Tools:Making</c>); agents with <c>MadeTools</c> are offered them.
    /// </summary>
    public const string ToolMaking = "tool-making";

    /// <summary><c>graph_global_search</c>: questions about the whole collection answered from the knowledge graph's community summaries (<c>AgentKit:Graph</c>).</summary>
    public const string Graph = "graph";

    internal static readonly string[] All = [Knowledge, Memory, Code, ToolMaking, Graph];
}
