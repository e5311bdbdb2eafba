using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AgentKit.Planning;

/// <summary>
/// A built-in strategy behind <see cref="IPlanner"/>, over a planner registered in DI: reads its defaults from
/// <see cref="PlanningOptions"/> at every run (so reloads apply), lets the request's values win, and runs.
/// </summary>
internal sealed class BuiltInPlanner<TOptions>(
    string name,
    bool usesTools,
    IOptionsMonitor<PlanningOptions> options,
    Func<PlanningOptions, TOptions> select,
    Func<TOptions, PlanningRequest, TOptions> merge,
    Func<IChatClient, PlanningRequest, TOptions, CancellationToken, Task<PlanningResult>> run) : IPlanner
{
    public string Name => name;

    public bool UsesTools => usesTools;

    public async Task<PlanningResult> RunAsync(IChatClient client, PlanningRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return await run(client, request, merge(select(options.CurrentValue), request), cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>Registers the ten built-in planners under their names and aliases.</summary>
internal static class BuiltInPlanners
{
    public static void Add(IServiceCollection services)
    {
        Add<ChainOfThoughtPlanner, ChainOfThoughtOptions>(services, PlannerNames.ChainOfThought, ["cot", "ChainOfThought"], false, o => o.ChainOfThought,
            (o, r) => o with { Format = r.Format ?? o.Format, Budget = r.Budget ?? o.Budget },
            (p, _) => async (client, r, o, ct) => await p.RunAsync(client, r.Question, o, ct).ConfigureAwait(false));
        Add<SelfConsistencyPlanner, SelfConsistencyOptions>(services, PlannerNames.SelfConsistency, ["sc", "SelfConsistency"], false, o => o.SelfConsistency,
            (o, r) => o with { Format = r.Format ?? o.Format, Budget = r.Budget ?? o.Budget },
            (p, _) => async (client, r, o, ct) => await p.RunAsync(client, r.Question, o, ct).ConfigureAwait(false));
        Add<TreeOfThoughtsPlanner, TreeOfThoughtsOptions>(services, PlannerNames.TreeOfThoughts, ["tot", "TreeOfThoughts"], false, o => o.TreeOfThoughts,
            (o, r) => o with { Budget = r.Budget ?? o.Budget },
            (p, _) => async (client, r, o, ct) => await p.RunAsync(client, r.ThoughtTask ?? new QuestionThoughtTask(r.Question, r.Format), o, ct).ConfigureAwait(false));
        Add<ReActPlanner, ReActOptions>(services, PlannerNames.ReAct, [], true, o => o.ReAct,
            (o, r) => o with
            {
                Tools = r.Tools.Count > 0 ? r.Tools : o.Tools,
                Budget = r.Budget ?? o.Budget,
                Fallback = o.Fallback with { Format = r.Format ?? o.Fallback.Format },
            },
            (p, _) => async (client, r, o, ct) => await p.RunAsync(client, r.Question, o, ct).ConfigureAwait(false));
        Add<PlanAndExecutePlanner, PlanAndExecuteOptions>(services, PlannerNames.PlanAndExecute, ["plan-execute", "PlanAndExecute"], true, o => o.PlanAndExecute,
            (o, r) => o with { Tools = r.Tools.Count > 0 ? r.Tools : o.Tools, Budget = r.Budget ?? o.Budget },
            (p, _) => async (client, r, o, ct) => await p.RunAsync(client, r.Question, o, ct).ConfigureAwait(false));
        Add<ProgramAidedPlanner, ProgramAidedOptions>(services, PlannerNames.ProgramAided, ["program-aided", "ProgramAided"], false, o => o.ProgramAided,
            (o, r) => o with { Format = r.Format ?? o.Format, Budget = r.Budget ?? o.Budget },
            (p, _) => async (client, r, o, ct) => await p.RunAsync(client, r.Question, o, ct).ConfigureAwait(false));
        Add<SelfCheckPlanner, SelfCheckOptions>(services, PlannerNames.SelfCheck, ["reflexion", "SelfCheck"], false, o => o.SelfCheck,
            (o, r) => o with { Format = r.Format ?? o.Format, Budget = r.Budget ?? o.Budget },
            (p, _) => async (client, r, o, ct) => await p.RunAsync(client, r.Question, o, ct).ConfigureAwait(false));

        // The critic runs on the keyed chat client named by CritiqueOptions.CriticModel (checked at start), else on the answerer's.
        Add<CritiquePlanner, CritiqueOptions>(services, PlannerNames.Critique, [], false, o => o.Critique,
            (o, r) => o with { Format = r.Format ?? o.Format, Budget = r.Budget ?? o.Budget },
            (p, sp) => async (client, r, o, ct) => await p.RunAsync(client, o.CriticModel is { Length: > 0 } key ? sp.GetRequiredKeyedService<IChatClient>(key) : null, r.Question, o, ct).ConfigureAwait(false));
        Add<DebatePlanner, DebateOptions>(services, PlannerNames.Debate, [], false, o => o.Debate,
            (o, r) => o with { Format = r.Format ?? o.Format, Budget = r.Budget ?? o.Budget },
            (p, sp) => async (client, r, o, ct) => await p.RunAsync(client, o.JudgeModel is { Length: > 0 } key ? sp.GetRequiredKeyedService<IChatClient>(key) : null, r.Question, o, ct).ConfigureAwait(false));
        Add<LeastToMostPlanner, LeastToMostOptions>(services, PlannerNames.LeastToMost, ["ltm", "LeastToMost"], false, o => o.LeastToMost,
            (o, r) => o with { Format = r.Format ?? o.Format, Budget = r.Budget ?? o.Budget },
            (p, _) => async (client, r, o, ct) => await p.RunAsync(client, r.Question, o, ct).ConfigureAwait(false));
    }

    private static void Add<TPlanner, TOptions>(
        IServiceCollection services,
        string name,
        string[] aliases,
        bool usesTools,
        Func<PlanningOptions, TOptions> select,
        Func<TOptions, PlanningRequest, TOptions> merge,
        Func<TPlanner, IServiceProvider, Func<IChatClient, PlanningRequest, TOptions, CancellationToken, Task<PlanningResult>>> run)
        where TPlanner : notnull
    {
        services.AddKeyedSingleton<IPlanner>(name, (sp, _) => new BuiltInPlanner<TOptions>(
            name, usesTools, sp.GetRequiredService<IOptionsMonitor<PlanningOptions>>(), select, merge, run(sp.GetRequiredService<TPlanner>(), sp)));
        services.AddSingleton(new PlannerRegistration(name, aliases));
    }
}
