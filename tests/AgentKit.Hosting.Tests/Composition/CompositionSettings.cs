using System.ComponentModel;
using Microsoft.SemanticKernel;

namespace AgentKit.Hosting.Tests.Composition;

/// <summary>Configuration fragments shared by the composition tests: a remote chat and embedding model that is never called at start.</summary>
internal static class CompositionSettings
{
    /// <summary><see cref="RemoteModels"/> with <paramref name="settings"/> on top.</summary>
    public static Dictionary<string, string?> RemoteModelsWith(Dictionary<string, string?> settings)
    {
        var all = RemoteModels();
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        return all;
    }

    public static Dictionary<string, string?> RemoteModels() => new()
    {
        ["AgentKit:Models:chat:Provider"] = "OpenAI",
        ["AgentKit:Models:chat:Endpoint"] = "http://127.0.0.1:9/v1",
        ["AgentKit:Models:chat:ApiKey"] = "k",
        ["AgentKit:Models:chat:Model"] = "m",
        ["AgentKit:Models:embed:Provider"] = "OpenAI",
        ["AgentKit:Models:embed:Kind"] = "Embedding",
        ["AgentKit:Models:embed:Endpoint"] = "http://127.0.0.1:9/v1",
        ["AgentKit:Models:embed:ApiKey"] = "k",
        ["AgentKit:Models:embed:Model"] = "e",
    };

    /// <summary>The MCP test server (tests/AgentKit.Agents.McpTestServer), built beside this project.</summary>
    public static string McpTestServer()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        return Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "AgentKit.Agents.McpTestServer", "bin", configuration, "net10.0", "AgentKit.Agents.McpTestServer.dll"));
    }
}

/// <summary>A plugin class named by type in <c>AgentKit:Tools:PluginTypes</c>.</summary>
public sealed class GreetingPlugin
{
    [KernelFunction("greet")]
    [Description("Greets someone.")]
    public static string Greet([Description("Who.")] string name) => $"Hello, {name}!";
}
