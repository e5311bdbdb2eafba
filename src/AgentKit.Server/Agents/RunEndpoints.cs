using System.Globalization;
using System.Text.Json;
using AgentKit.Agents;
using AgentKit.Agents.Checkpoints;
using AgentKit.Agents.Sessions;
using AgentKit.Server.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace AgentKit.Server.Agents;

/// <summary>
/// Durable runs over HTTP: a session's checkpoints and forks (<c>/api/sessions/{id}/checkpoints</c>,
/// <c>/api/sessions/{id}/fork</c>), unfinished runs and their resumption (<c>/api/runs</c>,
/// <c>/api/runs/{id}/resume</c>), and re-attaching to a run's events (<c>/api/runs/{id}/events</c>, server-sent
/// events from <c>Last-Event-ID</c> or <c>?after=</c>). Only the caller's own sessions and runs are visible.
/// </summary>
internal static partial class RunEndpoints
{
    private static readonly JsonSerializerOptions Json = AIJsonUtilities.DefaultOptions;

    public sealed record ForkRequest(string? RunId, long? Sequence);

    public static async Task<IResult> ListCheckpointsAsync(HttpContext context, AgentRunner runner, ISessionStore store, string id)
    {
        await SessionEndpoints.GetOwnedAsync(context, store, id, context.RequestAborted).ConfigureAwait(false);
        var checkpoints = await runner.ListCheckpointsAsync(id, context.RequestAborted).ConfigureAwait(false);
        return Results.Json(checkpoints.Select(c => new { runId = c.RunId, sequence = c.Sequence, kind = c.Kind.ToString(), step = c.Step, callId = c.CallId, tool = c.ToolName, createdAt = c.CreatedAt }), Json);
    }

    public static async Task<IResult> ForkAsync(HttpContext context, AgentRunner runner, ISessionStore store, string id)
    {
        var request = await SessionEndpoints.ReadAsync<ForkRequest>(context).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(request.RunId) || request.Sequence is not { } sequence)
        {
            throw new ApiProblemException(StatusCodes.Status400BadRequest, "invalid_request", "'runId' and 'sequence' are required: a checkpoint from GET /api/sessions/{id}/checkpoints.", request.RunId is null ? "runId" : "sequence");
        }

        await SessionEndpoints.GetOwnedAsync(context, store, id, context.RequestAborted).ConfigureAwait(false);
        try
        {
            var fork = await runner.ForkSessionAsync(id, request.RunId, sequence, ApiCaller.Owner(context), context.RequestAborted).ConfigureAwait(false);
            return Results.Json(new { id = fork.Id, agent = fork.Agent.Name, forkedFrom = new { sessionId = id, runId = request.RunId, sequence } }, Json, statusCode: StatusCodes.Status201Created);
        }
        catch (RunCheckpointException e)
        {
            throw new ApiProblemException(StatusCodes.Status404NotFound, "checkpoint_not_found", e.Message, "sequence");
        }
    }

    public static async Task<IResult> ListUnfinishedAsync(HttpContext context, AgentRunner runner, ISessionStore store)
    {
        var visible = new List<object>();
        foreach (var run in await runner.ListUnfinishedRunsAsync(context.RequestAborted).ConfigureAwait(false))
        {
            if (await store.GetAsync(run.SessionId, context.RequestAborted).ConfigureAwait(false) is { } info && info.IsOwnedBy(ApiCaller.Owner(context)))
            {
                visible.Add(new { runId = run.RunId, sessionId = run.SessionId, agent = run.AgentName, startedAt = run.StartedAt, attachable = true });
            }
        }

        return Results.Json(visible, Json);
    }

    public static async Task<IResult> ResumeAsync(HttpContext context, AgentRunner runner, ISessionStore store, ILogger<AgentRunner> logger, string id)
    {
        var run = await OwnedRunAsync(context, runner, store, id).ConfigureAwait(false);
        if (run.State != RunState.Running)
        {
            throw new ApiProblemException(StatusCodes.Status409Conflict, "run_finished", $"Run '{id}' finished ({run.Outcome}); only unfinished runs can be resumed.", "id");
        }

        Task<AgentRunResult> resuming;
        try
        {
            // Not tied to this request: the run goes on when the client disconnects, and its events are attachable
            // from the moment ResumeAsync returns.
            resuming = await runner.StartResumeAsync(run, CancellationToken.None).ConfigureAwait(false);
        }
        catch (AgentSessionBusyException)
        {
            throw new ApiProblemException(StatusCodes.Status409Conflict, "run_resuming", $"Run '{id}' is being resumed or executed already (its session is running a turn here or on another replica); read its events at /api/runs/{id}/events (on any replica).", "id");
        }
        catch (AgentRunNotFoundException e)
        {
            throw new ApiProblemException(StatusCodes.Status409Conflict, "run_finished", e.Message, "id");
        }

        _ = resuming.ContinueWith(t => ResumeFailed(logger, t.Exception!.GetBaseException(), id), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        return Results.Json(new { runId = id, sessionId = run.SessionId, events = $"/api/runs/{id}/events" }, Json, statusCode: StatusCodes.Status202Accepted);
    }

    public static async Task<IResult> AttachAsync(HttpContext context, AgentRunner runner, ISessionStore store, string id, long? after)
    {
        var cancellationToken = context.RequestAborted;
        if (await runner.GetAttachableRunSessionAsync(id, cancellationToken).ConfigureAwait(false) is not { } sessionId
            || await store.GetAsync(sessionId, cancellationToken).ConfigureAwait(false) is not { } info
            || !info.IsOwnedBy(ApiCaller.Owner(context)))
        {
            throw new ApiProblemException(StatusCodes.Status404NotFound, "run_not_attachable", $"No run '{id}' is recorded in your sessions (runs are attachable on any replica while their checkpoints are kept); read the session's history instead.", "id");
        }

        if (after is < 0)
        {
            throw new ApiProblemException(StatusCodes.Status400BadRequest, "invalid_request", $"'after' must not be negative; it was {after}.", "after");
        }

        var from = after ?? (long.TryParse(context.Request.Headers["Last-Event-ID"], NumberStyles.None, CultureInfo.InvariantCulture, out var last) ? last : 0);
        SessionEndpoints.StartEventStream(context.Response);

        // Sent at once: the next event may be a while (a run waiting for a person), and the client should know it is attached.
        await context.Response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var evt in runner.AttachAsync(id, from, cancellationToken).ConfigureAwait(false))
        {
            await SessionEndpoints.WriteEventAsync(context.Response, evt, cancellationToken).ConfigureAwait(false);
        }

        return Results.Empty;
    }

    private static async Task<RunInfo> OwnedRunAsync(HttpContext context, AgentRunner runner, ISessionStore store, string id)
    {
        var run = runner.Checkpoints is { } checkpoints ? await checkpoints.GetRunAsync(id, context.RequestAborted).ConfigureAwait(false) : null;
        return run is not null && await store.GetAsync(run.SessionId, context.RequestAborted).ConfigureAwait(false) is { } info && info.IsOwnedBy(ApiCaller.Owner(context))
            ? run
            : throw new ApiProblemException(StatusCodes.Status404NotFound, "run_not_found", $"No run '{id}' in your sessions.", "id");
    }

    [LoggerMessage(1, LogLevel.Error, "Resuming run {RunId} on request failed")]
    private static partial void ResumeFailed(ILogger logger, Exception exception, string runId);
}
