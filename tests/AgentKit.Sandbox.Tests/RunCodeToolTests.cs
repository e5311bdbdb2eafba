using System.Text.Json;
using AgentKit.Agents.Tools;
using AgentKit.Testing;
using Microsoft.Extensions.AI;

namespace AgentKit.Sandbox.Tests;

public sealed class RunCodeToolTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RunCode_ThroughTheGovernedPipeline_ReturnsTheProgramsOutputToTheModel(bool streaming)
    {
        using var result = JsonDocument.Parse(await CallAsync("console.log(17 * 23)", streaming));

        Assert.Equal("391\n", result.RootElement.GetProperty("output").GetString());
        Assert.False(result.RootElement.TryGetProperty("error", out _));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RunCode_HostileProgram_ReturnsTheLimitForTheModelToCorrect(bool streaming)
    {
        using var result = JsonDocument.Parse(await CallAsync("while (true) {}", streaming));

        Assert.Equal(nameof(SandboxLimit.Statements), result.RootElement.GetProperty("limit").GetString());
        Assert.Contains("MaxStatements", result.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunCode_SyntaxError_ReturnsTheErrorWithItsLine()
    {
        using var sandbox = new JavaScriptSandbox();
        var tool = RunCodeTool.Create(sandbox);

        var result = await tool.InvokeAsync(new AIFunctionArguments { ["code"] = "let x = ;" }, Token);

        Assert.Contains("SyntaxError", result?.ToString(), StringComparison.Ordinal);
        Assert.Contains("line 1", result?.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void RunCode_Schema_RequiresTheCode()
    {
        using var sandbox = new JavaScriptSandbox();

        var tool = RunCodeTool.Create(sandbox);

        Assert.Equal(RunCodeTool.Name, tool.Name);
        Assert.Contains("\"required\":[\"code\"]", tool.JsonSchema.GetRawText(), StringComparison.Ordinal);
    }

    /// <summary>The model asks for run_code once, then answers; returns the function result the model was given.</summary>
    private static async Task<string> CallAsync(string code, bool streaming)
    {
        using var sandbox = new JavaScriptSandbox(new SandboxOptions { MaxStatements = 10_000 });
        var model = new ScriptedChatClient();
        model.Enqueue(new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call-1", RunCodeTool.Name, new Dictionary<string, object?> { ["code"] = code })])));
        model.Enqueue(new ChatResponse(new ChatMessage(ChatRole.Assistant, "done")));
        using var client = new ChatClientBuilder(model).UseAgentKitTools([RunCodeTool.Name]).Build();
        var options = new ChatOptions { Tools = [RunCodeTool.Create(sandbox)] };

        if (streaming)
        {
            await foreach (var update in client.GetStreamingResponseAsync("compute", options, Token))
            {
                _ = update;
            }
        }
        else
        {
            await client.GetResponseAsync("compute", options, Token);
        }

        var result = model.Calls[1].Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Single();
        return result.Result?.ToString() ?? "";
    }
}
