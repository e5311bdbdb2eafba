using System.Globalization;
using System.Text;
using AgentKit.AgentFramework;
using AgentKit.Agents;
using Microsoft.Agents.AI;
using Microsoft.Agents.AI.Workflows;

namespace Debate;

/// <summary>One argument in the debate.</summary>
/// <param name="Round">The round, from 1.</param>
/// <param name="Speaker">The agent's name.</param>
/// <param name="Text">What it argued.</param>
public sealed record DebateTurn(int Round, string Speaker, string Text);

/// <summary>The debate as it passes between the executors: the topic and every argument so far.</summary>
/// <param name="Topic">The motion under debate.</param>
/// <param name="Turns">The arguments, in order.</param>
public sealed record DebateState(string Topic, IReadOnlyList<DebateTurn> Turns)
{
    /// <summary>The round of the latest argument; 0 before the first.</summary>
    public int Round => Turns.Count == 0 ? 0 : Turns[^1].Round;
}

/// <summary>The workflow's output: the whole debate and the judge's verdict.</summary>
/// <param name="Topic">The motion.</param>
/// <param name="Turns">The arguments, in order.</param>
/// <param name="Verdict">The judge's answer.</param>
public sealed record DebateVerdict(string Topic, IReadOnlyList<DebateTurn> Turns, string Verdict);

/// <summary>Raised as each argument is made, so a caller can show the debate live.</summary>
public sealed class DebateTurnEvent(DebateTurn turn) : WorkflowEvent(turn)
{
    /// <summary>The argument.</summary>
    public DebateTurn Turn { get; } = turn;
}

/// <summary>The workflow did not produce a verdict: an executor failed, or the run ended without output.</summary>
public sealed class DebateFailedException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// A debate between agents as a Microsoft Agent Framework workflow built from explicit executors:
/// <c>proponent → opponent</c>, back to the proponent while rounds remain, then <c>opponent → judge</c>, whose verdict is
/// the workflow's output. Any <see cref="AIAgent"/> can take a part; the sample uses AgentKit agents
/// (<c>AgentKitAIAgent</c>), whose sessions keep each debater's own history in AgentKit's session store.
/// </summary>
public static class DebateWorkflow
{
    /// <summary>The most rounds a debate may have.</summary>
    public const int MaxRounds = 10;

    /// <summary>Builds the workflow for one debate (executors keep the debaters' sessions, so build one per debate).</summary>
    /// <param name="proponent">Argues for the motion; speaks first in each round.</param>
    /// <param name="opponent">Argues against it.</param>
    /// <param name="judge">Reads the whole debate and gives the verdict.</param>
    /// <param name="rounds">Rounds of one argument each (1–<see cref="MaxRounds"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rounds"/> is out of range.</exception>
    public static Workflow Build(AIAgent proponent, AIAgent opponent, AIAgent judge, int rounds)
    {
        ArgumentNullException.ThrowIfNull(proponent);
        ArgumentNullException.ThrowIfNull(opponent);
        ArgumentNullException.ThrowIfNull(judge);
        if (rounds is < 1 or > MaxRounds)
        {
            throw new ArgumentOutOfRangeException(nameof(rounds), rounds, $"A debate has 1 to {MaxRounds} rounds, not {rounds}.");
        }

        var pro = new DebaterExecutor("proponent", proponent, "for", opensRound: true);
        var con = new DebaterExecutor("opponent", opponent, "against", opensRound: false);
        var verdict = new JudgeExecutor("judge", judge);
        return new WorkflowBuilder(pro)
            .AddEdge(pro, con)
            .AddEdge<DebateState>(con, pro, state => state!.Round < rounds)
            .AddEdge<DebateState>(con, verdict, state => state!.Round >= rounds)
            .WithOutputFrom(verdict)
            .Build();
    }

    /// <summary>Runs a debate to its verdict, reporting each argument as it is made.</summary>
    /// <param name="workflow">A workflow from <see cref="Build"/>.</param>
    /// <param name="topic">The motion.</param>
    /// <param name="onTurn">Called with each argument; may be null.</param>
    /// <param name="cancellationToken">Stops the debate.</param>
    /// <returns>The verdict.</returns>
    /// <exception cref="DebateFailedException">An agent failed, or the workflow ended without a verdict.</exception>
    public static async Task<DebateVerdict> RunAsync(Workflow workflow, string topic, Action<DebateTurn>? onTurn = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        await using var run = await InProcessExecution.RunStreamingAsync(workflow, new DebateState(topic.Trim(), []), cancellationToken: cancellationToken).ConfigureAwait(false);
        await foreach (var evt in run.WatchStreamAsync(cancellationToken).ConfigureAwait(false))
        {
            switch (evt)
            {
                case DebateTurnEvent turn:
                    onTurn?.Invoke(turn.Turn);
                    break;
                case WorkflowOutputEvent { Data: DebateVerdict verdict }:
                    return verdict;
                case ExecutorFailedEvent failed:
                    throw new DebateFailedException($"The debate's '{failed.ExecutorId}' step failed: {(failed.Data as Exception)?.Message}", failed.Data as Exception);
                case WorkflowErrorEvent error:
                    throw new DebateFailedException($"The debate workflow failed: {(error.Data as Exception)?.Message}", error.Data as Exception);
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        throw new DebateFailedException("The debate workflow ended without a verdict.");
    }

    // An AgentKit run that fails (a model error, a limit) is a result, not an exception: its outcome is checked here so
    // that the debate stops with the reason instead of carrying an empty argument on.
    private static string TextOf(AgentResponse answer, string speaker)
    {
        if (answer.AdditionalProperties?.TryGetValue(AgentKitAIAgent.RunResultKey, out var value) == true && value is AgentRunResult { Outcome: not AgentRunOutcome.Completed } result)
        {
            throw new DebateFailedException($"The agent '{speaker}' did not complete its turn: {result.Outcome}{(result.Error is null ? "" : ": " + result.Error)}");
        }

        var text = answer.Text.Trim();
        return text.Length > 0 ? text : throw new DebateFailedException($"The agent '{speaker}' answered nothing.");
    }

    private sealed class DebaterExecutor(string id, AIAgent agent, string side, bool opensRound) : Executor<DebateState, DebateState>(id)
    {
        private Microsoft.Agents.AI.AgentSession? _session;

        public override async ValueTask<DebateState> HandleAsync(DebateState message, IWorkflowContext context, CancellationToken cancellationToken = default)
        {
            _session ??= await agent.CreateSessionAsync(cancellationToken).ConfigureAwait(false);
            var round = opensRound ? message.Round + 1 : message.Round;
            var prompt = message.Turns.Count == 0
                ? $"Motion: {message.Topic}\nYou argue {side} the motion. Give your opening argument in at most three sentences."
                : $"Round {round.ToString(CultureInfo.InvariantCulture)}. Your opponent argued:\n{message.Turns[^1].Text}\nYou argue {side} the motion \"{message.Topic}\". Answer their point in at most three sentences.";
            var answer = await agent.RunAsync(prompt, _session, cancellationToken: cancellationToken).ConfigureAwait(false);
            var turn = new DebateTurn(round, agent.Name ?? Id, TextOf(answer, agent.Name ?? Id));
            await context.AddEventAsync(new DebateTurnEvent(turn), cancellationToken).ConfigureAwait(false);
            return message with { Turns = [.. message.Turns, turn] };
        }
    }

    private sealed class JudgeExecutor(string id, AIAgent agent) : Executor<DebateState, DebateVerdict>(id)
    {
        public override async ValueTask<DebateVerdict> HandleAsync(DebateState message, IWorkflowContext context, CancellationToken cancellationToken = default)
        {
            var transcript = new StringBuilder().Append(CultureInfo.InvariantCulture, $"Motion: {message.Topic}\n\nThe debate:\n");
            foreach (var turn in message.Turns)
            {
                transcript.Append(CultureInfo.InvariantCulture, $"[round {turn.Round}] {turn.Speaker}: {turn.Text}\n");
            }

            transcript.Append("\nWhich side argued better? Name the winner on the first line, then give your reason in one or two sentences.");
            var answer = await agent.RunAsync(transcript.ToString(), cancellationToken: cancellationToken).ConfigureAwait(false);
            return new DebateVerdict(message.Topic, message.Turns, TextOf(answer, agent.Name ?? Id));
        }
    }
}
