using System.Text.Json;
using AgentKit.Testing;
using Microsoft.Extensions.AI;

namespace AgentKit.Planning.Tests;

public sealed class ChainOfThoughtTests
{
    private static ChainOfThoughtPlanner Planner => new(RepositoryPrompts.Registry);

    [Fact]
    public async Task TwoStage_ReasonsThenExtractsInTheFormat()
    {
        var client = new ScriptedChatClient("12 pens are 4 groups of 3 at $2 each, so it costs $8.", """{"answer": "$8.00"}""");
        var result = await Planner.RunAsync(client, "How much do 12 pens cost at 3 for $2?", new ChainOfThoughtOptions { Format = AnswerFormat.Number },
            TestContext.Current.CancellationToken);

        Assert.Equal("8", result.Answer);
        Assert.Equal(2, result.ModelCalls);
        Assert.Contains("Let's think step by step.", client.Calls[0].Messages[^1].Text, StringComparison.Ordinal);
        Assert.Contains("so it costs $8.", client.Calls[1].Messages[^1].Text, StringComparison.Ordinal);
        Assert.NotNull(client.Calls[1].Options!.ResponseFormat);
        Assert.Equal(["planning/cot", "planning/extract-answer"], result.Trace.Steps.Select(s => s.Name));
    }

    [Fact]
    public async Task FewShot_SendsTheExamplesAsTurns_AndParseModeMakesOneCall()
    {
        var client = new ScriptedChatClient("Paris is the capital. The answer is (B).");
        var result = await Planner.RunAsync(client, "Capital of France? (A) Lyon (B) Paris (C) Nice", new ChainOfThoughtOptions
        {
            Format = AnswerFormat.Choice(3),
            Extraction = AnswerExtraction.Parse,
            Examples = [new CotExample("Capital of Spain? (A) Madrid (B) Porto", "Madrid is Spain's capital.", "A")],
        }, TestContext.Current.CancellationToken);

        Assert.Equal("B", result.Answer);
        Assert.Equal(1, result.ModelCalls);
        var messages = client.Calls[0].Messages;
        Assert.Equal([ChatRole.System, ChatRole.User, ChatRole.Assistant, ChatRole.User], messages.Select(m => m.Role));
        Assert.Contains("The answer is A.", messages[2].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JsonFormat_ExtractsWithTheCallersSchema()
    {
        using var schema = JsonDocument.Parse("""{"type":"object","properties":{"city":{"type":"string"},"millions":{"type":"number"}},"required":["city","millions"]}""");
        var client = new ScriptedChatClient("Paris, about 2.1 million.", """{"millions": 2.1, "city": "Paris"}""");
        var result = await Planner.RunAsync(client, "Capital of France and population?", new ChainOfThoughtOptions { Format = AnswerFormat.Json(schema.RootElement) },
            TestContext.Current.CancellationToken);

        Assert.Equal("""{"city":"Paris","millions":2.1}""", result.Answer);
        Assert.Equal("planning/extract-json", result.Trace.Steps[1].Name);
    }

    [Fact]
    public async Task NoExtractableAnswer_IsNoAnswer()
    {
        var client = new ScriptedChatClient("I am not sure.", """{"answer": "no idea"}""");
        var result = await Planner.RunAsync(client, "How many?", new ChainOfThoughtOptions { Format = AnswerFormat.Number }, TestContext.Current.CancellationToken);

        Assert.Equal(PlanningOutcome.NoAnswer, result.Outcome);
        Assert.Null(result.Answer);
    }
}
