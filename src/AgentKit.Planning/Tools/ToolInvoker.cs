using System.Globalization;
using System.Text.Json;
using AgentKit.Abstractions.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace AgentKit.Planning;

/// <summary>What a tool call gave back.</summary>
/// <param name="Observation">The text the model sees next.</param>
/// <param name="Failed">Whether the call failed (unknown tool, bad arguments, the tool threw).</param>
internal sealed record ToolOutcome(string Observation, bool Failed);

/// <summary>
/// Runs the tool a model asked for, turning every failure into an observation the model can act on (an unknown
/// tool names the real ones; bad arguments quote the schema errors; a tool's exception gives its message).
/// </summary>
internal static class ToolInvoker
{
    public static List<Dictionary<string, object?>> Describe(IReadOnlyList<AIFunction> tools) =>
        [.. tools.Select(t => new Dictionary<string, object?>
        {
            ["name"] = t.Name,
            ["description"] = t.Description,
            ["parameters"] = JsonSerializer.Serialize(t.JsonSchema),
        })];

    public static void Validate(IReadOnlyList<AIFunction> tools)
    {
        ArgumentNullException.ThrowIfNull(tools);
        var duplicate = tools.GroupBy(t => t.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Two tools are named '{duplicate.Key}'; tool names must be unique.", nameof(tools));
        }
    }

    public static async Task<ToolOutcome> InvokeAsync(PlanningRun run, IReadOnlyList<AIFunction> tools, string name, JsonElement arguments, int maxChars, ILogger logger)
    {
        var argumentsText = arguments.ValueKind == JsonValueKind.Undefined ? "{}" : arguments.GetRawText();
        var outcome = await InvokeCoreAsync(run, tools, name, arguments).ConfigureAwait(false);
        if (outcome.Failed)
        {
            PlanningLog.ToolFailed(logger, name, outcome.Observation);
        }

        var observation = outcome.Observation.Length <= maxChars
            ? outcome.Observation
            : string.Create(CultureInfo.InvariantCulture, $"{outcome.Observation[..maxChars]}… ({outcome.Observation.Length - maxChars} more characters cut)");
        run.Trace.Add(TraceStepKind.ToolCall, name, argumentsText, observation, score: outcome.Failed ? 0 : 1);
        return outcome with { Observation = observation };
    }

    /// <summary>Observations are shown to the model inside a fence; a fence inside the data must not close it.</summary>
    public static string Fence(string observation) => observation.Replace("```", "'''", StringComparison.Ordinal);

    private static async Task<ToolOutcome> InvokeCoreAsync(PlanningRun run, IReadOnlyList<AIFunction> tools, string name, JsonElement arguments)
    {
        var tool = tools.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.Ordinal))
            ?? tools.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase));
        if (tool is null)
        {
            return new($"Unknown tool '{name}'. The tools are: {string.Join(", ", tools.Select(t => t.Name))}.", true);
        }

        if (arguments.ValueKind is not (JsonValueKind.Object or JsonValueKind.Undefined))
        {
            return new($"The arguments for '{tool.Name}' must be a JSON object, not {arguments.ValueKind}.", true);
        }

        var problems = arguments.ValueKind == JsonValueKind.Object ? JsonSchemaValidator.Validate(tool.JsonSchema, arguments) : [];
        if (problems.Count > 0)
        {
            return new($"The arguments do not fit tool '{tool.Name}': {string.Join("; ", problems)}. Its arguments schema: {JsonSerializer.Serialize(tool.JsonSchema)}", true);
        }

        var values = new AIFunctionArguments();
        if (arguments.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in arguments.EnumerateObject())
            {
                values[property.Name] = property.Value.Clone();
            }
        }

        try
        {
            var result = await run.GuardAsync(() => tool.InvokeAsync(values, run.Token).AsTask()).ConfigureAwait(false);
            return new(Render(result), false);
        }
        catch (Exception e) when (e is ArgumentException or JsonException or FormatException or InvalidCastException)
        {
            return new($"The arguments do not fit tool '{tool.Name}': {e.Message}", true);
        }
        catch (Exception e) when (e is not OperationCanceledException and not BudgetExhaustedException)
        {
            return new($"Tool '{tool.Name}' failed: {e.Message}", true);
        }
    }

    private static string Render(object? result) => result switch
    {
        null => "(no result)",
        string s => s,
        JsonElement json => json.ValueKind == JsonValueKind.String ? json.GetString()! : json.GetRawText(),
        _ => JsonSerializer.Serialize(result, AIJsonUtilities.DefaultOptions.GetTypeInfo(result.GetType())),
    };
}
