using AgentKit.Cost.Cascade;
using AgentKit.Cost.Tests.Support;
using AgentKit.Testing;
using Microsoft.Extensions.AI;

namespace AgentKit.Cost.Tests.Cascade;

public sealed class ModelCascadeTests
{
    private static readonly ModelPrice Cheap = new(1, 2);
    private static readonly ModelPrice Strong = new(30, 60);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task HighScore_AcceptsCheapAnswer_AndReportsModelScoreAndCost(bool streaming)
    {
        var cheap = Model("Paris", input: 100, output: 10);
        var strong = Model("Paris, France", input: 100, output: 20);
        var cascade = new ModelCascade([
            new CascadeStep("cheap", cheap, Cheap) { Scorer = new FixedScorer(0.9, judgeTokens: 50), Threshold = 0.7 },
            new CascadeStep("strong", strong, Strong),
        ]);

        var response = await Ask(cascade, streaming);

        Assert.Equal("Paris", response.Text);
        Assert.Equal(0, strong.CallCount);
        var result = (CascadeResult)response.AdditionalProperties![CascadeResult.ResponsePropertyKey]!;
        Assert.Equal("cheap", result.AnsweredBy);
        var attempt = Assert.Single(result.Attempts);
        Assert.Equal(0.9, attempt.Score);
        Assert.True(attempt.Accepted);
        Assert.Equal(150, attempt.Usage.InputTokenCount);
        Assert.Equal((150 * 1m + 10 * 2m) / 1_000_000m, result.Cost);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task LowScore_Escalates_AndLastStepAlwaysAnswers(bool streaming)
    {
        var cheap = Model("Sydney", input: 100, output: 10);
        var middle = Model("Melbourne", input: 100, output: 10);
        var strong = Model("Canberra", input: 100, output: 20);
        var cascade = new ModelCascade([
            new CascadeStep("cheap", cheap, Cheap) { Scorer = new FixedScorer(0.2), Threshold = 0.7 },
            new CascadeStep("middle", middle, Cheap) { Scorer = new FixedScorer(0.5), Threshold = 0.7 },
            new CascadeStep("strong", strong, Strong),
        ]);

        var response = await Ask(cascade, streaming);

        Assert.Equal("Canberra", response.Text);
        var result = (CascadeResult)response.AdditionalProperties![CascadeResult.ResponsePropertyKey]!;
        Assert.Equal("strong", result.AnsweredBy);
        Assert.Equal(["cheap", "middle", "strong"], result.Attempts.Select(a => a.Model));
        Assert.Equal([false, false, true], result.Attempts.Select(a => a.Accepted));
        Assert.Null(result.Attempts[2].Score);
        Assert.Equal((100 * 1m + 10 * 2m) * 2 / 1_000_000m + (100 * 30m + 20 * 60m) / 1_000_000m, result.Cost);
    }

    [Fact]
    public async Task JudgeScorer_AsksJudgeWithPromptFile_AndBillsJudgeAtItsPrice()
    {
        var judge = new ScriptedChatClient("""{"reasoning": "Sydney is not the capital.", "score": 2}""");
        judge.Enqueue(new ChatResponse(new ChatMessage(ChatRole.Assistant, """{"reasoning": "right", "score": 9}""")) { Usage = new UsageDetails { InputTokenCount = 200, OutputTokenCount = 10 } });
        var cascade = new ModelCascade([
            new CascadeStep("cheap", Model("Sydney", 100, 10), Cheap) { Scorer = new JudgeScorer(judge, RepositoryPrompts.Registry, judgePrice: new ModelPrice(5, 5)), Threshold = 0.7 },
            new CascadeStep("strong", Model("Canberra", 100, 20), Strong),
        ]);

        var result = await cascade.AnswerAsync([new ChatMessage(ChatRole.User, "What is the capital of Australia?")]);

        Assert.Equal("strong", result.AnsweredBy);
        Assert.Equal(0.2, result.Attempts[0].Score!.Value, 6);
        var judged = judge.Calls[0].Messages;
        Assert.Contains("user: What is the capital of Australia?", judged[^1].Text, StringComparison.Ordinal);
        Assert.Contains("Sydney", judged[^1].Text, StringComparison.Ordinal);

        var second = await cascade.AnswerAsync([new ChatMessage(ChatRole.User, "What is the capital of Australia?")]);
        Assert.Equal("cheap", second.AnsweredBy);
        Assert.Equal((100 * 1m + 10 * 2m) / 1_000_000m + (210 * 5m) / 1_000_000m, second.Cost);
    }

    [Fact]
    public async Task AgreementScorer_ReturnsShareOfAgreeingSamples()
    {
        var answers = new Queue<string>(["42", "42.", " 42", "41", "forty-two"]);
        var model = new ScriptedChatClient((_, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, answers.Dequeue())) { Usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 1 } });
        var first = await model.GetResponseAsync("6 x 7?");

        var score = await new AgreementScorer(samples: 4).ScoreAsync(new CascadeScoringRequest([new ChatMessage(ChatRole.User, "6 x 7?")], null, first, model), default);

        Assert.Equal(0.5, score.Value);
        Assert.Equal(40, score.Usage!.InputTokenCount);
        Assert.All(model.Calls.Skip(1), c => Assert.Equal(0.8f, c.Options!.Temperature));
    }

    [Fact]
    public async Task AgreementScorer_UsesMultiSequenceDecoding_WhenOffered()
    {
        var model = new ScriptedMultiSequenceChatClient((_, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, "yes")), maxSequences: 8);

        var score = await new AgreementScorer(samples: 6).ScoreAsync(
            new CascadeScoringRequest([new ChatMessage(ChatRole.User, "Is water wet?")], null, new ChatResponse(new ChatMessage(ChatRole.Assistant, "Yes.")), model), default);

        Assert.Equal(1.0, score.Value);
        Assert.Single(model.Batches);
    }

    [Fact]
    public void InvalidCascades_AreRefusedByName()
    {
        var model = Model("x", 1, 1);
        Assert.Throws<ArgumentException>(() => new ModelCascade([]));
        var unscored = Assert.Throws<ArgumentException>(() => new ModelCascade([new CascadeStep("cheap", model, Cheap), new CascadeStep("strong", model, Strong)]));
        Assert.Contains("'cheap'", unscored.Message, StringComparison.Ordinal);
        var twice = Assert.Throws<ArgumentException>(() => new ModelCascade([new CascadeStep("a", model, Cheap) { Scorer = new FixedScorer(1) }, new CascadeStep("A", model, Strong)]));
        Assert.Contains("'a'", twice.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Throws<ArgumentOutOfRangeException>(() => new CascadeStep("a", model, Cheap) { Threshold = 1.5 });
    }

    private static ScriptedChatClient Model(string answer, int input, int output) =>
        new((_, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, answer)) { Usage = new UsageDetails { InputTokenCount = input, OutputTokenCount = output } });

    private static async Task<ChatResponse> Ask(IChatClient client, bool streaming)
    {
        ChatMessage[] messages = [new(ChatRole.User, "What is the capital?")];
        if (!streaming)
        {
            return await client.GetResponseAsync(messages);
        }

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(messages))
        {
            updates.Add(update);
        }

        var response = updates.ToChatResponse();
        Assert.NotNull(response.AdditionalProperties?[CascadeResult.ResponsePropertyKey]);
        return response;
    }

    /// <summary>A programmatic scorer with a set verdict (the cascade's own logic is under test, not a judge).</summary>
    private sealed class FixedScorer(double score, int judgeTokens = 0) : ICascadeScorer
    {
        public Task<CascadeScore> ScoreAsync(CascadeScoringRequest request, CancellationToken cancellationToken) =>
            Task.FromResult(new CascadeScore(score, judgeTokens > 0 ? new UsageDetails { InputTokenCount = judgeTokens } : null));
    }
}
