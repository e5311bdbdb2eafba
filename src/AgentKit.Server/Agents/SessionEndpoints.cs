using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentKit.Abstractions.Tools;
using AgentKit.Agents;
using AgentKit.Agents.Events;
using AgentKit.Agents.Sessions;
using AgentKit.Agents.Tools;
using AgentKit.Server.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace AgentKit.Server.Agents;

/// <summary>
/// <c>/api/agents</c>, <c>/api/sessions</c> (create, list, history, delete, post a message with the run's events as
/// server-sent events) and <c>/api/approvals</c> (pending tool approvals to approve or deny).
/// </summary>
internal static class SessionEndpoints
{
    private static readonly JsonSerializerOptions Json = AIJsonUtilities.DefaultOptions;

    // One event per line: server-sent events end a field at a line break.
    private static readonly JsonSerializerOptions EventJson = new(AIJsonUtilities.DefaultOptions) { WriteIndented = false };

    public sealed record CreateSessionRequest(string? Agent);

    public sealed record PostMessageRequest(string? Content, bool? Stream);

    public sealed record DecisionRequest(string? Reason);

    public static IResult ListAgents(AgentRunner runner) =>
        Results.Json(
            runner.Agents.Select(a => new
            {
                name = a.Name,
                instructions = a.Instructions.PromptName is { } prompt ? $"prompt:{prompt}" : "text",
                tools = a.Tools,
                limits = new { maxSteps = a.Limits.MaxSteps, maxTokens = a.Limits.MaxTokens, timeoutSeconds = a.Limits.Timeout.TotalSeconds },
            }),
            Json);

    public static async Task<IResult> CreateSessionAsync(HttpContext context, AgentRunner runner)
    {
        var request = await ReadAsync<CreateSessionRequest>(context).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(request.Agent))
        {
            throw new ApiProblemException(StatusCodes.Status400BadRequest, "invalid_request", "'agent' is required; see GET /api/agents.", "agent");
        }

        AgentSession session;
        try
        {
            session = await runner.CreateSessionAsync(request.Agent, ApiCaller.Owner(context), context.RequestAborted).ConfigureAwait(false);
        }
        catch (AgentNotFoundException e)
        {
            throw new ApiProblemException(StatusCodes.Status404NotFound, "agent_not_found", e.Message, "agent");
        }

        return Results.Json(new { id = session.Id, agent = session.Agent.Name }, Json, statusCode: StatusCodes.Status201Created);
    }

    /// <summary>One page of the caller's sessions, most recently updated first: <c>?agent=&amp;limit=&amp;offset=</c> (limit 1–1,000, default 100).</summary>
    public static async Task<IResult> ListSessionsAsync(HttpContext context, AgentRunner runner, string? agent, int? limit, int? offset)
    {
        if (limit is < 1 or > SessionQuery.MaxLimit)
        {
            throw new ApiProblemException(StatusCodes.Status400BadRequest, "invalid_request", $"'limit' must be between 1 and {SessionQuery.MaxLimit}; it was {limit}.", "limit");
        }

        if (offset is < 0)
        {
            throw new ApiProblemException(StatusCodes.Status400BadRequest, "invalid_request", $"'offset' must not be negative; it was {offset}.", "offset");
        }

        var query = new SessionQuery { AgentName = agent, Owner = ApiCaller.Owner(context), Limit = limit ?? 100, Offset = offset ?? 0 };
        return Results.Json(await runner.ListSessionsAsync(query, context.RequestAborted).ConfigureAwait(false), Json);
    }

    /// <summary>
    /// The session, its stored messages (with an <c>error</c> content where a turn did not complete), and its agent's
    /// tools in plain words (<c>activities</c>: name → <c>{ running, completed }</c>, from each tool's
    /// <see cref="ToolPolicy"/>), so a page shows tool calls as steps, live and after a reload.
    /// </summary>
    public static async Task<IResult> GetSessionAsync(HttpContext context, AgentRunner runner, ISessionStore store, IOptions<ToolPipelineOptions> tools, string id)
    {
        var cancellationToken = context.RequestAborted;
        var info = await GetOwnedAsync(context, store, id, cancellationToken).ConfigureAwait(false);
        var history = await store.LoadMessagesAsync(id, cancellationToken).ConfigureAwait(false);
        var agent = runner.Agents.FirstOrDefault(a => a.Name == info.AgentName);
        var policies = (agent?.ToolOptions ?? tools.Value).Policies;
        var activities = (agent?.Tools ?? []).ToDictionary(
            name => name,
            name => ToolActivity.Describe(name, policies.TryGetValue(name, out var policy) ? policy : null),
            StringComparer.Ordinal);
        return Results.Json(new { session = info, messages = history, activities }, Json);
    }

    public static async Task<IResult> DeleteSessionAsync(HttpContext context, AgentRunner runner, ISessionStore store, string id)
    {
        var cancellationToken = context.RequestAborted;
        await GetOwnedAsync(context, store, id, cancellationToken).ConfigureAwait(false);
        try
        {
            return await runner.DeleteSessionAsync(id, cancellationToken).ConfigureAwait(false)
                ? Results.NoContent()
                : throw NotFound(id);
        }
        catch (AgentSessionBusyException e)
        {
            throw new ApiProblemException(StatusCodes.Status409Conflict, "session_busy", e.Message);
        }
    }

    /// <summary>
    /// The session when the caller owns it. Another caller's session is answered exactly like a missing one (404),
    /// so session ids cannot be probed across API keys.
    /// </summary>
    public static async Task<AgentSessionInfo> GetOwnedAsync(HttpContext context, ISessionStore store, string id, CancellationToken cancellationToken)
    {
        var info = await store.GetAsync(id, cancellationToken).ConfigureAwait(false);
        return info is not null && info.IsOwnedBy(ApiCaller.Owner(context)) ? info : throw NotFound(id);
    }

    public static async Task<IResult> PostMessageAsync(HttpContext context, AgentRunner runner, ISessionStore store, string id)
    {
        var cancellationToken = context.RequestAborted;
        var request = await ReadAsync<PostMessageRequest>(context).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(request.Content))
        {
            throw new ApiProblemException(StatusCodes.Status400BadRequest, "invalid_request", "'content' is required: the user's message.", "content");
        }

        await GetOwnedAsync(context, store, id, cancellationToken).ConfigureAwait(false);
        var session = await OpenAsync(runner, id, cancellationToken).ConfigureAwait(false);
        var stream = request.Stream ?? context.Request.Headers.Accept.Any(a => a?.Contains("text/event-stream", StringComparison.OrdinalIgnoreCase) == true);
        var input = new ChatMessage(ChatRole.User, request.Content);

        // The run is admitted to its model before it starts: a busy model is a 429 with nothing stored.
        var admission = AgentAdmission.Find(context.RequestServices, session.Agent);
        return await AgentAdmission.RunAsync(admission, ct => RespondAsync(context, session, input, stream, ct), cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IResult> RespondAsync(HttpContext context, AgentSession session, ChatMessage input, bool stream, CancellationToken cancellationToken)
    {
        var events = RunAsync(session, input, cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using (events.ConfigureAwait(false))
        {
            // The first event (run started, or the busy refusal) arrives before any byte is written.
            var more = await events.MoveNextAsync().ConfigureAwait(false);
            if (!stream)
            {
                AgentRunResult? result = null;
                while (more)
                {
                    result = events.Current switch { RunCompletedEvent c => c.Result, RunFailedEvent f => f.Result, _ => result };
                    more = await events.MoveNextAsync().ConfigureAwait(false);
                }

                return Results.Json(Summarize(result!), Json);
            }

            StartEventStream(context.Response);
            while (more)
            {
                await WriteEventAsync(context.Response, events.Current, cancellationToken).ConfigureAwait(false);
                more = await events.MoveNextAsync().ConfigureAwait(false);
            }

            return Results.Empty;
        }
    }

    public static void StartEventStream(HttpResponse response)
    {
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
    }

    /// <summary>Writes one run event as a server-sent event whose id is its sequence, so a client reconnects with <c>Last-Event-ID</c>.</summary>
    public static async Task WriteEventAsync(HttpResponse response, AgentEvent evt, CancellationToken cancellationToken)
    {
        var node = JsonSerializer.SerializeToNode(evt, Json)!;
        var payload = $"id: {evt.Sequence}\nevent: {node["type"]}\ndata: {node.ToJsonString(EventJson)}\n\n";
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(payload), cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The pending approvals of the caller's own sessions: another API key's tool calls are neither listed nor decidable.</summary>
    public static async Task<IResult> ListApprovalsAsync(HttpContext context, PendingApprovals approvals, ISessionStore store, string? session)
    {
        var cancellationToken = context.RequestAborted;
        var visible = new List<ToolApprovalRequest>();
        foreach (var request in await approvals.ListAsync(session, cancellationToken).ConfigureAwait(false))
        {
            if (await IsOwnSessionAsync(context, store, request.SessionId, cancellationToken).ConfigureAwait(false))
            {
                visible.Add(request);
            }
        }

        return Results.Json(visible, Json);
    }

    /// <summary>Approves or denies a pending approval of the caller's own sessions, waiting on this replica or, with shared approvals, on any.</summary>
    public static async Task<IResult> DecideAsync(HttpContext context, PendingApprovals approvals, ISessionStore store, string id, bool approve)
    {
        var cancellationToken = context.RequestAborted;
        var request = context.Request.ContentLength is > 0 ? await ReadAsync<DecisionRequest>(context).ConfigureAwait(false) : new DecisionRequest(null);
        var pending = await approvals.GetAsync(id, cancellationToken).ConfigureAwait(false);
        var own = pending is not null && await IsOwnSessionAsync(context, store, pending.SessionId, cancellationToken).ConfigureAwait(false);
        var resolved = own && (approve
            ? await approvals.ApproveAsync(id, request.Reason, cancellationToken).ConfigureAwait(false)
            : await approvals.DenyAsync(id, request.Reason, cancellationToken).ConfigureAwait(false));
        return resolved
            ? Results.NoContent()
            : throw new ApiProblemException(StatusCodes.Status404NotFound, "approval_not_found", $"No pending approval '{id}': it was decided, timed out, or never existed.", "id");
    }

    private static async Task<bool> IsOwnSessionAsync(HttpContext context, ISessionStore store, string sessionId, CancellationToken cancellationToken) =>
        await store.GetAsync(sessionId, cancellationToken).ConfigureAwait(false) is { } info && info.IsOwnedBy(ApiCaller.Owner(context));

    /// <summary>Opens a session, turning "no such session" into a 404.</summary>
    public static async Task<AgentSession> OpenAsync(AgentRunner runner, string id, CancellationToken cancellationToken)
    {
        try
        {
            return await runner.OpenSessionAsync(id, cancellationToken).ConfigureAwait(false);
        }
        catch (SessionNotFoundException)
        {
            throw NotFound(id);
        }
        catch (AgentNotFoundException e)
        {
            throw new ApiProblemException(StatusCodes.Status409Conflict, "agent_not_found", $"Session '{id}' belongs to an agent that is no longer configured: {e.Message}");
        }
    }

    /// <summary>Runs a turn, turning "the session is already running a turn" into a 409.</summary>
    public static async IAsyncEnumerable<AgentEvent> RunAsync(AgentSession session, ChatMessage input, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var events = session.RunStreamingAsync(input, cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using (events.ConfigureAwait(false))
        {
            while (true)
            {
                try
                {
                    if (!await events.MoveNextAsync().ConfigureAwait(false))
                    {
                        yield break;
                    }
                }
                catch (AgentSessionBusyException e)
                {
                    throw new ApiProblemException(StatusCodes.Status409Conflict, "session_busy", e.Message);
                }

                yield return events.Current;
            }
        }
    }

    private static object Summarize(AgentRunResult result) => new
    {
        runId = result.RunId,
        sessionId = result.SessionId,
        outcome = result.Outcome.ToString(),
        text = result.Text,
        steps = result.Steps,
        toolCalls = result.ToolCalls,
        usage = result.Usage,
        durationMs = result.Duration.TotalMilliseconds,
        error = result.Error,
    };

    public static async Task<T> ReadAsync<T>(HttpContext context)
    {
        if (context.Request.ContentType is not { } type || !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            throw new ApiProblemException(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type", "Send the request as 'Content-Type: application/json'.");
        }

        try
        {
            return await JsonSerializer.DeserializeAsync<T>(context.Request.Body, Json, context.RequestAborted).ConfigureAwait(false)
                ?? throw new ApiProblemException(StatusCodes.Status400BadRequest, "invalid_request", "The request body is empty.");
        }
        catch (JsonException e)
        {
            throw JsonBodyError.From(e, Json, typeof(T), "request");
        }
        catch (InvalidOperationException e) when (e.InnerException is DecoderFallbackException)
        {
            throw ApiProblem.InvalidUtf8(e);
        }
    }

    public static ApiProblemException NotFound(string id) =>
        new(StatusCodes.Status404NotFound, "session_not_found", $"No session '{id}'; create one with POST /api/sessions.", "id");
}
