using System.Text.Json;
using Microsoft.Extensions.AI;

namespace AgentKit.Agents.Checkpoints;

/// <summary>What a checkpoint records.</summary>
public enum RunCheckpointKind
{
    /// <summary>A model response, its tool calls included (payload: the <see cref="ChatResponse"/> as JSON).</summary>
    ModelResponse = 1,

    /// <summary>A tool call is about to run (payload: its arguments as a JSON object).</summary>
    ToolCallStarted = 2,

    /// <summary>A tool call's result (payload: <c>{"status": …, "text": …}</c>).</summary>
    ToolCallCompleted = 3,

    /// <summary>A call waits for a person (payload: <c>{"approvalId": …, "reason": …}</c>).</summary>
    ApprovalRequested = 4,

    /// <summary>A person (or the approval timeout) decided (payload: <c>{"approved": …, "reason": …}</c>).</summary>
    ApprovalAnswered = 5,

    /// <summary>The run ended (payload: <c>{"outcome": …}</c>); its messages are in the session history.</summary>
    Completed = 6,
}

/// <summary>Whether a run finished.</summary>
public enum RunState
{
    /// <summary>Started and not finished: running now, or its process died.</summary>
    Running = 0,

    /// <summary>Finished; its messages are in the session history.</summary>
    Finished = 1,
}

/// <summary>A checkpoint to append (see <see cref="IRunCheckpointStore.AppendAsync"/>).</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Step">The model step (1-based) the checkpoint belongs to.</param>
/// <param name="CallId">The tool call's id, for tool and approval checkpoints.</param>
/// <param name="ToolName">The tool's name, for tool and approval checkpoints.</param>
/// <param name="Payload">JSON text; its shape depends on <paramref name="Kind"/>.</param>
public sealed record RunCheckpointData(RunCheckpointKind Kind, int Step, string? CallId, string? ToolName, string Payload)
{
    /// <summary>The longest payload a store accepts (4 MiB of text): a model response or tool result over it is refused, not truncated.</summary>
    public const int MaxPayloadLength = 4 * 1024 * 1024;

    /// <summary>Throws when the payload is over <see cref="MaxPayloadLength"/>.</summary>
    /// <param name="runId">The run, for the message.</param>
    /// <exception cref="RunCheckpointException">The payload is too long.</exception>
    public void Validate(string runId)
    {
        if (Payload.Length > MaxPayloadLength)
        {
            throw new RunCheckpointException($"The {Kind} checkpoint of run '{runId}' (step {Step}) is {Payload.Length} characters, over the limit of {MaxPayloadLength} (RunCheckpointData.MaxPayloadLength).");
        }
    }
}

/// <summary>A stored checkpoint.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Sequence">Its position in the run (1, 2, …).</param>
/// <param name="Kind">What happened.</param>
/// <param name="Step">The model step it belongs to.</param>
/// <param name="CallId">The tool call's id, for tool and approval checkpoints.</param>
/// <param name="ToolName">The tool's name, for tool and approval checkpoints.</param>
/// <param name="Payload">JSON text.</param>
/// <param name="CreatedAt">When it was written.</param>
public sealed record RunCheckpoint(string RunId, long Sequence, RunCheckpointKind Kind, int Step, string? CallId, string? ToolName, string Payload, DateTimeOffset CreatedAt);

/// <summary>A stored run.</summary>
/// <param name="RunId">The run's id (the <c>RunId</c> of its events and result).</param>
/// <param name="SessionId">Its session.</param>
/// <param name="AgentName">Its agent.</param>
/// <param name="Input">The user's message that started it.</param>
/// <param name="HistoryCount">How many messages the session history held when the run started (a fork keeps these).</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="State">Whether it finished.</param>
/// <param name="Outcome">How it ended (<see cref="AgentRunOutcome"/> name); <see langword="null"/> while unfinished.</param>
public sealed record RunInfo(string RunId, string SessionId, string AgentName, ChatMessage Input, int HistoryCount, DateTimeOffset StartedAt, RunState State = RunState.Running, string? Outcome = null);

/// <summary>A checkpoint could not be written or read: no such unfinished run, a payload over the limit, an unreadable payload.</summary>
public sealed class RunCheckpointException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RunCheckpointException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public RunCheckpointException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public RunCheckpointException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal static RunCheckpointException NoUnfinishedRun(string runId) =>
        new($"No unfinished run '{runId}' exists (it was never started, has finished, or its session was deleted).");

    internal static RunCheckpointException Unreadable(RunCheckpoint checkpoint, JsonException cause) =>
        new($"Checkpoint {checkpoint.Sequence} ({checkpoint.Kind}) of run '{checkpoint.RunId}' has an unreadable payload: {cause.Message}", cause);
}
