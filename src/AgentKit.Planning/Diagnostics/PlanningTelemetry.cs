using System.Diagnostics;
using System.Diagnostics.Metrics;
using AgentKit.Abstractions.Diagnostics;

namespace AgentKit.Planning;

/// <summary>
/// The <c>AgentKit.Planning</c> source and meter: a <c>planner.run</c> span per strategy run and a <c>planner.step</c>
/// span per trace step (model calls timed; votes, selections, plans and tool observations as instants with their score).
/// </summary>
internal static class PlanningTelemetry
{
    public const string RunActivityName = "planner.run";
    public const string StepActivityName = "planner.step";

    public static ActivitySource Source { get; } = new(AgentKitTelemetry.PlanningSourceName, AgentKitTelemetry.Version);

    public static Meter Meter { get; } = new(AgentKitTelemetry.PlanningSourceName, AgentKitTelemetry.Version);

    /// <summary><c>agentkit.planner.run.duration</c> (s), by strategy and outcome.</summary>
    public static Histogram<double> RunDuration { get; } = Meter.CreateHistogram<double>("agentkit.planner.run.duration", "s", "Duration of planner runs.");

    /// <summary><c>agentkit.planner.model_calls</c>: model completions per planner run, by strategy.</summary>
    public static Histogram<int> ModelCalls { get; } = Meter.CreateHistogram<int>("agentkit.planner.model_calls", "{call}", "Model completions per planner run.");

    public static Activity? StartRun(string strategy)
    {
        var activity = Source.StartActivity(RunActivityName, ActivityKind.Internal);
        if (activity is not null)
        {
            activity.DisplayName = $"{RunActivityName} {strategy}";
            activity.SetTag(TelemetryAttributes.PlannerStrategy, strategy);
        }

        return activity;
    }

    public static Activity? StartStep(string strategy, TraceStepKind kind, string name, int? branch)
    {
        var activity = Source.StartActivity(StepActivityName, ActivityKind.Internal);
        if (activity is not null)
        {
            activity.DisplayName = $"{StepActivityName} {name}";
            activity.SetTag(TelemetryAttributes.PlannerStrategy, strategy);
            activity.SetTag(TelemetryAttributes.PlannerStepKind, kind.ToString());
            activity.SetTag(TelemetryAttributes.PlannerStepName, name);
            activity.SetTag(TelemetryAttributes.PlannerBranch, branch);
        }

        return activity;
    }

    public static void SetUsage(Activity? activity, IReadOnlyList<Microsoft.Extensions.AI.ChatResponse> responses)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag(TelemetryAttributes.InputTokens, responses.Sum(r => r.Usage?.InputTokenCount ?? 0));
        activity.SetTag(TelemetryAttributes.OutputTokens, responses.Sum(r => r.Usage?.OutputTokenCount ?? 0));
        activity.SetTag(TelemetryAttributes.FinishReasons, responses.Select(r => r.FinishReason?.Value ?? "unknown").ToArray());
    }
}
