using AgentKit.Abstractions;
using AgentKit.Cost.Cascade;
using AgentKit.LlamaCpp;
using AgentKit.LlamaCpp.Chat;
using AgentKit.Testing;
using Microsoft.Extensions.AI;

namespace AgentKit.Cost.Tests.Cascade;

public sealed class LogProbabilityScorerTests
{
    [Theory]
    [InlineData(LogProbabilityAggregate.Mean, 0.5)]
    [InlineData(LogProbabilityAggregate.Min, 0.25)]
    public async Task Score_IsProbabilityOfMeanOrMinimumLogProbability(LogProbabilityAggregate aggregate, double expected)
    {
        var scorer = new LogProbabilityScorer(aggregate);
        var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, "Paris"))
        {
            AdditionalProperties = new() { [TokenLogProbabilities.PropertyKey] = new[] { MathF.Log(0.25f), 0f, MathF.Log(0.5f) } },
        };
        using var model = new ScriptedChatClient((_, _) => response);

        var score = await scorer.ScoreAsync(new CascadeScoringRequest([new(ChatRole.User, "Capital?")], null, response, model), default);

        // (ln 0.25 + 0 + ln 0.5) / 3 = ln 0.5.
        Assert.Equal(expected, score.Value, 3);
    }

    [Fact]
    public async Task ResponseWithoutLogProbabilities_ThrowsNamingTheModel()
    {
        var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, "Paris"));
        using var model = new ScriptedChatClient((_, _) => response);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            new LogProbabilityScorer().ScoreAsync(new CascadeScoringRequest([new(ChatRole.User, "Capital?")], null, response, model), default));

        Assert.Contains(TokenLogProbabilities.PropertyKey, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cascade_AsksTheScoredStepForLogProbabilities_NotTheLast()
    {
        var seen = new List<bool>();
        using var cheap = new ScriptedChatClient((_, options) =>
        {
            seen.Add(TokenLogProbabilities.Requested(options));
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, "Sydney")) { AdditionalProperties = new() { [TokenLogProbabilities.PropertyKey] = new[] { -2f, -3f } } };
        });
        using var strong = new ScriptedChatClient((_, options) =>
        {
            seen.Add(TokenLogProbabilities.Requested(options));
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, "Canberra"));
        });
        var cascade = new ModelCascade([
            new CascadeStep("cheap", cheap, new ModelPrice(1, 1)) { Scorer = new LogProbabilityScorer(), Threshold = 0.5 },
            new CascadeStep("strong", strong, new ModelPrice(10, 10)),
        ]);
        var options = new ChatOptions();

        var result = await cascade.AnswerAsync([new(ChatRole.User, "Capital of Australia?")], options);

        Assert.Equal("strong", result.AnsweredBy);
        Assert.Equal(Math.Exp(-2.5), result.Attempts[0].Score!.Value, 6);
        Assert.Equal([true, false], seen);
        Assert.False(TokenLogProbabilities.Requested(options));
    }

    [Fact]
    public async Task OnLocalEngine_ScoreIsGeometricMeanOfTheAnswersTokenProbabilities()
    {
        using var model = await LlamaModel.LoadAsync(TestModelFactory.GetOrCreate(TestModelFactory.TinyQwen2), cancellationToken: TestContext.Current.CancellationToken);
        using var local = new LlamaChatClient(model, new LlamaChatClientOptions { Context = new LlamaContextOptions { ContextSize = 512 }, MaxContexts = 1 });
        using var strong = new ScriptedChatClient((_, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, "strong answer")));
        var cascade = new ModelCascade([
            new CascadeStep("local", local, new ModelPrice(0, 0)) { Scorer = new LogProbabilityScorer(), Threshold = 0.999 },
            new CascadeStep("strong", strong, new ModelPrice(10, 10)),
        ]);

        var result = await cascade.AnswerAsync([new(ChatRole.User, "Say something.")], new ChatOptions { MaxOutputTokens = 8, Temperature = 0 }, TestContext.Current.CancellationToken);

        var direct = await local.GetResponseAsync([new(ChatRole.User, "Say something.")], new ChatOptions { MaxOutputTokens = 8, Temperature = 0 }.WithTokenLogProbabilities(), TestContext.Current.CancellationToken);
        var values = TokenLogProbabilities.Get(direct)!;
        Assert.Equal(direct.Usage!.OutputTokenCount, values.Count);
        Assert.All(values, v => Assert.InRange(v, float.MinValue, 0f));
        Assert.Equal(Math.Exp(values.Average()), result.Attempts[0].Score!.Value, 4);
        Assert.Equal(result.Attempts[0].Score >= 0.999 ? "local" : "strong", result.AnsweredBy);
    }
}
