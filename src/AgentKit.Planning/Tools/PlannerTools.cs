using System.Text.Json;
using AgentKit.Abstractions.Tools;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace AgentKit.Planning;

/// <summary>
/// How ReAct and plan-and-execute offer and call tools: described in their prompts, called through AgentKit's one
/// tool pipeline (<see cref="ToolGovernor"/>), each call and its observation recorded in the run's trace.
/// </summary>
internal static class PlannerTools
{
    public static List<Dictionary<string, object?>> Describe(IReadOnlyList<AIFunction> tools) =>
        [.. tools.Select(t => new Dictionary<string, object?>
        {
            ["name"] = t.Name,
            ["description"] = t.Description,
            ["parameters"] = JsonSerializer.Serialize(t.JsonSchema),
        })];

    /// <summary>
    /// The planner's pipeline over <paramref name="tools"/>: only these tools, results capped at
    /// <paramref name="maxObservationChars"/>. Tools an agent already governs keep the agent's rules (timeouts,
    /// approval, caps).
    /// </summary>
    /// <exception cref="ArgumentException">Two tools have the same name.</exception>
    /// <exception cref="ToolSchemaException">A tool's schema cannot be enforced.</exception>
    public static ToolGovernor Govern(IReadOnlyList<AIFunction> tools, int maxObservationChars) =>
        new(tools, new ToolPipelineOptions { MaxResultLength = maxObservationChars });

    public static async Task<ToolCallOutcome> InvokeAsync(PlanningRun run, ToolGovernor governor, string name, JsonElement arguments, ILogger logger)
    {
        var argumentsText = arguments.ValueKind == JsonValueKind.Undefined ? "{}" : arguments.GetRawText();
        run.StepStarted(TraceStepKind.ToolCall, name);
        ToolCallOutcome outcome;
        if (arguments.ValueKind is not (JsonValueKind.Object or JsonValueKind.Undefined))
        {
            outcome = new(ToolCallStatus.InvalidArguments, $"Error: invalid arguments for tool '{name}': the arguments must be a JSON object, not {arguments.ValueKind}.");
        }
        else
        {
            var values = new AIFunctionArguments();
            if (arguments.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in arguments.EnumerateObject())
                {
                    values[property.Name] = property.Value.Clone();
                }
            }

            outcome = await run.GuardAsync(() => governor.InvokeAsync(name, values, cancellationToken: run.Token).AsTask()).ConfigureAwait(false);
        }

        if (!outcome.Succeeded)
        {
            PlanningLog.ToolFailed(logger, name, outcome.Text);
        }

        run.Trace.Add(TraceStepKind.ToolCall, name, argumentsText, outcome.Text, score: outcome.Succeeded ? 1 : 0);
        return outcome;
    }

    /// <summary>Observations are shown to the model inside a fence; a fence inside the data must not close it.</summary>
    public static string Fence(string observation) => observation.Replace("```", "'''", StringComparison.Ordinal);
}
