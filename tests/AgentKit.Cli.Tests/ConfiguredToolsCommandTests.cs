using AgentKit.Hosting.Models;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;
using Scripted = AgentKit.Testing.ScriptedChatClient;

namespace AgentKit.Cli.Tests;

/// <summary>
/// The agent commands with tools that come only from the configuration file (<c>AgentKit:Tools:McpServers</c>, here
/// the MCP test server): <c>chat --agent --config</c>, <c>mcp serve --config</c> (as a child process, read by an MCP
/// client) and <c>serve --config</c> refusing a misnamed tool at start.
/// </summary>
public sealed class ConfiguredToolsCommandTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("agentkit-cli-tools-");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }

    [Fact]
    public async Task ChatAgent_ToolOfAConfiguredMcpServer_IsCalledAndShown()
    {
        var model = new Scripted((messages, _) => messages[^1].Contents.OfType<FunctionResultContent>().FirstOrDefault() is { } result
            ? new ChatResponse(new ChatMessage(ChatRole.Assistant, $"Reversed: {result.Result}"))
            : new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "reverse", new Dictionary<string, object?> { ["text"] = "stressed" })])));
        using var cli = new CliHarness(input: "", agentServices: s => s.AddKeyedSingleton<IChatClient>(ModelKeys.ForAgents("scripted"), model));

        var exit = await cli.RunAsync("chat", "--agent", "writer", "--config", WriteConfig("reverse"), "--prompt", "Reverse 'stressed'.");

        Assert.Equal(0, exit);
        Assert.Contains("→ reverse(text: \"stressed\")", cli.Out, StringComparison.Ordinal);
        Assert.Contains("← reverse: ", cli.Out, StringComparison.Ordinal);
        Assert.Contains("desserts", cli.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task McpServe_ServesTheToolsOfTheConfigFile_OverStdio()
    {
        var cliDll = Path.Combine(AppContext.BaseDirectory, "AgentKit.Cli.dll");
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "agentkit",
            Command = "dotnet",
            Arguments = [cliDll, "mcp", "serve", "--config", WriteConfig("reverse")],
            WorkingDirectory = _folder.FullName,
        });

        // The CLI starts a host and the configured server before it answers; a loaded machine needs more than the default minute.
        await using var client = await McpClient.CreateAsync(transport, new McpClientOptions { InitializationTimeout = TimeSpan.FromMinutes(3) }, cancellationToken: TestContext.Current.CancellationToken);
        var tools = await client.ListToolsAsync(cancellationToken: TestContext.Current.CancellationToken);
        var reverse = Assert.Single(tools, t => t.Name == "reverse");
        Assert.Contains(tools, t => t.Name == "InventoryPlugin_stock");
        var result = await reverse.InvokeAsync(new AIFunctionArguments { ["text"] = "drawer" }, TestContext.Current.CancellationToken);
        Assert.Contains("reward", result?.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_WithAnAgentNamingAnUnknownTool_RefusesToStart_NamingTheKey()
    {
        using var cli = new CliHarness(input: "");

        var exit = await cli.RunAsync("serve", "--config", WriteConfig("rewind"), "--urls", "http://127.0.0.1:0");

        Assert.Equal(1, exit);
        Assert.Contains("AgentKit:Agents:writer:Tools:0: no tool named 'rewind' is registered.", cli.Error, StringComparison.Ordinal);
        Assert.Contains("reverse", cli.Error, StringComparison.Ordinal);
    }

    /// <summary>A configuration whose only tools come from the MCP test server, and an agent allowed <paramref name="tool"/>.</summary>
    private string WriteConfig(string tool)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var server = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "AgentKit.Agents.McpTestServer", "bin", configuration, "net10.0", "AgentKit.Agents.McpTestServer.dll"));
        var path = Path.Combine(_folder.FullName, "agentkit.json");
        File.WriteAllText(path, $$"""
            {
              "AgentKit": {
                "Models": { "scripted": { "Provider": "OpenAI", "Endpoint": "http://127.0.0.1:9/v1", "ApiKey": "unused", "Model": "scripted" } },
                "Storage": { "Directory": {{System.Text.Json.JsonSerializer.Serialize(Path.Combine(_folder.FullName, "data"))}} },
                "Prompts": { "Watch": false },
                "Tools": { "McpServers": { "test": { "Command": "dotnet", "Arguments": [ {{System.Text.Json.JsonSerializer.Serialize(server)}} ] } } },
                "Agents": { "writer": { "Instructions": "You reverse texts.", "Tools": [ "{{tool}}" ] } }
              }
            }
            """);
        return path;
    }
}
