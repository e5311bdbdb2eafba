using Microsoft.Extensions.Logging;

namespace AgentKit.Planning;

/// <summary>The planners' log messages.</summary>
internal static partial class PlanningLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "{Planner} finished: {Outcome} after {Calls} model call(s), {Tokens} token(s), {Milliseconds} ms")]
    public static partial void Finished(ILogger logger, string planner, PlanningOutcome outcome, int calls, long tokens, long milliseconds);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "{Planner} stopped by its budget: {Exceeded}")]
    public static partial void BudgetStopped(ILogger logger, string planner, BudgetExceeded exceeded);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "Self-consistency stopped early after {Paths} of {Requested} paths: '{Leader}' has {Votes} vote(s), unreachable by the runner-up")]
    public static partial void EarlyStop(ILogger logger, int paths, int requested, string leader, int votes);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "Tool {Tool} failed: {Error}")]
    public static partial void ToolFailed(ILogger logger, string tool, string error);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "ReAct reached its {Steps}-step cap without an answer; falling back to self-consistency")]
    public static partial void ReActFallback(ILogger logger, int steps);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Plan revised (revision {Revision}) at step '{Step}': {Problem}")]
    public static partial void Replanned(ILogger logger, int revision, string step, string problem);

    [LoggerMessage(EventId = 7, Level = LogLevel.Debug, Message = "PAL program {Attempt} of {MaxAttempts} gave no answer: {Error}")]
    public static partial void ProgramFailed(ILogger logger, int attempt, int maxAttempts, string error);

    [LoggerMessage(EventId = 8, Level = LogLevel.Debug, Message = "{Planner} review {Round} rejected the answer: {Feedback}")]
    public static partial void Rejected(ILogger logger, string planner, int round, string feedback);

    [LoggerMessage(EventId = 9, Level = LogLevel.Debug, Message = "Debate reached consensus on '{Answer}' in round {Round} of {Rounds}")]
    public static partial void DebateConsensus(ILogger logger, int round, int rounds, string answer);

    public static TResult Finish<TResult>(ILogger logger, PlanningRun run, TResult result)
        where TResult : PlanningResult
    {
        var completed = run.Complete(result);
        if (completed.BudgetExceeded is { } exceeded)
        {
            BudgetStopped(logger, completed.Planner, exceeded);
        }

        Finished(logger, completed.Planner, completed.Outcome, completed.ModelCalls, run.Meter.Tokens, (long)completed.Elapsed.TotalMilliseconds);
        return completed;
    }
}
