using System.Globalization;
using AgentKit.Testing;
using Microsoft.Extensions.AI;

namespace AgentKit.Planning.Tests;

public sealed class SelfConsistencyTests
{
    private static SelfConsistencyPlanner Planner => new(RepositoryPrompts.Registry);

    private static string Question(int n) => string.Create(CultureInfo.InvariantCulture, $"Answer question {n}.");

    private static SelfConsistencyOptions Options(int paths, int seed, bool earlyStop = true, int? wave = null) => new()
    {
        Paths = paths,
        Format = AnswerFormat.Number,
        Extraction = AnswerExtraction.Parse,
        EarlyStop = earlyStop,
        WaveSize = wave,
        ChatOptions = new ChatOptions { Seed = seed },
    };

    [Fact]
    public void MajorityVoteFormula_MatchesKnownCases()
    {
        // One path: right with probability p.
        Assert.Equal(0.4, MajorityVote.ProbabilityRight(1, 0.4, 3), 10);
        // Three paths, one wrong answer (k = 1): right iff at least 2 of 3 are right.
        Assert.Equal((3 * 0.6 * 0.6 * 0.4) + (0.6 * 0.6 * 0.6), MajorityVote.ProbabilityRight(3, 0.6, 1), 10);
        // Two paths, k = 1: one right and one wrong tie and the coin flip gives half.
        Assert.Equal((0.5 * 0.5) + (2 * 0.5 * 0.5 * 0.5), MajorityVote.ProbabilityRight(2, 0.5, 1), 10);
    }

    [Theory]
    [InlineData(5, 0.4, 3)]
    [InlineData(7, 0.3, 4)]
    public async Task Accuracy_OverManyQuestions_MatchesPluralityVoteProbability(int paths, double p, int k)
    {
        const int Trials = 1500;
        var client = new ScriptedChatClient((messages, options) => NoisyOracle.Answer(messages, options, p, k));
        var right = 0;
        for (var q = 0; q < Trials; q++)
        {
            var result = await Planner.RunAsync(client, Question(q), Options(paths, seed: q * 1000, earlyStop: q % 2 == 0), TestContext.Current.CancellationToken);
            Assert.Equal(PlanningOutcome.Answered, result.Outcome);
            if (result.Answer == NoisyOracle.RightAnswer(q).ToString(CultureInfo.InvariantCulture))
            {
                right++;
            }
        }

        var expected = MajorityVote.ProbabilityRight(paths, p, k);
        var measured = (double)right / Trials;
        var standardError = Math.Sqrt(expected * (1 - expected) / Trials);
        Assert.True(Math.Abs(measured - expected) < 4 * standardError,
            $"measured accuracy {measured:0.000} vs plurality-vote probability {expected:0.000} (4 standard errors = {4 * standardError:0.000}); one path alone gives {p}");
        Assert.True(expected > p, "with these settings voting should beat a single path");
    }

    [Fact]
    public async Task EarlyStop_SavesCalls_WithoutChangingAnswers()
    {
        var client = new ScriptedChatClient((messages, options) => NoisyOracle.Answer(messages, options, 0.75, 3));
        int callsFull = 0, callsEarly = 0, stoppedEarly = 0;
        for (var q = 0; q < 300; q++)
        {
            var full = await Planner.RunAsync(client, Question(q), Options(9, q * 100, earlyStop: false, wave: 1), TestContext.Current.CancellationToken);
            var early = await Planner.RunAsync(client, Question(q), Options(9, q * 100, earlyStop: true, wave: 1), TestContext.Current.CancellationToken);
            Assert.Equal(full.Answer, early.Answer);
            Assert.Equal(9, full.ModelCalls);
            Assert.False(full.StoppedEarly);
            callsFull += full.ModelCalls;
            callsEarly += early.ModelCalls;
            stoppedEarly += early.StoppedEarly ? 1 : 0;
            if (early.StoppedEarly)
            {
                // Stopping is only allowed once the leader is out of reach.
                var votes = early.Votes.Values.OrderDescending().ToList();
                Assert.True(votes[0] - (votes.Count > 1 ? votes[1] : 0) > 9 - early.Paths.Count);
            }
        }

        Assert.True(stoppedEarly > 100, $"only {stoppedEarly} of 300 runs stopped early");
        Assert.True(callsEarly < callsFull * 0.85, $"early stop made {callsEarly} calls vs {callsFull} without it");
    }

    [Fact]
    public async Task MultiSequenceClient_PathsGoOutInBatchesOfMaxSequences_WithTheSameAnswersAsParallelCalls()
    {
        var multi = new ScriptedMultiSequenceChatClient((messages, options) => NoisyOracle.Answer(messages, options, 0.5, 3), maxSequences: 4);
        var plain = new ScriptedChatClient((messages, options) => NoisyOracle.Answer(messages, options, 0.5, 3));
        var options = Options(10, seed: 77, earlyStop: false);

        var batched = await Planner.RunAsync(multi, Question(5), options, TestContext.Current.CancellationToken);
        var parallel = await Planner.RunAsync(plain, Question(5), options with { WaveSize = 4 }, TestContext.Current.CancellationToken);

        Assert.True(batched.UsedMultiSequence);
        Assert.Empty(multi.Calls);
        Assert.Equal([4, 4, 2], multi.Batches.Select(b => b.Conversations.Count));
        Assert.All(multi.Batches, b => Assert.True(b.SameConversation));
        Assert.Equal(3, batched.Batches);
        Assert.Equal(3, batched.Requests);
        Assert.Equal(10, batched.ModelCalls);
        Assert.False(parallel.UsedMultiSequence);
        Assert.Equal(10, plain.Calls.Count);
        Assert.Equal(parallel.Paths.Select(x => x.Answer), batched.Paths.Select(x => x.Answer));
        Assert.Equal(parallel.Answer, batched.Answer);
        Assert.Equal(10 * 32, batched.Usage.TotalTokenCount);
        Assert.All(multi.Batches, b => Assert.Equal(0.7f, b.Options!.Temperature));
        Assert.All(multi.Batches, b => Assert.Equal(40, b.Options!.TopK));
    }

    [Fact]
    public async Task Votes_NormaliseNumbers_AndConfidenceIsTheVoteShare()
    {
        var answers = new Queue<string>(["So it is $1,000.", "The answer is 1000.00", "answer: 999", "#### 1e3"]);
        var client = new ScriptedChatClient((_, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, answers.Dequeue())));
        var result = await Planner.RunAsync(client, "How much?", new SelfConsistencyOptions
        {
            Paths = 4, Format = AnswerFormat.Number, Extraction = AnswerExtraction.Parse, MaxConcurrency = 1, EarlyStop = false,
        }, TestContext.Current.CancellationToken);

        Assert.Equal("1000", result.Answer);
        Assert.Equal(3, result.Votes["1000"]);
        Assert.Equal(1, result.Votes["999"]);
        Assert.Equal(0.75, result.Confidence, 10);
    }

    [Fact]
    public async Task CallBudget_StopsWithBudgetExceeded_AndTheLeaderSoFar()
    {
        var client = new ScriptedChatClient((messages, options) => NoisyOracle.Answer(messages, options, 1.0, 3));
        var result = await Planner.RunAsync(client, Question(3), Options(8, 1, earlyStop: false, wave: 2) with { Budget = new PlanningBudget { MaxCalls = 3 } },
            TestContext.Current.CancellationToken);

        Assert.Equal(PlanningOutcome.BudgetExceeded, result.Outcome);
        Assert.Equal(BudgetResource.Calls, result.BudgetExceeded!.Resource);
        Assert.Equal(3, result.ModelCalls);
        Assert.Equal(3, client.Calls.Count);
        Assert.Equal("1003", result.Answer);
    }

    [Fact]
    public async Task TokenBudget_StopsOnceSpent()
    {
        var client = new ScriptedChatClient((messages, options) => NoisyOracle.Answer(messages, options, 1.0, 3));
        var result = await Planner.RunAsync(client, Question(3), Options(8, 1, earlyStop: false, wave: 1) with { Budget = new PlanningBudget { MaxTokens = 100 } },
            TestContext.Current.CancellationToken);

        Assert.Equal(BudgetResource.Tokens, result.BudgetExceeded!.Resource);
        Assert.Equal(4, result.ModelCalls); // 3 calls spend 96 tokens, the 4th crosses 100, the 5th is refused
        Assert.Equal(128, result.BudgetExceeded.Tokens);
    }

    [Fact]
    public async Task TimeBudget_StopsASlowModel()
    {
        var client = new SlowChatClient(TimeSpan.FromSeconds(5));
        var result = await Planner.RunAsync(client, "Slow?", new SelfConsistencyOptions { Paths = 4, Budget = new PlanningBudget { MaxDuration = TimeSpan.FromMilliseconds(100) } },
            TestContext.Current.CancellationToken);

        Assert.Equal(PlanningOutcome.BudgetExceeded, result.Outcome);
        Assert.Equal(BudgetResource.Time, result.BudgetExceeded!.Resource);
        Assert.True(result.Elapsed < TimeSpan.FromSeconds(4));
    }

    [Fact]
    public async Task CallerCancellation_IsAnOperationCanceledException()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Planner.RunAsync(new SlowChatClient(TimeSpan.FromSeconds(5)), "Slow?", new SelfConsistencyOptions { Paths = 2 }, cts.Token));
    }

    [Fact]
    public async Task UnparsablePath_FallsBackToTheExtractionPrompt()
    {
        var client = new ScriptedChatClient("I reckon it is about a dozen, give or take.", """{"answer": "12"}""");
        var result = await Planner.RunAsync(client, "How many eggs in a dozen?", new SelfConsistencyOptions
        {
            Paths = 1, Format = AnswerFormat.Number, Extraction = AnswerExtraction.ParseThenModel,
        }, TestContext.Current.CancellationToken);

        Assert.Equal("12", result.Answer);
        Assert.Equal(2, result.ModelCalls);
        Assert.Contains("about a dozen", client.Calls[1].Messages[^1].Text, StringComparison.Ordinal);
    }

    private sealed class SlowChatClient(TimeSpan delay) : IChatClient
    {
        public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            await Task.Delay(delay, cancellationToken);
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, "The answer is 1."));
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
