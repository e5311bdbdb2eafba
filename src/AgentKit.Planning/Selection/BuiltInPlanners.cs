using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AgentKit.Planning;

// The built-in strategies behind IPlanner, over the planners registered in DI: each reads its defaults from PlanningOptions at every run (so reloads
// apply) and lets the request's values win.
internal sealed class ChainOfThoughtStrategy(ChainOfThoughtPlanner planner, IOptionsMonitor<PlanningOptions> options) : IPlanner
{
    public string Name => PlannerNames.ChainOfThought;

    public bool UsesTools => false;

    public async Task<PlanningResult> RunAsync(IChatClient client, PlanningRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var o = options.CurrentValue.ChainOfThought;
        return await planner.RunAsync(client, request.Question, o with { Format = request.Format ?? o.Format, Budget = request.Budget ?? o.Budget }, cancellationToken).ConfigureAwait(false);
    }
}

internal sealed class SelfConsistencyStrategy(SelfConsistencyPlanner planner, IOptionsMonitor<PlanningOptions> options) : IPlanner
{
    public string Name => PlannerNames.SelfConsistency;

    public bool UsesTools => false;

    public async Task<PlanningResult> RunAsync(IChatClient client, PlanningRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var o = options.CurrentValue.SelfConsistency;
        return await planner.RunAsync(client, request.Question, o with { Format = request.Format ?? o.Format, Budget = request.Budget ?? o.Budget }, cancellationToken).ConfigureAwait(false);
    }
}

internal sealed class TreeOfThoughtsStrategy(TreeOfThoughtsPlanner planner, IOptionsMonitor<PlanningOptions> options) : IPlanner
{
    public string Name => PlannerNames.TreeOfThoughts;

    public bool UsesTools => false;

    public async Task<PlanningResult> RunAsync(IChatClient client, PlanningRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var o = options.CurrentValue.TreeOfThoughts;
        return await planner.RunAsync(client, request.ThoughtTask ?? new QuestionThoughtTask(request.Question, request.Format), o with { Budget = request.Budget ?? o.Budget }, cancellationToken).ConfigureAwait(false);
    }
}

internal sealed class ReActStrategy(ReActPlanner planner, IOptionsMonitor<PlanningOptions> options) : IPlanner
{
    public string Name => PlannerNames.ReAct;

    public bool UsesTools => true;

    public async Task<PlanningResult> RunAsync(IChatClient client, PlanningRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var o = options.CurrentValue.ReAct;
        return await planner.RunAsync(client, request.Question, o with
        {
            Tools = request.Tools.Count > 0 ? request.Tools : o.Tools,
            Budget = request.Budget ?? o.Budget,
            Fallback = o.Fallback with { Format = request.Format ?? o.Fallback.Format },
        }, cancellationToken).ConfigureAwait(false);
    }
}

internal sealed class PlanAndExecuteStrategy(PlanAndExecutePlanner planner, IOptionsMonitor<PlanningOptions> options) : IPlanner
{
    public string Name => PlannerNames.PlanAndExecute;

    public bool UsesTools => true;

    public async Task<PlanningResult> RunAsync(IChatClient client, PlanningRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var o = options.CurrentValue.PlanAndExecute;
        return await planner.RunAsync(client, request.Question, o with { Tools = request.Tools.Count > 0 ? request.Tools : o.Tools, Budget = request.Budget ?? o.Budget }, cancellationToken).ConfigureAwait(false);
    }
}

internal sealed class ProgramAidedStrategy(ProgramAidedPlanner planner, IOptionsMonitor<PlanningOptions> options) : IPlanner
{
    public string Name => PlannerNames.ProgramAided;

    public bool UsesTools => false;

    public async Task<PlanningResult> RunAsync(IChatClient client, PlanningRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var o = options.CurrentValue.ProgramAided;
        return await planner.RunAsync(client, request.Question, o with { Format = request.Format ?? o.Format, Budget = request.Budget ?? o.Budget }, cancellationToken).ConfigureAwait(false);
    }
}

internal sealed class SelfCheckStrategy(SelfCheckPlanner planner, IOptionsMonitor<PlanningOptions> options) : IPlanner
{
    public string Name => PlannerNames.SelfCheck;

    public bool UsesTools => false;

    public async Task<PlanningResult> RunAsync(IChatClient client, PlanningRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var o = options.CurrentValue.SelfCheck;
        return await planner.RunAsync(client, request.Question, o with { Format = request.Format ?? o.Format, Budget = request.Budget ?? o.Budget }, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>The critic runs on the keyed chat client named by <see cref="CritiqueOptions.CriticModel"/> (checked at start), else on the answerer's.</summary>
internal sealed class CritiqueStrategy(CritiquePlanner planner, IOptionsMonitor<PlanningOptions> options, IServiceProvider services) : IPlanner
{
    public string Name => PlannerNames.Critique;

    public bool UsesTools => false;

    public async Task<PlanningResult> RunAsync(IChatClient client, PlanningRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var o = options.CurrentValue.Critique;
        var critic = o.CriticModel is { Length: > 0 } key ? services.GetRequiredKeyedService<IChatClient>(key) : null;
        return await planner.RunAsync(client, critic, request.Question, o with { Format = request.Format ?? o.Format, Budget = request.Budget ?? o.Budget }, cancellationToken).ConfigureAwait(false);
    }
}

internal sealed class DebateStrategy(DebatePlanner planner, IOptionsMonitor<PlanningOptions> options) : IPlanner
{
    public string Name => PlannerNames.Debate;

    public bool UsesTools => false;

    public async Task<PlanningResult> RunAsync(IChatClient client, PlanningRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var o = options.CurrentValue.Debate;
        return await planner.RunAsync(client, request.Question, o with { Format = request.Format ?? o.Format, Budget = request.Budget ?? o.Budget }, cancellationToken).ConfigureAwait(false);
    }
}

internal sealed class LeastToMostStrategy(LeastToMostPlanner planner, IOptionsMonitor<PlanningOptions> options) : IPlanner
{
    public string Name => PlannerNames.LeastToMost;

    public bool UsesTools => false;

    public async Task<PlanningResult> RunAsync(IChatClient client, PlanningRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var o = options.CurrentValue.LeastToMost;
        return await planner.RunAsync(client, request.Question, o with { Format = request.Format ?? o.Format, Budget = request.Budget ?? o.Budget }, cancellationToken).ConfigureAwait(false);
    }
}
