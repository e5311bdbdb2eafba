using System.Text.Json;
using AgentKit.Abstractions.Agents;
using AgentKit.Prompts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AgentKit.Planning;

/// <summary>
/// Plugs a planning strategy into an agent (<c>AgentDefinition.Planner</c>): before the agent's model loop, the
/// strategy works on the user's message with the agent's chat client, and its outcome (answer, confidence, plan) is
/// added to the request as guidance rendered from <c>planning/agent-guidance</c>. The strategy is chosen per call by
/// the input message's <see cref="PlannerProperty"/> additional property, else by <see cref="Planner"/>, else by
/// <see cref="PlanningOptions.Agents"/> for the agent's name, else <see cref="PlanningOptions.DefaultPlanner"/>; each a
/// name registered with <c>AddAgentKitPlanner&lt;T&gt;</c>.
/// Needs <c>AddAgentKitPlanning</c> and <c>AddAgentKitPrompts</c>.
/// </summary>
public sealed class PlanningAgentPlanner : IAgentPlanner
{
    /// <summary>The input message's additional property that selects the strategy for one call (a name as in <see cref="IPlannerFactory.Create(string)"/>).</summary>
    public const string PlannerProperty = "agentkit.planner";

    /// <summary>The prompt that turns a planning result into guidance messages.</summary>
    public const string GuidancePrompt = "planning/agent-guidance";

    /// <summary>Creates the planner.</summary>
    /// <param name="planner">A fixed strategy by registered name (<see cref="PlannerNames"/> for the built-ins); <see langword="null"/> takes it from configuration.</param>
    public PlanningAgentPlanner(string? planner = null) => Planner = planner;

    /// <summary>The fixed strategy's name, or <see langword="null"/> to take it from configuration.</summary>
    public string? Planner { get; }

    /// <summary>
    /// Whether ReAct and plan-and-execute may call the agent's allowlisted tools. Their calls run in the agent's tool
    /// pipeline (<see cref="AgentTurnContext.GetToolsAsync"/>): only the allowlisted tools, schema and range checks,
    /// each tool's timeout and result cap, and approval through the application's approval handler for tools that
    /// need it (denied when none is registered; the planner then sees "Error: the call … was denied"). Default: false.
    /// </summary>
    public bool UseAgentTools { get; init; }

    /// <summary>A budget for the planning step. Default: the strategy's configured budget.</summary>
    public PlanningBudget? Budget { get; init; }

    /// <inheritdoc/>
    public async ValueTask PlanTurnAsync(AgentTurnContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var question = context.Input.Text;
        if (string.IsNullOrWhiteSpace(question))
        {
            return;
        }

        var services = context.Services;
        var planner = services.GetRequiredService<IPlannerFactory>().Create(SelectName(context, services.GetRequiredService<IOptionsMonitor<PlanningOptions>>().CurrentValue));
        IReadOnlyList<AIFunction> tools = UseAgentTools && planner.UsesTools
            ? await context.GetToolsAsync(cancellationToken).ConfigureAwait(false)
            : [];
        PlanningResult? result = null;
        await foreach (var update in planner.RunStreamingAsync(context.ChatClient, new PlanningRequest(question) { Tools = tools, Budget = Budget }, cancellationToken).ConfigureAwait(false))
        {
            context.ReportPlannerProgress(Progress(update));
            result = update.Result ?? result;
        }

        if (result is null)
        {
            throw new InvalidOperationException($"The planner '{planner.Name}' ended without a result.");
        }

        var guidance = services.GetRequiredService<IPromptRegistry>().Get(GuidancePrompt).Render(new Dictionary<string, object?>
        {
            ["planner"] = planner.Name,
            ["outcome"] = result.Outcome.ToString(),
            ["answer"] = result.Answer ?? "",
            ["confidence"] = result is SelfConsistencyResult sc ? sc.Confidence : null,
            ["plan"] = result is PlanAndExecuteResult pe && pe.Plans.Count > 0 ? pe.Plans[^1].Steps.Select(s => s.Description).ToList() : new List<string>(),
            ["reason"] = result.Reason ?? "",
        });
        var at = context.RequestMessages.IndexOf(context.Input);
        foreach (var message in guidance)
        {
            if (at < 0)
            {
                context.RequestMessages.Add(message);
            }
            else
            {
                context.RequestMessages.Insert(at++, message);
            }
        }
    }

    /// <summary>A completed step's output on the run's events is cut to this many characters; the trace keeps it whole.</summary>
    internal const int MaxProgressTextChars = 500;

    internal static PlannerProgress Progress(PlanningUpdate update) => new(
        update.Planner,
        SnakeCase(update.Kind.ToString()),
        update.StepKind is { } kind ? SnakeCase(kind.ToString()) : null,
        update.BudgetExceeded is { } exceeded ? exceeded.Resource.ToString() : update.Name,
        update.Kind switch
        {
            PlanningUpdateKind.StepCompleted => Shorten(update.Step!.Output),
            PlanningUpdateKind.BudgetStopped => update.BudgetExceeded!.ToString(),
            _ => update.Text,
        });

    private static string Shorten(string text) => text.Length <= MaxProgressTextChars ? text : string.Concat(text.AsSpan(0, MaxProgressTextChars), "…");

    private static string SnakeCase(string name) => JsonNamingPolicy.SnakeCaseLower.ConvertName(name);

    private string SelectName(AgentTurnContext context, PlanningOptions options)
    {
        if (context.Input.AdditionalProperties?.TryGetValue(PlannerProperty, out var value) == true && value?.ToString() is { } perCall)
        {
            return perCall;
        }

        return Planner ?? (options.Agents.TryGetValue(context.AgentName, out var configured) ? configured : options.DefaultPlanner);
    }
}
