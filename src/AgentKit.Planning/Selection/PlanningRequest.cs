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

/// <summary>
/// A planning strategy behind one signature, registered by name (<c>AddAgentKitPlanner&lt;T&gt;("name")</c>) and created
/// by <see cref="IPlannerFactory"/>. The built-in strategies are registered the same way.
/// </summary>
public interface IPlanner
{
    /// <summary>The strategy's name (as registered), for logs and guidance.</summary>
    string Name { get; }

    /// <summary>Whether the strategy calls tools (<see cref="PlanningRequest.Tools"/>); others are not handed any.</summary>
    bool UsesTools { get; }

    /// <summary>Runs the strategy.</summary>
    /// <param name="client">The model.</param>
    /// <param name="request">The question and per-call settings.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    /// <returns>The strategy's result (a <see cref="SelfConsistencyResult"/>, <see cref="TreeOfThoughtsResult"/>, …).</returns>
    Task<PlanningResult> RunAsync(IChatClient client, PlanningRequest request, CancellationToken cancellationToken = default);
}

/// <summary>Creates the registered planners by name; registered by <c>AddAgentKitPlanning</c>.</summary>
public interface IPlannerFactory
{
    /// <summary>The names and aliases of the registered planners, as accepted by <see cref="Create(string)"/>.</summary>
    IReadOnlyCollection<string> Names { get; }

    /// <summary>The planner configured as the default (<see cref="PlanningOptions.DefaultPlanner"/>).</summary>
    /// <returns>The planner.</returns>
    IPlanner CreateDefault();

    /// <summary>A planner by its registered name or an alias (<c>cot</c>, <c>sc</c>, <c>tot</c>, <c>react</c>, <c>plan-execute</c>, …), case-insensitive.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The planner.</returns>
    /// <exception cref="PlannerNotFoundException">No planner has that name.</exception>
    IPlanner Create(string name);

    /// <summary>Whether a planner is registered under <paramref name="name"/> (or an alias of it).</summary>
    /// <param name="name">The name.</param>
    /// <returns>Whether <see cref="Create(string)"/> would find it.</returns>
    bool Contains(string? name);
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
