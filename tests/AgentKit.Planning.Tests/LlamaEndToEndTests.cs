using AgentKit.LlamaCpp;
using AgentKit.LlamaCpp.Chat;
using AgentKit.Testing;
using Microsoft.Extensions.AI;

namespace AgentKit.Planning.Tests;

/// <summary>
/// The strategies on a real engine: a generated tiny qwen2 model (random weights) through <see cref="LlamaChatClient"/>.
/// Its answers are nonsense; what is checked is the mechanics: calls, batching through multi-sequence decoding,
/// structured output under grammars, usage and budgets.
/// </summary>
public sealed class LlamaEndToEndTests
{
    private static readonly Lazy<Task<LlamaModel>> Model = new(() => LlamaModel.LoadAsync(TestModelFactory.GetOrCreate(TestModelFactory.TinyQwen2)));

    private static async Task<LlamaChatClient> ClientAsync() => new(await Model.Value, new LlamaChatClientOptions
    {
        Context = new LlamaContextOptions { ContextSize = 4096, BatchSize = 512, MicroBatchSize = 512, MaxSequences = 4, Threads = 2, BatchThreads = 2 },
        MaxJsonStringLength = 16,
        DefaultMaxOutputTokens = 24,
    });

    private static ChatOptions Short(int tokens = 12) => new() { MaxOutputTokens = tokens, Seed = 3 };

    [Fact]
    public async Task SelfConsistency_DecodesAllPathsInOneMultiSequenceBatch()
    {
        using var client = await ClientAsync();
        var planner = new SelfConsistencyPlanner(RepositoryPrompts.Registry);
        var options = new SelfConsistencyOptions { Paths = 4, Extraction = AnswerExtraction.Parse, EarlyStop = false, ChatOptions = Short() };

        var batched = await planner.RunAsync(client, "What is 2 + 2?", options, TestContext.Current.CancellationToken);
        var sequential = await planner.RunAsync(client, "What is 2 + 2?", options with { UseMultiSequence = false, MaxConcurrency = 1 }, TestContext.Current.CancellationToken);

        Assert.True(batched.UsedMultiSequence);
        Assert.Equal(1, batched.Batches);
        Assert.Equal(1, batched.Requests);
        Assert.Equal(4, batched.ModelCalls);
        Assert.Equal(4, batched.Paths.Count);
        Assert.InRange(batched.Usage.OutputTokenCount ?? 0, 4, 4 * 12);
        Assert.False(sequential.UsedMultiSequence);
        Assert.Equal(4, sequential.Requests);
        Assert.Equal(4, sequential.ModelCalls);
        Assert.True(batched.Outcome is PlanningOutcome.Answered or PlanningOutcome.NoAnswer);
    }

    [Fact]
    public async Task Debate_EachRoundIsOneMultiSequenceRequest_OnTheEngine()
    {
        using var client = await ClientAsync();
        var result = await new DebatePlanner(RepositoryPrompts.Registry).RunAsync(client, "What is 2 + 2?",
            new DebateOptions { Agents = 3, Rounds = 2, Extraction = AnswerExtraction.Parse, Format = AnswerFormat.Number, ChatOptions = Short() },
            TestContext.Current.CancellationToken);

        Assert.True(result.UsedMultiSequence);
        Assert.Equal(result.Rounds.Count * 3, result.ModelCalls);
        Assert.Equal(result.Rounds.Count, result.Requests);
        Assert.All(result.Rounds, round => Assert.Equal(3, round.Count));
        Assert.True(result.Usage.OutputTokenCount > 0);
    }

    [Fact]
    public async Task ProgramAided_RunsTheEnginesProgramsInTheSandbox_AndFeedsErrorsBack()
    {
        using var client = await ClientAsync();
        using var sandbox = new AgentKit.Sandbox.JavaScriptSandbox();
        var result = await new ProgramAidedPlanner(RepositoryPrompts.Registry, sandbox).RunAsync(client, "What is 2 + 2?",
            new ProgramAidedOptions { Format = AnswerFormat.Number, MaxAttempts = 2, ChatOptions = Short(16) }, TestContext.Current.CancellationToken);

        Assert.InRange(result.Attempts.Count, 1, 2);
        Assert.Equal(result.Attempts.Count, result.ModelCalls);
        Assert.Equal(result.Attempts.Count, result.Trace.Steps.Count(s => s.Kind == TraceStepKind.ToolCall));
        if (result.Outcome == PlanningOutcome.NoAnswer)
        {
            Assert.All(result.Attempts, a => Assert.False(string.IsNullOrEmpty(a.Error)));
        }
    }

    [Fact]
    public async Task ChainOfThought_TwoStage_RunsTheExtractionUnderItsSchemaGrammar()
    {
        using var client = await ClientAsync();
        var result = await new ChainOfThoughtPlanner(RepositoryPrompts.Registry).RunAsync(client, "What is 2 + 2?",
            new ChainOfThoughtOptions { Format = AnswerFormat.Number, ChatOptions = Short() }, TestContext.Current.CancellationToken);

        Assert.InRange(result.ModelCalls, 2, 3);
        Assert.Equal("planning/cot", result.Trace.Steps[0].Name);
        Assert.Equal("planning/extract-answer", result.Trace.Steps[1].Name);
        Assert.True(result.Usage.TotalTokenCount > 0);
        Assert.NotNull(result.Reasoning);
    }

    [Fact]
    public async Task TreeOfThoughts_BatchesSiblingEvaluations_AndRespectsItsCallBudget()
    {
        using var client = await ClientAsync();
        var result = await new TreeOfThoughtsPlanner(RepositoryPrompts.Registry).RunAsync(client, new QuestionThoughtTask("What is 2 + 2?", AnswerFormat.Number),
            new TreeOfThoughtsOptions { Depth = 2, Breadth = 2, ValueSamples = 1, ProposalsPerState = 3, ChatOptions = Short(16), Budget = new PlanningBudget { MaxCalls = 9 } },
            TestContext.Current.CancellationToken);

        Assert.True(result.UsedMultiSequence);
        Assert.InRange(result.ModelCalls, 1, 9);
        Assert.True(result.Batches >= 1);
        Assert.True(result.Requests <= result.ModelCalls);
        Assert.NotEmpty(result.Tree.Nodes);
        if (result.Outcome == PlanningOutcome.BudgetExceeded)
        {
            Assert.Equal(9, result.ModelCalls);
        }
    }

    [Fact]
    public async Task ReAct_WithATokenBudget_StopsAsBudgetExceeded()
    {
        using var client = await ClientAsync();
        var add = AIFunctionFactory.Create((int a, int b) => a + b, "add", "Adds two integers.");
        var result = await new ReActPlanner(RepositoryPrompts.Registry).RunAsync(client, "What is 2 + 3?",
            new ReActOptions { Tools = [add], MaxSteps = 3, ChatOptions = Short(24), Budget = new PlanningBudget { MaxTokens = 300 } }, TestContext.Current.CancellationToken);

        Assert.Equal(PlanningOutcome.BudgetExceeded, result.Outcome);
        Assert.Equal(BudgetResource.Tokens, result.BudgetExceeded!.Resource);
        Assert.True(result.BudgetExceeded.Tokens >= 300);
        Assert.InRange(result.ModelCalls, 1, 3);
    }
}
