using Microsoft.Extensions.AI;

namespace AgentKit.Planning;

/// <summary>What a planner selected at run time (<see cref="IPlanner"/>) is asked to do; unset values take the configured defaults.</summary>
public sealed record PlanningRequest
{
    /// <summary>Creates a request.</summary>
    /// <param name="question">The question, task or goal.</param>
    public PlanningRequest(string question)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(question);
        Question = question;
    }

    /// <summary>The question, task or goal.</summary>
    public string Question { get; }

    /// <summary>Tools for ReAct and plan-and-execute. Default: none.</summary>
    public IReadOnlyList<AIFunction> Tools { get; init; } = [];

    /// <summary>The answer's format (chain-of-thought, self-consistency, Tree-of-Thoughts over a question). Default: the configured one.</summary>
    public AnswerFormat? Format { get; init; }

    /// <summary>The budget. Default: the configured one.</summary>
    public PlanningBudget? Budget { get; init; }

    /// <summary>The Tree-of-Thoughts task. Default: a <see cref="QuestionThoughtTask"/> over <see cref="Question"/>.</summary>
    public IThoughtTask? ThoughtTask { get; init; }
}

/// <summary>A strategy chosen by <see cref="PlannerKind"/>, run through one signature.</summary>
public interface IPlanner
{
    /// <summary>The strategy.</summary>
    PlannerKind Kind { get; }

    /// <summary>Runs the strategy.</summary>
    /// <param name="client">The model.</param>
    /// <param name="request">The question and per-call settings.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    /// <returns>The strategy's result (a <see cref="SelfConsistencyResult"/>, <see cref="TreeOfThoughtsResult"/>, …).</returns>
    Task<PlanningResult> RunAsync(IChatClient client, PlanningRequest request, CancellationToken cancellationToken = default);
}

/// <summary>Creates planners by kind or configuration name; registered by <c>AddAgentKitPlanning</c>.</summary>
public interface IPlannerFactory
{
    /// <summary>The planner configured as the default (<see cref="PlanningOptions.DefaultPlanner"/>).</summary>
    /// <returns>The planner.</returns>
    IPlanner CreateDefault();

    /// <summary>A planner of <paramref name="kind"/> with the configured options.</summary>
    /// <param name="kind">The strategy.</param>
    /// <returns>The planner.</returns>
    IPlanner Create(PlannerKind kind);

    /// <summary>A planner by name: a <see cref="PlannerKind"/> name or an alias (<c>cot</c>, <c>sc</c>, <c>tot</c>, <c>react</c>, <c>plan-execute</c>), case-insensitive.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The planner.</returns>
    /// <exception cref="PlannerNotFoundException">No strategy has that name.</exception>
    IPlanner Create(string name);
}

/// <summary>No planning strategy has the name asked for.</summary>
public sealed class PlannerNotFoundException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PlannerNotFoundException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public PlannerNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public PlannerNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The name that was not found.</summary>
    public string? Name { get; init; }
}
