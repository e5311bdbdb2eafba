using System.Globalization;
using AgentKit.Prompts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentKit.Planning;

/// <summary>
/// Tree-of-Thoughts (Yao et al. 2023): a search over partial solutions (<see cref="ThoughtState"/>) of an
/// <see cref="IThoughtTask"/>, where the model generates candidate next steps (propose or sample) and scores states
/// (value or vote), and the task checks solutions. BFS keeps the best b states per level for T levels; DFS follows the
/// best child above a value threshold, prunes the rest and backtracks from dead ends. Values are cached per state;
/// duplicates of a level score 0. Sibling calls share their prompt prefix and, with
/// <see cref="AgentKit.Abstractions.IMultiSequenceChatClient"/>, go out as one multi-sequence batch.
/// Cost per BFS level: one propose call per kept state (or k samples), plus n value calls per new state (or the votes).
/// </summary>
public sealed class TreeOfThoughtsPlanner
{
    private readonly IPromptRegistry _prompts;
    private readonly ILogger _logger;

    /// <summary>Creates the planner.</summary>
    /// <param name="prompts">Where the prompt files come from.</param>
    /// <param name="logger">Optional logger.</param>
    public TreeOfThoughtsPlanner(IPromptRegistry prompts, ILogger<TreeOfThoughtsPlanner>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        _prompts = prompts;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Searches for a solution of <paramref name="task"/>.</summary>
    /// <param name="client">The model.</param>
    /// <param name="task">The problem.</param>
    /// <param name="options">Options; default <see cref="TreeOfThoughtsOptions"/>.</param>
    /// <param name="cancellationToken">Stops the run (raises <see cref="OperationCanceledException"/>).</param>
    /// <returns>The answer of the solution found (if any), the tree, trace, usage and calls.</returns>
    public async Task<TreeOfThoughtsResult> RunAsync(IChatClient client, IThoughtTask task, TreeOfThoughtsOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(task);
        options ??= new TreeOfThoughtsOptions();
        options.Validate();
        using var run = new PlanningRun(PlannerNames.TreeOfThoughts, client, _prompts, options.Budget, cancellationToken);
        var search = new TreeSearch(run, task, options);
        ThoughtNode? solution = null;
        BudgetExceeded? exceeded = null;
        string? reason = null;
        try
        {
            if (options.Search == ThoughtSearch.Bfs)
            {
                (solution, reason) = await BfsAsync(search, task, options).ConfigureAwait(false);
            }
            else
            {
                var steps = 0;
                solution = await DfsAsync(search, task, options, search.Tree.Root, () => ++steps).ConfigureAwait(false);
                reason = solution is null ? $"every branch was pruned or ended without a solution ({steps} state(s) expanded)" : null;
            }
        }
        catch (BudgetExhaustedException e)
        {
            exceeded = e.Exceeded;
        }
        catch (SearchLimitException e)
        {
            exceeded = run.Meter.Exceeded(BudgetResource.SearchSize, e.Limit);
        }

        if (solution is not null)
        {
            solution.Status = ThoughtNodeStatus.Solution;
            search.Tree.Choose(solution);
        }
        else
        {
            search.Tree.Choose(BestReached(search.Tree));
        }

        return PlanningLog.Finish(_logger, run, new TreeOfThoughtsResult
        {
            Planner = PlannerNames.TreeOfThoughts,
            Outcome = solution is not null ? PlanningOutcome.Answered : exceeded is not null ? PlanningOutcome.BudgetExceeded : PlanningOutcome.NoAnswer,
            Answer = solution is null ? null : task.Answer(solution.State),
            Reason = solution is not null ? null : exceeded?.ToString() ?? reason,
            BudgetExceeded = solution is null ? exceeded : null,
            Tree = search.Tree,
            Solution = solution?.State,
            UsedMultiSequence = search.Batch,
            Batches = run.BatchedRequests,
        });
    }

    private static async Task<(ThoughtNode? Solution, string? Reason)> BfsAsync(TreeSearch search, IThoughtTask task, TreeOfThoughtsOptions options)
    {
        List<ThoughtNode> frontier = [search.Tree.Root];
        var solutions = new List<ThoughtNode>();
        for (var level = 1; level <= options.Depth; level++)
        {
            var candidates = await search.ExpandAsync(frontier).ConfigureAwait(false);
            if (candidates.Count == 0)
            {
                return (Best(solutions), string.Create(CultureInfo.InvariantCulture, $"no valid candidate at depth {level}"));
            }

            var solved = candidates.Where(c => task.IsSolution(c.State)).ToList();
            if (options.StopAtFirstSolution && solved.Count > 0)
            {
                return (solved[0], null);
            }

            await search.ScoreAsync(candidates).ConfigureAwait(false);
            solutions.AddRange(solved);
            frontier = search.Select(candidates);
        }

        var best = Best(solutions);
        return (best, best is null ? string.Create(CultureInfo.InvariantCulture, $"no solution within depth {options.Depth}") : null);
    }

    private static async Task<ThoughtNode?> DfsAsync(TreeSearch search, IThoughtTask task, TreeOfThoughtsOptions options, ThoughtNode node, Func<int> countStep)
    {
        if (node.State.Depth >= options.Depth)
        {
            return null;
        }

        if (countStep() > options.MaxDfsSteps)
        {
            throw new SearchLimitException(options.MaxDfsSteps);
        }

        var children = await search.ExpandAsync([node]).ConfigureAwait(false);
        if (options.StopAtFirstSolution && children.FirstOrDefault(c => task.IsSolution(c.State)) is { } immediate)
        {
            return immediate;
        }

        await search.ScoreAsync(children).ConfigureAwait(false);
        foreach (var child in children.Where(c => c.Status == ThoughtNodeStatus.Candidate && (c.Score ?? 0) < options.ValueThreshold))
        {
            child.Status = ThoughtNodeStatus.Pruned;
        }

        foreach (var child in children.Where(c => c.Status == ThoughtNodeStatus.Candidate).OrderByDescending(c => c.Score ?? 0).ThenBy(c => c.Id))
        {

            if (task.IsSolution(child.State))
            {
                return child;
            }

            child.Status = ThoughtNodeStatus.Selected;
            if (await DfsAsync(search, task, options, child, countStep).ConfigureAwait(false) is { } found)
            {
                return found;
            }

            child.Status = ThoughtNodeStatus.DeadEnd;
        }

        return null;
    }

    private static ThoughtNode? Best(List<ThoughtNode> nodes) =>
        nodes.OrderByDescending(n => n.Score ?? 0).ThenBy(n => n.Id).FirstOrDefault();

    /// <summary>Without a solution, the path shown is to the deepest, best-scored state that was kept.</summary>
    private static ThoughtNode BestReached(ThoughtTree tree) =>
        tree.Nodes.Where(n => n.Status is ThoughtNodeStatus.Selected or ThoughtNodeStatus.DeadEnd)
            .OrderByDescending(n => n.State.Depth).ThenByDescending(n => n.Score ?? 0).ThenBy(n => n.Id)
            .FirstOrDefault() ?? tree.Root;
}
