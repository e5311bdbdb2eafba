using AgentKit.Abstractions.Tools;
using AgentKit.Agents.Tools;
using AgentKit.Testing;
using Microsoft.Extensions.AI;

namespace AgentKit.Agents.Tests.Tools;

public sealed class ToolPipelineTests
{
    private static readonly ChatMessage[] Question = [new(ChatRole.User, "go")];

    private static string ResultOf(ChatResponse response) =>
        Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>()).Result as string ?? "";

    [Fact]
    public async Task InvalidArguments_ReturnErrorToModel_ToolDoesNotRun()
    {
        var ran = 0;
        var tool = AIFunctionFactory.Create((int orderId) => ++ran, "lookup");
        var model = new ScriptedChatClient().CallTool("lookup", new Dictionary<string, object?> { ["orderId"] = "not a number" }).Reply("sorry");
        using var client = new ChatClientBuilder(model).UseAgentKitTools().Build();

        var response = await client.GetResponseAsync(Question, new ChatOptions { Tools = [tool] });

        Assert.Equal(0, ran);
        var error = ResultOf(response);
        Assert.StartsWith("Error: invalid arguments for tool 'lookup'", error, StringComparison.Ordinal);
        Assert.Contains("#/orderId", error, StringComparison.Ordinal);
        Assert.Equal("sorry", response.Text);
    }

    [Fact]
    public async Task MissingRequiredArgument_IsReported()
    {
        var tool = AIFunctionFactory.Create((int orderId) => orderId, "lookup");
        var model = new ScriptedChatClient().CallTool("lookup").Reply("ok");
        using var client = new ChatClientBuilder(model).UseAgentKitTools().Build();

        var response = await client.GetResponseAsync(Question, new ChatOptions { Tools = [tool] });

        Assert.Contains("orderId", ResultOf(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidArguments_PastRetryBudget_EndTheTurn()
    {
        var tool = AIFunctionFactory.Create((int n) => n, "count");
        var bad = new Dictionary<string, object?> { ["n"] = "x" };
        var model = new ScriptedChatClient().CallTool("count", bad).CallTool("count", bad).Reply("never reached");
        using var client = new ChatClientBuilder(model).UseAgentKitTools(configure: o => o.MaxInvalidArgumentRetries = 1).Build();

        var response = await client.GetResponseAsync(Question, new ChatOptions { Tools = [tool] });

        Assert.Equal(2, model.Calls.Count);
        Assert.Equal(2, response.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Count());
    }

    [Fact]
    public async Task SlowTool_TimesOut_WithModelReadableError()
    {
        var tool = AIFunctionFactory.Create(async (CancellationToken ct) => { await Task.Delay(TimeSpan.FromSeconds(30), ct); return "late"; }, "slow");
        var model = new ScriptedChatClient().CallTool("slow").Reply("done");
        using var client = new ChatClientBuilder(model).UseAgentKitTools(configure: o => o.Policies["slow"] = new ToolPolicy { Timeout = TimeSpan.FromMilliseconds(50) }).Build();

        var response = await client.GetResponseAsync(Question, new ChatOptions { Tools = [tool] });

        Assert.Equal("Error: the tool 'slow' did not finish within 0.05 seconds and was cancelled.", ResultOf(response));
    }

    [Fact]
    public async Task ThrowingTool_ErrorHasMessageButNoStackTrace()
    {
        var tool = AIFunctionFactory.Create(string () => throw new InvalidOperationException("warehouse offline"), "stock");
        var model = new ScriptedChatClient().CallTool("stock").Reply("done");
        using var client = new ChatClientBuilder(model).UseAgentKitTools().Build();

        var error = ResultOf(await client.GetResponseAsync(Question, new ChatOptions { Tools = [tool] }));

        Assert.Equal("Error: the tool 'stock' failed. InvalidOperationException: warehouse offline", error);
        Assert.DoesNotContain(" at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThrowingTool_WithMessagesHidden_SaysOnlyThatItFailed()
    {
        var tool = AIFunctionFactory.Create(string () => throw new InvalidOperationException("password=hunter2"), "stock");
        var model = new ScriptedChatClient().CallTool("stock").Reply("done");
        using var client = new ChatClientBuilder(model).UseAgentKitTools(configure: o => o.ExposeExceptionMessages = false).Build();

        Assert.Equal("Error: the tool 'stock' failed.", ResultOf(await client.GetResponseAsync(Question, new ChatOptions { Tools = [tool] })));
    }

    [Fact]
    public async Task LargeResult_IsCutToTheCapWithMarker()
    {
        var tool = AIFunctionFactory.Create(() => new string('x', 10_000), "dump");
        var model = new ScriptedChatClient().CallTool("dump").Reply("done");
        using var client = new ChatClientBuilder(model).UseAgentKitTools(configure: o => o.MaxResultLength = 200).Build();

        var result = ResultOf(await client.GetResponseAsync(Question, new ChatOptions { Tools = [tool] }));

        Assert.Equal(200, result.Length);
        Assert.EndsWith("[truncated: 10000 characters in all]", result, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ToolOffAllowlist_IsNotOffered_AndItsCallIsRefused()
    {
        var ran = false;
        var allowed = AIFunctionFactory.Create(() => "ok", "allowed");
        var secret = AIFunctionFactory.Create(() => ran = true, "delete_everything");
        var model = new ScriptedChatClient().CallTool("delete_everything").Reply("done");
        using var client = new ChatClientBuilder(model).UseAgentKitTools(allowedTools: ["allowed"]).Build();

        var response = await client.GetResponseAsync(Question, new ChatOptions { Tools = [allowed, secret] });

        Assert.False(ran);
        Assert.Equal(["allowed"], model.Calls[0].Options!.Tools!.Select(t => t.Name));
        Assert.StartsWith("Error:", ResultOf(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApprovalRequiredTool_ComesBackAsApprovalRequest()
    {
        var ran = false;
        var tool = new ApprovalRequiredAIFunction(AIFunctionFactory.Create(() => ran = true, "refund"));
        var model = new ScriptedChatClient().CallTool("refund").Reply("done");
        using var client = new ChatClientBuilder(model).UseAgentKitTools().Build();

        var response = await client.GetResponseAsync(Question, new ChatOptions { Tools = [tool] });

        Assert.False(ran);
        Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<ToolApprovalRequestContent>());
    }

    [Fact]
    public void Options_RejectOutOfRangeValues()
    {
        var options = new ToolPipelineOptions();
        Assert.Throws<ArgumentOutOfRangeException>(() => options.DefaultTimeout = TimeSpan.Zero);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxResultLength = 10);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxInvalidArgumentRetries = -1);
    }
}
