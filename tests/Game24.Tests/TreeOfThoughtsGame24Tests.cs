using System.Text.Json;
using AgentKit.Planning;
using AgentKit.Planning.Tests;
using AgentKit.Testing;
using Game24.Puzzle;

namespace Game24.Tests;

public sealed class TreeOfThoughtsGame24Tests
{
    private static TreeOfThoughtsPlanner Planner => new(RepositoryPrompts.Registry);

    /// <summary>Thirty seeded puzzles of four numbers from 1 to 13, some without a solution.</summary>
    public static TheoryData<int> PuzzleSeeds => [.. Enumerable.Range(0, 30)];

    private static int[] Puzzle(int seed)
    {
        var random = new Random(1000 + seed);
        return [.. Enumerable.Range(0, 4).Select(_ => random.Next(1, 14))];
    }

    [Fact]
    public async Task Bfs_WithOracleProposerAndNoisyValuer_SolvesWhatExhaustiveSearchSolves_WithFewerCalls()
    {
        int solvable = 0, solved = 0, totalCalls = 0, exhaustiveCalls = 0;
        for (var seed = 0; seed < 30; seed++)
        {
            var numbers = Puzzle(seed);
            var oracle = new Game24Oracle(seed, noise: 0.1);
            var client = new ScriptedChatClient(oracle.Respond);
            var task = new Game24Task(numbers);
            var result = await Planner.RunAsync(client, task, new TreeOfThoughtsOptions { Breadth = 5, ValueSamples = 3 }, TestContext.Current.CancellationToken);

            var truth = Game24Solver.Solve(numbers) is not null;
            solvable += truth ? 1 : 0;
            if (truth)
            {
                Assert.True(result.Outcome == PlanningOutcome.Answered, $"{task.Puzzle} is solvable but BFS found nothing: {result.Reason}\n{result.Tree.ToText()}");
                Assert.True(Game24Expression.Check(numbers, result.Answer!), result.Answer);
                solved++;
                var exhaustive = Game24Oracle.ExhaustiveCalls(numbers, 3);
                Assert.True(result.ModelCalls < exhaustive, $"{task.Puzzle}: {result.ModelCalls} calls vs {exhaustive} for exhaustive search");
                totalCalls += result.ModelCalls;
                exhaustiveCalls += exhaustive;
            }
            else
            {
                Assert.Equal(PlanningOutcome.NoAnswer, result.Outcome);
                Assert.Null(result.Answer);
            }

            Assert.Equal(client.Calls.Count, result.ModelCalls);
            Assert.Equal(result.ModelCalls * 60, result.Usage.TotalTokenCount);
        }

        Assert.InRange(solvable, 10, 29);
        Assert.Equal(solvable, solved);
        Assert.True(totalCalls * 5 < exhaustiveCalls, $"BFS made {totalCalls} calls over the solvable puzzles, exhaustive search {exhaustiveCalls}");
    }

    [Fact]
    public async Task Bfs_DuplicateStatesScoreZero_AndValuesAreCachedPerState()
    {
        var oracle = new Game24Oracle(3, noise: 0);
        var client = new ScriptedChatClient(oracle.Respond);
        var result = await Planner.RunAsync(client, new Game24Task([2, 2, 4, 8]), new TreeOfThoughtsOptions { StopAtFirstSolution = false }, TestContext.Current.CancellationToken);

        var level1 = result.Tree.Nodes.Where(n => n.State.Depth == 1).ToList();
        var duplicates = level1.Where(n => n.Status == ThoughtNodeStatus.Duplicate).ToList();
        Assert.NotEmpty(duplicates); // 2 + 2 and 2 * 2 both leave 4 4 8
        Assert.All(duplicates, d => Assert.Equal(0, d.Score));
        var keys = result.Tree.Nodes.Where(n => n.State.Depth > 0 && n.Status != ThoughtNodeStatus.Duplicate && n.Verdicts.Count > 0)
            .Select(n => (n.State.Depth, n.State.Current)).ToList();
        // One value evaluation (3 samples) per distinct state, however often it was reached.
        Assert.Equal(oracle.ValueCalls, 3 * result.Tree.Nodes.Where(n => n.State.Depth > 0 && n.Verdicts.Count > 0 && n.Status != ThoughtNodeStatus.Duplicate)
            .Select(n => n.State.Current).Distinct().Count());
        Assert.Equal(PlanningOutcome.Answered, result.Outcome);
        Assert.NotEmpty(keys);
    }

    [Fact]
    public async Task Bfs_VoteEvaluator_AndSampleGenerator_AlsoSolve()
    {
        var numbers = new[] { 4, 9, 10, 13 };
        var vote = await Planner.RunAsync(new ScriptedChatClient(new Game24Oracle(1, 0).Respond), new Game24Task(numbers),
            new TreeOfThoughtsOptions { Evaluator = ThoughtEvaluator.Vote, VoteSamples = 3 }, TestContext.Current.CancellationToken);
        Assert.True(vote.Outcome == PlanningOutcome.Answered, vote.Reason + "\n" + vote.Tree.ToText());
        Assert.True(Game24Expression.Check(numbers, vote.Answer!));
        Assert.Contains(vote.Tree.Nodes, n => n.Verdicts.Any(v => v.Contains("votes", StringComparison.Ordinal)));

        var sample = await Planner.RunAsync(new ScriptedChatClient(new Game24Oracle(2, 0).Respond), new Game24Task(numbers),
            new TreeOfThoughtsOptions { Generator = ThoughtGenerator.Sample, SamplesPerState = 5, Selection = ThoughtSelection.Sample, Seed = 5 }, TestContext.Current.CancellationToken);
        Assert.True(sample.Outcome == PlanningOutcome.Answered, sample.Reason + "\n" + sample.Tree.ToText());
        Assert.True(Game24Expression.Check(numbers, sample.Answer!));
    }

    [Fact]
    public async Task Bfs_WithMultiSequenceClient_BatchesSiblingValueCallsThatShareTheirPrefix()
    {
        var oracle = new Game24Oracle(4, noise: 0.1);
        var client = new ScriptedMultiSequenceChatClient(oracle.Respond, maxSequences: 8);
        var result = await Planner.RunAsync(client, new Game24Task([4, 9, 10, 13]), new TreeOfThoughtsOptions(), TestContext.Current.CancellationToken);

        Assert.Equal(PlanningOutcome.Answered, result.Outcome);
        Assert.True(result.UsedMultiSequence);
        Assert.Empty(client.Calls);
        Assert.Equal(client.Batches.Count, result.Batches);
        Assert.Equal(client.Batches.Sum(b => b.Conversations.Count), result.ModelCalls);
        Assert.All(client.Batches, b =>
        {
            Assert.InRange(b.Conversations.Count, 1, 8);
            // Siblings differ only in their last message: the rendered prefix (system, examples) is identical.
            var prefix = b.Conversations[0].Take(b.Conversations[0].Count - 1).Select(m => m.Text).ToList();
            Assert.All(b.Conversations, c => Assert.Equal(prefix, c.Take(c.Count - 1).Select(m => m.Text)));
        });
        Assert.Contains(client.Batches, b => b.Conversations.Count == 8);
    }

    [Fact]
    public async Task Budgets_StopTheSearch()
    {
        var numbers = new[] { 4, 9, 10, 13 };
        var calls = await Planner.RunAsync(new ScriptedChatClient(new Game24Oracle(1, 0).Respond), new Game24Task(numbers),
            new TreeOfThoughtsOptions { Budget = new PlanningBudget { MaxCalls = 7 } }, TestContext.Current.CancellationToken);
        Assert.Equal(PlanningOutcome.BudgetExceeded, calls.Outcome);
        Assert.Equal(BudgetResource.Calls, calls.BudgetExceeded!.Resource);
        Assert.Equal(7, calls.ModelCalls);

        var nodes = await Planner.RunAsync(new ScriptedChatClient(new Game24Oracle(1, 0).Respond), new Game24Task(numbers),
            new TreeOfThoughtsOptions { MaxNodes = 10 }, TestContext.Current.CancellationToken);
        Assert.Equal(BudgetResource.SearchSize, nodes.BudgetExceeded!.Resource);
        Assert.Equal(10, nodes.Tree.Nodes.Count);
    }

    [Fact]
    public async Task Tree_ExportsAsJsonWithParentLinks_AndPrintsTheChosenPath()
    {
        var numbers = new[] { 4, 9, 10, 13 };
        var result = await Planner.RunAsync(new ScriptedChatClient(new Game24Oracle(1, 0).Respond), new Game24Task(numbers), null, TestContext.Current.CancellationToken);

        using var json = JsonDocument.Parse(result.Tree.ToJson());
        var nodes = json.RootElement.GetProperty("nodes").EnumerateArray().ToList();
        Assert.Equal(result.Tree.Nodes.Count, nodes.Count);
        Assert.Equal(JsonValueKind.Null, nodes[0].GetProperty("parent").ValueKind);
        Assert.All(nodes.Skip(1), n => Assert.True(n.GetProperty("parent").GetInt32() < n.GetProperty("id").GetInt32()));
        var path = json.RootElement.GetProperty("chosenPath").EnumerateArray().Select(e => e.GetInt32()).ToList();
        Assert.Equal(4, path.Count);
        Assert.Equal(0, path[0]);
        Assert.Equal("solution", nodes[path[^1]].GetProperty("status").GetString());
        Assert.Equal("24", nodes[path[^1]].GetProperty("current").GetString());

        var text = result.Tree.ToText();
        Assert.StartsWith("* [0] (root) 4 9 10 13", text, StringComparison.Ordinal);
        Assert.Equal(4, text.Split('\n').Count(l => l.TrimStart().StartsWith("* [", StringComparison.Ordinal)));
        Assert.Contains("score=", text, StringComparison.Ordinal);
    }
}
