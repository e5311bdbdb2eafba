using AgentKit.Agents.Mcp;
using AgentKit.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;

namespace AgentKit.Agents.Tests.Mcp;

/// <summary>A real MCP server process (tests/AgentKit.Agents.McpTestServer serving AgentKit plugins over stdio) and the client source.</summary>
public sealed class McpStdioTests
{
    private static McpToolSource Connect()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var server = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "AgentKit.Agents.McpTestServer", "bin", configuration, "net10.0", "AgentKit.Agents.McpTestServer.dll"));
        Assert.True(File.Exists(server), $"the MCP test server was not built at {server}");
        return McpToolSource.ForStdioServer(new StdioClientTransportOptions { Name = "test", Command = "dotnet", Arguments = [server] });
    }

    [Fact]
    public async Task ServedPlugins_AreListedAndCallable()
    {
        await using var source = Connect();
        var tools = await source.GetToolsAsync(TestContext.Current.CancellationToken);

        Assert.Equal(["InventoryPlugin_stock", "reverse"], tools.Select(t => t.Name).Order(StringComparer.Ordinal));
        var stock = tools.Single(t => t.Name == "InventoryPlugin_stock");
        Assert.Equal("Units in stock for a product.", stock.Description);
        var result = await stock.InvokeAsync(new AIFunctionArguments { ["sku"] = "A-1" }, TestContext.Current.CancellationToken);
        Assert.Contains("7", result?.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerValidatesArguments_BeforeTheToolRuns()
    {
        await using var source = Connect();
        var reverse = (await source.GetToolsAsync(TestContext.Current.CancellationToken)).Single(t => t.Name == "reverse");

        var result = await reverse.InvokeAsync(new AIFunctionArguments { ["text"] = 42 }, TestContext.Current.CancellationToken);

        var answer = Assert.IsType<System.Text.Json.JsonElement>(result);
        Assert.True(answer.GetProperty("isError").GetBoolean());
        Assert.StartsWith("Error: invalid arguments for tool 'reverse': #/text: ", answer.GetProperty("content")[0].GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Agent_UsesMcpServerTools_InItsLoop()
    {
        await using var source = Connect();
        var model = new ScriptedChatClient()
            .CallTool("reverse", new Dictionary<string, object?> { ["text"] = "abc" })
            .Reply("reversed");
        using var harness = new AgentHarness(model, [AgentHarness.Agent(tools: ["reverse"])], configure: s => s.AddSingleton<Abstractions.Tools.IToolSource>(source));
        var session = await harness.Runner.CreateSessionAsync("helper", TestContext.Current.CancellationToken);

        var result = await session.RunAsync("reverse abc", TestContext.Current.CancellationToken);

        Assert.Equal(AgentRunOutcome.Completed, result.Outcome);
        var toolResult = Assert.Single(result.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>());
        Assert.Contains("cba", toolResult.Result?.ToString(), StringComparison.Ordinal);
    }
}
