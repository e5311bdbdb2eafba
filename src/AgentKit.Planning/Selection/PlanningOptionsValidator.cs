using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AgentKit.Planning;

/// <summary>Checks <see cref="PlanningOptions"/> at start-up: planner names and each strategy's ranges, naming the configuration key.</summary>
internal sealed class PlanningOptionsValidator(IEnumerable<PlannerRegistration> registrations, IServiceProviderIsKeyedService? keyedServices = null) : IValidateOptions<PlanningOptions>
{
    private const string Section = PlanningOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, PlanningOptions options)
    {
        var names = registrations.SelectMany(r => r.Aliases.Prepend(r.Name)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var failures = new List<string>();
        if (!names.Contains(options.DefaultPlanner?.Trim() ?? string.Empty))
        {
            failures.Add($"{Section}:DefaultPlanner: no planner is named '{options.DefaultPlanner}'. {Known(names)}");
        }

        foreach (var (agent, planner) in options.Agents)
        {
            if (!names.Contains(planner.Trim()))
            {
                failures.Add($"{Section}:Agents:{agent}: no planner is named '{planner}'. {Known(names)}");
            }
        }

        Check(failures, nameof(PlanningOptions.ChainOfThought), options.ChainOfThought.Budget.Validate);
        Check(failures, nameof(PlanningOptions.SelfConsistency), () => { options.SelfConsistency.Validate(); options.SelfConsistency.Budget.Validate(); });
        Check(failures, nameof(PlanningOptions.TreeOfThoughts), () => { options.TreeOfThoughts.Validate(); options.TreeOfThoughts.Budget.Validate(); });
        Check(failures, nameof(PlanningOptions.ReAct), () => { options.ReAct.Validate(); options.ReAct.Budget.Validate(); });
        Check(failures, nameof(PlanningOptions.PlanAndExecute), () => { options.PlanAndExecute.Validate(); options.PlanAndExecute.Budget.Validate(); });
        Check(failures, nameof(PlanningOptions.ProgramAided), () => { options.ProgramAided.Validate(); options.ProgramAided.Budget.Validate(); });
        Check(failures, nameof(PlanningOptions.SelfCheck), () => { options.SelfCheck.Validate(); options.SelfCheck.Budget.Validate(); });
        Check(failures, nameof(PlanningOptions.Critique), () => { options.Critique.Validate(); options.Critique.Budget.Validate(); });
        Check(failures, nameof(PlanningOptions.Debate), () => { options.Debate.Validate(); options.Debate.Budget.Validate(); });
        Check(failures, nameof(PlanningOptions.LeastToMost), () => { options.LeastToMost.Validate(); options.LeastToMost.Budget.Validate(); });
        if (options.Critique.CriticModel is { Length: > 0 } critic && keyedServices?.IsKeyedService(typeof(IChatClient), critic) == false)
        {
            failures.Add($"{Section}:Critique:CriticModel: no chat client is registered under the key '{critic}'; register a keyed IChatClient (AgentKit:Models) or remove the setting to use the answerer's model.");
        }

        if (options.Debate.JudgeModel is { Length: > 0 } judge && keyedServices?.IsKeyedService(typeof(IChatClient), judge) == false)
        {
            failures.Add($"{Section}:Debate:JudgeModel: no chat client is registered under the key '{judge}'; register a keyed IChatClient (AgentKit:Models) or remove the setting to use the agents' model.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The sentence listing the registered planner names, for messages about an unknown one.</summary>
    internal static string Known(IEnumerable<string> names) =>
        $"Registered planners: {string.Join(", ", names.Order(StringComparer.OrdinalIgnoreCase))} (add one with AddAgentKitPlanner<T>(name)).";

    private static void Check(List<string> failures, string strategy, Action validate)
    {
        try
        {
            validate();
        }
        catch (ArgumentException e)
        {
            failures.Add($"{Section}:{strategy}:{e.ParamName}: {e.Message.Split('\n')[0]}");
        }
    }
}
