using System.Text.Json;
using System.Text.RegularExpressions;
using AgentKit.Testing;
using Microsoft.Extensions.AI;

namespace AgentKit.Planning.Tests;

/// <summary>DFS on a hand-made tree over the generic prompts: which branches are pruned, followed and backtracked.</summary>
public sealed partial class TreeOfThoughtsDfsTests
{
    // Children per path (steps joined by '/'), and the verdict for each state's last step.
    private static readonly Dictionary<string, string[]> Children = new()
    {
        [""] = ["A", "B", "C"],
        ["A"] = ["A1", "A2"],
        ["B"] = ["B1"],
        ["B/B1"] = ["The answer is 42."],
    };

    private static readonly Dictionary<string, string> Verdicts = new()
    {
        ["A"] = "sure", ["B"] = "likely", ["C"] = "impossible", ["A1"] = "impossible", ["A2"] = "impossible", ["B1"] = "sure",
    };

    private static (ScriptedChatClient Client, List<string> Expanded) CraftedModel()
    {
        var expanded = new List<string>();
        var client = new ScriptedChatClient((messages, _) =>
        {
            var steps = StepLine().Matches(messages[^1].Text).Select(m => m.Groups["s"].Value.Trim()).ToList();
            var path = string.Join('/', steps);
            if (messages[0].Text.Contains("You judge partial solutions", StringComparison.Ordinal))
            {
                return new ChatResponse(new ChatMessage(ChatRole.Assistant, JsonSerializer.Serialize(new { evaluation = "ok", verdict = Verdicts[steps[^1]] })));
            }

            expanded.Add(path);
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, string.Join('\n', Children.GetValueOrDefault(path, []))));
        });
        return (client, expanded);
    }

    private static TreeOfThoughtsOptions Dfs => new()
    {
        Search = ThoughtSearch.Dfs, ValueSamples = 1, ValueThreshold = 1, Depth = 3, MaxConcurrency = 1,
    };

    [Fact]
    public async Task Dfs_PrunesLowValues_BacktracksFromDeadEnds_AndFindsTheSolution()
    {
        var (client, expanded) = CraftedModel();
        var result = await new TreeOfThoughtsPlanner(RepositoryPrompts.Registry).RunAsync(client, new QuestionThoughtTask("What is six times seven?", AnswerFormat.Number), Dfs,
            TestContext.Current.CancellationToken);

        Assert.Equal(PlanningOutcome.Answered, result.Outcome);
        Assert.Equal("42", result.Answer);
        Assert.Equal(["", "A", "B", "B/B1"], expanded);
        ThoughtNode Node(string last) => result.Tree.Nodes.Single(n => n.State.Depth > 0 && n.State.Steps[^1] == last);
        Assert.Equal(ThoughtNodeStatus.Pruned, Node("C").Status);
        Assert.Equal(ThoughtNodeStatus.DeadEnd, Node("A").Status);
        Assert.Equal(ThoughtNodeStatus.Pruned, Node("A1").Status);
        Assert.Equal(ThoughtNodeStatus.Pruned, Node("A2").Status);
        Assert.Equal(ThoughtNodeStatus.Selected, Node("B").Status);
        Assert.Equal(ThoughtNodeStatus.Solution, Node("The answer is 42.").Status);
        Assert.Equal(["B", "B1", "The answer is 42."], result.Tree.ChosenPath.Skip(1).Select(n => n.State.Steps[^1]));
        Assert.Equal(20, Node("A").Score);
        Assert.Equal(1, Node("B").Score);
    }

    [Fact]
    public async Task Dfs_StepCap_EndsTheSearchAsBudgetExceeded()
    {
        var (client, expanded) = CraftedModel();
        var result = await new TreeOfThoughtsPlanner(RepositoryPrompts.Registry).RunAsync(client, new QuestionThoughtTask("What is six times seven?", AnswerFormat.Number),
            Dfs with { MaxDfsSteps = 2 }, TestContext.Current.CancellationToken);

        Assert.Equal(PlanningOutcome.BudgetExceeded, result.Outcome);
        Assert.Equal(BudgetResource.SearchSize, result.BudgetExceeded!.Resource);
        Assert.Equal(["", "A"], expanded);
    }

    [Fact]
    public async Task Dfs_WithAHighThreshold_PrunesEverything_AndReportsNoAnswer()
    {
        var (client, expanded) = CraftedModel();
        var result = await new TreeOfThoughtsPlanner(RepositoryPrompts.Registry).RunAsync(client, new QuestionThoughtTask("What is six times seven?", AnswerFormat.Number),
            Dfs with { ValueThreshold = 50 }, TestContext.Current.CancellationToken);

        Assert.Equal(PlanningOutcome.NoAnswer, result.Outcome);
        Assert.Equal([""], expanded);
        Assert.All(result.Tree.Nodes.Skip(1), n => Assert.Equal(ThoughtNodeStatus.Pruned, n.Status));
    }

    [GeneratedRegex(@"^\d+\. (?<s>.+)$", RegexOptions.Multiline)]
    private static partial Regex StepLine();
}
