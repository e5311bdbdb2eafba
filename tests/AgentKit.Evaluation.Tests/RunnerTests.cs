using AgentKit.Cost.Caching;
using AgentKit.Evaluation.Caching;
using AgentKit.Evaluation.Datasets;
using AgentKit.Evaluation.Expectations;
using AgentKit.Evaluation.Reports;
using AgentKit.Evaluation.Running;
using AgentKit.Prompts;
using AgentKit.Testing;
using Microsoft.Extensions.AI;

namespace AgentKit.Evaluation.Tests;

public sealed class RunnerTests
{
    private static readonly PromptTemplate Capital = PromptTemplate.Parse("""
        ---
        name: Capital
        inputs:
          country: { type: string, required: true }
        ---
        system:
        Answer with the capital only.

        user:
        What is the capital of {{ country }}?
        """, "geo/capital", "geo/capital.prompty");

    private static ScriptedChatClient CapitalModel() => new((messages, _) =>
        new ChatResponse(new ChatMessage(ChatRole.Assistant, messages[^1].Text.Contains("France", StringComparison.Ordinal) ? "Paris" : "Lyon"))
        {
            Usage = new UsageDetails { InputTokenCount = 20, OutputTokenCount = 2 },
        });

    private static EvalDataset CapitalCases() => Datasets.Of(
        """{"id":"fr","group":"europe","inputs":{"country":"France"},"expect":[{"type":"exact","value":"Paris"}]}""",
        """{"id":"it","group":"europe","inputs":{"country":"Italy"},"expect":[{"type":"exact","value":"Rome"}]}""",
        """{"id":"fr-follow","group":"follow-up","inputs":{"country":"France"},"turns":["Are you sure?"],"expect":[{"type":"contains","value":"Lyon"}]}""");

    [Fact]
    public async Task Run_PromptDataset_ReportsPassesFailuresAndTotals()
    {
        var model = CapitalModel();
        var runner = new EvalRunner(new PromptEvalTarget(Capital, new ChatClientBuilder(model).UseEvalMetering().Build()), new EvalRunOptions { MaxParallel = 2 });

        var report = await runner.RunAsync(CapitalCases(), "scripted", cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("prompt geo/capital", report.Target);
        Assert.Equal([1.0, 0.0, 1.0], report.Cases.Select(c => c.SuccessRate));
        var failure = Assert.Single(report.Cases[1].Runs.Single().Results);
        Assert.Equal("the reply was \"Lyon\".", failure.Detail);
        Assert.Equal(2, report.Totals.PassedRuns);
        Assert.Equal(0.5, report.Groups["europe"].PassRate);
        Assert.Equal(0.5, report.Metrics["pass_rate/europe"]);
        Assert.All(report.Cases.SelectMany(c => c.Runs), r => Assert.Equal(1, r.ModelCalls));
        Assert.Equal(20, report.Cases[0].Runs[0].InputTokens);

        // The case's message went in after the rendered prompt.
        var followUp = model.Calls.Single(c => c.Messages.Count == 3);
        Assert.Equal("Are you sure?", followUp.Messages[^1].Text);
        Assert.Equal(ChatRole.System, followUp.Messages[0].Role);
    }

    [Fact]
    public async Task Rerun_WithTheResponseCache_CallsNoModel_AndRepeatsAreSampledSeparately()
    {
        using var folder = new TempFolder();
        var model = CapitalModel();
        var cache = new SqliteDistributedCache(folder.File("cache.db"));
        var client = new ChatClientBuilder(model).UseEvalResponseCache(cache).UseEvalMetering().Build();
        var runner = new EvalRunner(new PromptEvalTarget(Capital, client), new EvalRunOptions { Repeat = 3 });
        var ct = TestContext.Current.CancellationToken;

        var first = await runner.RunAsync(CapitalCases(), "scripted", cancellationToken: ct);
        var modelCalls = model.CallCount;
        var second = await runner.RunAsync(CapitalCases(), "scripted", cancellationToken: ct);

        Assert.Equal(3 * 3, modelCalls);
        Assert.Equal(modelCalls, model.CallCount);
        Assert.All(second.Cases.SelectMany(c => c.Runs), r => Assert.Equal(0, r.ModelCalls));
        Assert.Equal(9, second.Cases.Sum(c => c.Runs.Sum(r => r.CacheHits)));
        Assert.Equal(first.Metrics, second.Metrics);
        Assert.Equal(9, await cache.CountAsync(ct));
    }

    [Fact]
    public async Task Repeat_GivesSuccessRateWithWilsonInterval()
    {
        var calls = 0;
        var flaky = new ScriptedChatClient((_, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, Interlocked.Increment(ref calls) % 4 == 0 ? "Lyon" : "Paris")));
        var runner = new EvalRunner(new PromptEvalTarget(Capital, flaky), new EvalRunOptions { Repeat = 20, MaxParallel = 1 });

        var report = await runner.RunAsync(Datasets.Of("""{"id":"fr","inputs":{"country":"France"},"expect":[{"type":"exact","value":"Paris"}]}"""), "x", cancellationToken: TestContext.Current.CancellationToken);

        var c = Assert.Single(report.Cases);
        Assert.Equal(15, c.PassedRuns);
        Assert.Equal(0.75, c.SuccessRate);
        var (low, high) = WilsonInterval.Compute(15, 20);
        Assert.Equal([low, high], c.Interval);
        Assert.InRange(low, 0.53, 0.54);
        Assert.InRange(high, 0.88, 0.89);
    }

    [Theory]
    [InlineData(0, 10, 0.0, 0.2775)]
    [InlineData(10, 10, 0.7225, 1.0)]
    [InlineData(5, 10, 0.2366, 0.7634)]
    public void Wilson_MatchesPublishedValues(int successes, int runs, double low, double high)
    {
        var interval = WilsonInterval.Compute(successes, runs);

        Assert.Equal(low, interval.Low, 3);
        Assert.Equal(high, interval.High, 3);
    }

    [Fact]
    public async Task ThrowingOrSlowTarget_FailsTheRun_WithTheReason_OthersGoOn()
    {
        var model = new ScriptedChatClient((messages, _) => messages[^1].Text.Contains("Italy", StringComparison.Ordinal)
            ? throw new InvalidOperationException("model down")
            : new ChatResponse(new ChatMessage(ChatRole.Assistant, "Paris")));
        var runner = new EvalRunner(new PromptEvalTarget(Capital, model));

        var report = await runner.RunAsync(CapitalCases(), "x", cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(report.Cases[0].Runs[0].Passed);
        Assert.Equal("InvalidOperationException: model down", report.Cases[1].Runs[0].Error);
        Assert.False(report.Cases[1].Runs[0].Passed);
    }

    [Fact]
    public async Task CaseTimeout_EndsAHangingRun()
    {
        var hanging = new HangingChatClient();
        var runner = new EvalRunner(new PromptEvalTarget(Capital, hanging), new EvalRunOptions { CaseTimeout = TimeSpan.FromMilliseconds(200) });

        var report = await runner.RunAsync(Datasets.Of("""{"id":"fr","inputs":{"country":"France"},"expect":[{"type":"exact","value":"Paris"}]}"""), "x", cancellationToken: TestContext.Current.CancellationToken);

        Assert.Contains("took longer than", report.Cases[0].Runs[0].Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Judge_ScoresWithTheJudgeModel_OnItsPromptFile_AsAnEvaluatorMetric()
    {
        var judge = new ScriptedChatClient("""{"reasoning":"On point.","score":5}""", """{"reasoning":"Invents a fee.","score":2}""");
        var answers = new ScriptedChatClient("Within 30 days.", "Within 30 days, for a 5 EUR fee.");
        var dataset = Datasets.Of(
            """{"id":"a","inputs":{"country":"x"},"input":"How long?","expect":[{"type":"judge","metric":"relevance","min":4}]}""",
            """{"id":"b","inputs":{"country":"x"},"input":"How long?","expect":[{"type":"judge","metric":"groundedness","min":4,"context":"Returns within 30 days of delivery, free of charge."}]}""");
        var runner = new EvalRunner(new PromptEvalTarget(Capital, answers), new EvalRunOptions { Judge = judge, Prompts = RepositoryPrompts.Registry, MaxParallel = 1 });

        var report = await runner.RunAsync(dataset, "x", cancellationToken: TestContext.Current.CancellationToken);

        var relevance = report.Cases[0].Runs[0].Results.Single();
        Assert.True(relevance.Passed);
        Assert.Equal(1.0, relevance.Score);
        var grounded = report.Cases[1].Runs[0].Results.Single();
        Assert.False(grounded.Passed);
        Assert.Equal("Invents a fee.", grounded.Detail);
        Assert.Equal(0.25, report.Metrics["judge/groundedness"]);
        Assert.Contains("Returns within 30 days of delivery, free of charge.", judge.Calls[1].Messages[^1].Text, StringComparison.Ordinal);
        Assert.Contains("5 EUR fee", judge.Calls[1].Messages[^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulator_PlaysTheUser_UntilDone_WithinMaxTurns()
    {
        var user = new ScriptedChatClient("Hi, I want to return my jeans.", "SB-10421, emma.larsen@example.com", "[DONE]");
        var agent = new ScriptedChatClient("Sure, which order and e-mail?", "Done, the label is on its way.");
        var dataset = Datasets.Of("""{"id":"s","inputs":{"country":"x"},"simulator":{"goal":"Return the jeans","persona":"Emma, order SB-10421","max_turns":5},"expect":[{"type":"contains","value":"label"}]}""");
        var runner = new EvalRunner(new PromptEvalTarget(Capital, agent), new EvalRunOptions { UserSimulatorModel = user, Prompts = RepositoryPrompts.Registry });

        var report = await runner.RunAsync(dataset, "x", cancellationToken: TestContext.Current.CancellationToken);

        var run = report.Cases[0].Runs[0];
        Assert.True(run.Passed, run.Error);
        Assert.Equal(2, run.Turns);
        Assert.Contains("Agent: Sure, which order and e-mail?", user.Calls[1].Messages[^1].Text, StringComparison.Ordinal);
        Assert.Contains("Emma, order SB-10421", user.Calls[0].Messages[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulator_WithoutAModel_FailsTheCaseSayingSo()
    {
        var runner = new EvalRunner(new PromptEvalTarget(Capital, CapitalModel()));

        var report = await runner.RunAsync(Datasets.Of("""{"id":"s","simulator":{"goal":"g","persona":"p"},"end_state":[{"check":"x"}]}"""), "x", cancellationToken: TestContext.Current.CancellationToken);

        Assert.Contains("no simulator model", report.Cases[0].Runs[0].Error, StringComparison.Ordinal);
    }

    private sealed class HangingChatClient : IChatClient
    {
        public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
