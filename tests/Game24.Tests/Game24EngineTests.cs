using AgentKit.LlamaCpp;
using AgentKit.LlamaCpp.Chat;
using AgentKit.Planning;
using AgentKit.Planning.Tests;
using AgentKit.Testing;
using Game24.Puzzle;
using Microsoft.Extensions.AI;

namespace Game24.Tests;

/// <summary>
/// The Game of 24 on a real engine: a generated tiny qwen2 model (random weights). Its proposals are nonsense; what is
/// checked is that only well-formed steps become states and that any answer passes the exact checker.
/// </summary>
public sealed class Game24EngineTests
{
    [Fact]
    public async Task Game24_OnTheEngine_ParsesOnlyValidSteps()
    {
        using var model = await LlamaModel.LoadAsync(TestModelFactory.GetOrCreate(TestModelFactory.TinyQwen2), cancellationToken: TestContext.Current.CancellationToken);
        using var client = new LlamaChatClient(model, new LlamaChatClientOptions
        {
            Context = new LlamaContextOptions { ContextSize = 4096, BatchSize = 512, MicroBatchSize = 512, MaxSequences = 4, Threads = 2, BatchThreads = 2 },
            MaxJsonStringLength = 16,
            DefaultMaxOutputTokens = 24,
        });
        var result = await new TreeOfThoughtsPlanner(RepositoryPrompts.Registry).RunAsync(client, new Game24Task([4, 9, 10, 13]),
            new TreeOfThoughtsOptions { ValueSamples = 1, ChatOptions = new ChatOptions { MaxOutputTokens = 24, Seed = 3 }, Budget = new PlanningBudget { MaxCalls = 6 } },
            TestContext.Current.CancellationToken);

        Assert.InRange(result.ModelCalls, 1, 6);
        Assert.All(result.Tree.Nodes.Skip(1), n => Assert.Matches(@"^\S+ [-+*/] \S+ = \S+ \(left: ", n.State.Steps[^1]));
        Assert.True(result.Answer is null || Game24Expression.Check([4, 9, 10, 13], result.Answer));
    }
}
