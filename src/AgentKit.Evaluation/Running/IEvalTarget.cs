using AgentKit.Evaluation.Datasets;
using AgentKit.Evaluation.Expectations;
using Microsoft.Extensions.AI;

namespace AgentKit.Evaluation.Running;

/// <summary>What a dataset runs against: a prompt file on a model (<see cref="PromptEvalTarget"/>), an agent (<see cref="AgentEvalTarget"/>), or an application's own set-up.</summary>
public interface IEvalTarget
{
    /// <summary>The target's name for reports (<c>prompt rag/answer</c>, <c>agent shopbot</c>).</summary>
    string Name { get; }

    /// <summary>Starts a fresh conversation (and, for targets with state, a fresh world) for one run of a case.</summary>
    /// <param name="evalCase">The case.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The session; the runner disposes it.</returns>
    ValueTask<IEvalSession> StartAsync(EvalCase evalCase, CancellationToken cancellationToken);
}

/// <summary>One run's conversation with the target.</summary>
public interface IEvalSession : IAsyncDisposable
{
    /// <summary>Sends the user's next message (<see langword="null"/> for a prompt case without one) and returns the turn.</summary>
    /// <param name="userMessage">The message.</param>
    /// <param name="cancellationToken">Cancels the turn.</param>
    /// <returns>The turn's messages and reply.</returns>
    Task<EvalTurn> SendAsync(string? userMessage, CancellationToken cancellationToken);

    /// <summary>Runs an end-state check in code after the conversation.</summary>
    /// <param name="check">The check the case names.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>Whether the world is as the check says.</returns>
    ValueTask<ExpectationResult> CheckEndStateAsync(EndStateCheck check, CancellationToken cancellationToken);
}

/// <summary>One turn: the messages it added to the conversation (the user's included) and the reply.</summary>
/// <param name="Messages">The new messages, in order.</param>
/// <param name="Text">The reply's text.</param>
/// <param name="Error">Why the turn did not complete (a limit, a timeout, a model failure), or <see langword="null"/>.</param>
public sealed record EvalTurn(IReadOnlyList<ChatMessage> Messages, string Text, string? Error = null);

/// <summary>Runs a named end-state check; returns a failed result for names it does not know.</summary>
/// <param name="check">The check.</param>
/// <param name="cancellationToken">Cancels the check.</param>
/// <returns>The result.</returns>
public delegate ValueTask<ExpectationResult> EndStateChecker(EndStateCheck check, CancellationToken cancellationToken);
