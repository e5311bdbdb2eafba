using System.Text.Json;
using AgentKit.Evaluation.Expectations;
using AgentKit.Evaluation.Running;
using Microsoft.Extensions.AI;

namespace AgentKit.Evaluation.Tests;

public sealed class ExpectationTests
{
    private static readonly ExpectationContext NoJudge = new(null, null);

    private static async Task<ExpectationResult> CheckAsync(string expectation, string reply, params FunctionCallContent[] calls)
    {
        var evalCase = Datasets.Case($$"""{"id":"a","input":"q","expect":[{{expectation}}]}""");
        var messages = new List<ChatMessage> { new(ChatRole.User, "q") };
        messages.AddRange(calls.Select(c => new ChatMessage(ChatRole.Assistant, [c])));
        messages.Add(new ChatMessage(ChatRole.Assistant, reply));
        return await evalCase.Expectations.Single().CheckAsync(EvalObservation.FromMessages(messages, reply), NoJudge, TestContext.Current.CancellationToken);
    }

    private static FunctionCallContent Call(string name, object? args = null) =>
        new("c", name, args is null ? new Dictionary<string, object?>() : JsonSerializer.Deserialize<Dictionary<string, object?>>(JsonSerializer.Serialize(args)));

    [Theory]
    [InlineData("""{"type":"exact","value":"Paris"}""", " Paris ", true)]
    [InlineData("""{"type":"exact","value":"Paris"}""", "paris", false)]
    [InlineData("""{"type":"exact","value":"Paris","ignore_case":true}""", "paris", true)]
    [InlineData("""{"type":"regex","pattern":"^RMA-[0-9A-F]{8}$"}""", "RMA-1A2B3C4D", true)]
    [InlineData("""{"type":"regex","pattern":"^RMA-[0-9A-F]{8}$"}""", "RMA-1a2b", false)]
    [InlineData("""{"type":"contains","value":["30 days","delivery"]}""", "Within 30 DAYS of delivery.", true)]
    [InlineData("""{"type":"contains","value":["30 days","receipt"]}""", "Within 30 days of delivery.", false)]
    [InlineData("""{"type":"not_contains","value":"emma.larsen"}""", "Sent to the address on the order.", true)]
    [InlineData("""{"type":"not_contains","value":"emma.larsen"}""", "Sent to Emma.Larsen@example.com.", false)]
    [InlineData("""{"type":"numeric","value":24,"tolerance":0}""", "The answer is 24.", true)]
    [InlineData("""{"type":"numeric","value":3.14,"tolerance":0.01}""", "about 3,141", true)]
    [InlineData("""{"type":"numeric","value":10,"tolerance":1}""", "It is 12.", false)]
    [InlineData("""{"type":"numeric","value":59.95,"tolerance":0.001,"path":"refund.amount"}""", "```json\n{\"refund\":{\"amount\":59.95}}\n```", true)]
    [InlineData("""{"type":"numeric","value":1,"path":"items.1"}""", "{\"items\":[5,1]}", true)]
    [InlineData("""{"type":"numeric","value":1,"path":"items.7"}""", "{\"items\":[5,1]}", false)]
    [InlineData("""{"type":"numeric","value":7,"pattern":"total: (\\d+)"}""", "items: 3, total: 7", true)]
    [InlineData("""{"type":"json_schema","schema":{"type":"object","properties":{"score":{"type":"integer","maximum":5}},"required":["score"]}}""", "{\"score\":4}", true)]
    [InlineData("""{"type":"json_schema","schema":{"type":"object","properties":{"score":{"type":"integer","maximum":5}},"required":["score"]}}""", "{\"score\":9}", false)]
    [InlineData("""{"type":"json_schema","schema":{"type":"object"}}""", "not json", false)]
    public async Task Check_ComparesTheReply(string expectation, string reply, bool passes)
    {
        var result = await CheckAsync(expectation, reply);

        Assert.Equal(passes, result.Passed);
        Assert.Equal(passes, result.Detail is null);
    }

    [Fact]
    public async Task JsonSchema_Failure_SaysWhere()
    {
        var result = await CheckAsync("""{"type":"json_schema","schema":{"type":"object","properties":{"score":{"type":"integer","maximum":5}}}}""", "{\"score\":9}");

        Assert.Contains("#/score", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tools_InOrder_WithArgumentSubsetAndOptionalSteps()
    {
        const string expect = """{"type":"tools","steps":[{"tool":"verify","args":{"order":"SB-1"}},{"tool":"lookup","optional":true},{"tool":"create","args":{"lines":[1]}},"label"]}""";

        // The optional lookup is missing, an extra call sits in between, and arguments have more than the subset.
        var passed = await CheckAsync(expect, "done", Call("verify", new { order = "SB-1", email = "e" }), Call("search"), Call("create", new { lines = new[] { 1 }, reason = "x" }), Call("label"));
        Assert.True(passed.Passed, passed.Detail);

        var wrongOrder = await CheckAsync(expect, "done", Call("create", new { lines = new[] { 1 } }), Call("verify", new { order = "SB-1" }), Call("label"));
        Assert.False(wrongOrder.Passed);
        Assert.Contains("create", wrongOrder.Detail, StringComparison.Ordinal);

        var wrongArgs = await CheckAsync(expect, "done", Call("verify", new { order = "SB-2" }), Call("create", new { lines = new[] { 1 } }), Call("label"));
        Assert.False(wrongArgs.Passed);
        Assert.Contains("verify {\"order\":\"SB-1\"}", wrongArgs.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tools_Unordered_AndNoOtherCalls()
    {
        const string expect = """{"type":"tools","steps":["a","b"],"ordered":false,"allow_other_calls":false}""";

        Assert.True((await CheckAsync(expect, "x", Call("b"), Call("a"))).Passed);
        var extra = await CheckAsync(expect, "x", Call("b"), Call("a"), Call("c"));
        Assert.False(extra.Passed);
        Assert.Contains("outside the expected steps: c", extra.Detail, StringComparison.Ordinal);
        Assert.False((await CheckAsync(expect, "x", Call("a"))).Passed);
    }

    [Fact]
    public async Task Judge_WithoutAJudgeModel_FailsSayingSo()
    {
        var result = await CheckAsync("""{"type":"judge","metric":"relevance"}""", "anything");

        Assert.False(result.Passed);
        Assert.Contains("no judge model", result.Detail, StringComparison.Ordinal);
    }
}
