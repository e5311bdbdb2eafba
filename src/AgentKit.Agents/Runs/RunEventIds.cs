using AgentKit.Agents.Events;

namespace AgentKit.Agents.Runs;

/// <summary>
/// The <see cref="AgentEvent.Sequence"/> of a checkpointed run's events, the same in the running process and in any
/// process that derives them from the checkpoints (<see cref="RunEventProjection"/>): the high 31 bits count the run's
/// durable events (those a checkpoint records), the low 32 bits place what streams between two of them — first the
/// events no checkpoint records (history reduced, a planner's approvals), then the model's text by character offset
/// within its step, so a reader that saw part of a step's text gets exactly the rest.
/// </summary>
internal static class RunEventIds
{
    private const int Shift = 32;
    private const long TextBase = 1L << 20;
    private const long MaxTextOffset = (1L << Shift) - TextBase - 1;

    /// <summary>The id of the <paramref name="ordinal"/>-th durable event (1-based).</summary>
    public static long Durable(long ordinal) => ordinal << Shift;

    /// <summary>The id of the <paramref name="index"/>-th unrecorded event after durable event <paramref name="ordinal"/>, before any text.</summary>
    public static long Unrecorded(long ordinal, int index) => (ordinal << Shift) + Math.Min(index, TextBase - 1);

    /// <summary>The id of the text delta ending at character <paramref name="offset"/> of the step streaming after durable event <paramref name="ordinal"/>.</summary>
    public static long Text(long ordinal, long offset) => (ordinal << Shift) + TextBase + Math.Min(offset, MaxTextOffset);

    /// <summary>
    /// What a reader that saw everything up to <paramref name="after"/> still needs of <paramref name="evt"/>: nothing
    /// (<see langword="null"/>), the event, or the part of a text delta past the offset it saw.
    /// </summary>
    public static AgentEvent? Unseen(AgentEvent evt, long after)
    {
        if (evt.Sequence <= after)
        {
            return null;
        }

        if (evt is not TextDeltaEvent text || after >> Shift != evt.Sequence >> Shift || (after & ((1L << Shift) - 1)) < TextBase)
        {
            return evt;
        }

        var seen = (after & ((1L << Shift) - 1)) - TextBase;
        var start = (evt.Sequence & ((1L << Shift) - 1)) - TextBase - text.Text.Length;
        return seen <= start ? evt : text with { Text = text.Text[(int)Math.Min(seen - start, text.Text.Length)..] };
    }
}
