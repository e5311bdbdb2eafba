using System.IO.Pipelines;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentKit.Abstractions.Tools;
using AgentKit.Agents.Mcp;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace AgentKit.Agents.Tests.Mcp;

/// <summary>
/// AgentKit's MCP server against the ModelContextProtocol package's own client, over in-memory pipes: execution
/// errors are results with <c>isError: true</c> (MCP specification, "Error Handling"), malformed <c>arguments</c> a
/// JSON-RPC <c>-32602</c>.
/// </summary>
public sealed class McpServerProtocolTests : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
    private Task? _server;

    private static IEnumerable<AIFunction> Tools() =>
    [
        AIFunctionFactory.Create((string text) => new string([.. text.Reverse()]), "reverse"),
        AIFunctionFactory.Create(string () => throw new InvalidOperationException("warehouse offline"), "stock"),
        AIFunctionFactory.Create(async (CancellationToken ct) => { await Task.Delay(Timeout.Infinite, CancellationToken.None); return "never"; }, "stuck"),
        new ApprovalRequiredAIFunction(AIFunctionFactory.Create(() => "refunded", "refund")),
    ];

    private async Task<McpClient> ConnectAsync()
    {
        var toServer = new Pipe();
        var toClient = new Pipe();
        var options = AgentKitMcpServer.CreateServerOptions(
            Tools(), "test", new ToolPipelineOptions { Policies = { ["stuck"] = new ToolPolicy { Timeout = TimeSpan.FromMilliseconds(200) } } }, NullLoggerFactory.Instance);
        var server = McpServer.Create(new StreamServerTransport(toServer.Reader.AsStream(), toClient.Writer.AsStream(), "test"), options);
        _server = server.RunAsync(_stop.Token);
        return await McpClient.CreateAsync(new StreamClientTransport(toServer.Writer.AsStream(), toClient.Reader.AsStream()), cancellationToken: _stop.Token);
    }

    [Fact]
    public async Task ListTools_ServesGovernedTools_ButNotThoseNeedingApproval()
    {
        await using var client = await ConnectAsync();

        var tools = await client.ListToolsAsync(cancellationToken: _stop.Token);

        Assert.Equal(["reverse", "stock", "stuck"], tools.Select(t => t.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task CallTool_Succeeds_IsNotAnError()
    {
        await using var client = await ConnectAsync();

        var result = await client.CallToolAsync("reverse", new Dictionary<string, object?> { ["text"] = "abc" }, cancellationToken: _stop.Token);

        Assert.NotEqual(true, result.IsError);
        Assert.Equal("cba", Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text);
    }

    [Theory]
    [InlineData("reverse", """{"text": 42}""", "Error: invalid arguments for tool 'reverse': #/text: ")]
    [InlineData("reverse", "{}", "Error: invalid arguments for tool 'reverse': #: ")]
    [InlineData("stock", "{}", "Error: the tool 'stock' failed. InvalidOperationException: warehouse offline")]
    [InlineData("stuck", "{}", "Error: the tool 'stuck' did not finish within 0.2 seconds and was cancelled.")]
    public async Task CallTool_ExecutionError_IsAResultWithIsError(string tool, string arguments, string expected)
    {
        await using var client = await ConnectAsync();

        var result = await client.CallToolAsync(
            new CallToolRequestParams { Name = tool, Arguments = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(arguments) }, _stop.Token);

        Assert.True(result.IsError);
        Assert.StartsWith(expected, Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"text=abc\"")]
    [InlineData("[\"abc\"]")]
    [InlineData("42")]
    public async Task CallTool_ArgumentsNotAnObject_IsJsonRpcInvalidParams(string arguments)
    {
        await using var client = await ConnectAsync();
        var request = new JsonRpcRequest
        {
            Method = RequestMethods.ToolsCall,
            Params = new JsonObject { ["name"] = "reverse", ["arguments"] = JsonNode.Parse(arguments) },
        };

        var error = await Assert.ThrowsAsync<McpProtocolException>(() => client.SendRequestAsync(request, _stop.Token));

        Assert.Equal(McpErrorCode.InvalidParams, error.ErrorCode);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_server is not null)
        {
            await _server.ContinueWith(static _ => { }, TaskScheduler.Default);
        }

        _stop.Dispose();
    }
}
