using Microsoft.Extensions.AI;

namespace AgentKit.Planning;

/// <summary>What one step of a run was: a model call, a tool call, a vote or a search decision.</summary>
public enum TraceStepKind
{
    /// <summary>A model completion.</summary>
    ModelCall,

    /// <summary>A tool was invoked (or refused) and returned an observation.</summary>
    ToolCall,

    /// <summary>A plan was made or revised.</summary>
    Plan,

    /// <summary>A decision the strategy made without the model: a vote count, a selection, a pruned branch, a fallback.</summary>
    Decision,
}

/// <summary>One step of a run.</summary>
/// <param name="Index">Position in the trace, from 0.</param>
/// <param name="Kind">What the step was.</param>
/// <param name="Name">The prompt name for model calls (<c>planning/cot</c>), the tool for tool calls, a short label otherwise.</param>
/// <param name="Input">The rendered prompt (messages as <c>role: text</c> lines), the tool's arguments, or the decision's input.</param>
/// <param name="Output">The model's text, the observation, or the decision.</param>
/// <param name="Score">A score attached to the step (a state value, a vote share), when there is one.</param>
/// <param name="Usage">The tokens of a model call.</param>
public sealed record TraceStep(int Index, TraceStepKind Kind, string Name, string Input, string Output, double? Score = null, UsageDetails? Usage = null);

/// <summary>The steps of a run in the order they happened. Thread-safe to append.</summary>
public sealed class PlanningTrace
{
    private readonly Lock _lock = new();
    private readonly List<TraceStep> _steps = [];

    /// <summary>The steps so far.</summary>
    public IReadOnlyList<TraceStep> Steps
    {
        get
        {
            lock (_lock)
            {
                return [.. _steps];
            }
        }
    }

    /// <summary>Appends a step.</summary>
    /// <param name="kind">What the step was.</param>
    /// <param name="name">Prompt, tool or label.</param>
    /// <param name="input">What went in.</param>
    /// <param name="output">What came out.</param>
    /// <param name="score">An optional score.</param>
    /// <param name="usage">Tokens of a model call.</param>
    /// <returns>The step.</returns>
    public TraceStep Add(TraceStepKind kind, string name, string input, string output, double? score = null, UsageDetails? usage = null)
    {
        TraceStep step;
        lock (_lock)
        {
            step = new TraceStep(_steps.Count, kind, name, input, output, score, usage);
            _steps.Add(step);
        }

        StepAdded?.Invoke(step);
        return step;
    }

    /// <summary>Told of every step appended (the run's telemetry); called outside the lock.</summary>
    internal Action<TraceStep>? StepAdded { get; set; }

    internal static string Format(IEnumerable<ChatMessage> messages) =>
        string.Join("\n", messages.Select(m => $"{m.Role.Value}: {m.Text}"));
}
