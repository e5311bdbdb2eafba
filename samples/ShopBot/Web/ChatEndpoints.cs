using System.Text.Json;
using AgentKit.Agents;
using AgentKit.Agents.Events;
using AgentKit.Agents.Sessions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using ShopBot.Agent;

namespace ShopBot.Web;

/// <summary>
/// The web chat: the page (<c>wwwroot/</c>) and its API. <c>POST /api/signin</c> issues the browser's token
/// (<see cref="WebSignIn"/>); with it as <c>Authorization: Bearer</c>, <c>POST /api/sessions</c> starts a
/// conversation owned by that client, <c>GET /api/sessions/{id}</c> returns its transcript (a returning customer
/// picks up where they left), <c>POST /api/sessions/{id}/messages</c> runs a turn and streams its events as
/// server-sent events. Without a valid token: 401; another client's session: 404; over the rate limit
/// (<see cref="WebRateLimits"/>): 429 with <c>Retry-After</c>.
/// </summary>
public static class ChatEndpoints
{
    /// <summary>The longest message accepted, in characters.</summary>
    public const int MaxMessageLength = 4000;

    // One event per SSE data line: the shared options indent, which would split an event over several lines.
    private static readonly JsonSerializerOptions Json = new(AIJsonUtilities.DefaultOptions) { WriteIndented = false };

    /// <summary>Maps the page and the API.</summary>
    /// <param name="app">The application.</param>
    public static void Map(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var files = new PhysicalFileProvider(Path.Combine(AppContext.BaseDirectory, "wwwroot"));
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = files });
        app.UseRateLimiter();

        var api = app.MapGroup("/api");
        api.MapPost("/signin", (WebSignIn signIn) => Results.Json(new { token = signIn.Issue() }, statusCode: StatusCodes.Status201Created))
            .RequireRateLimiting(WebRateLimits.SignInPolicy);
        var sessions = api.MapGroup("/sessions").RequireRateLimiting(WebRateLimits.ChatPolicy);
        sessions.MapPost(string.Empty, CreateSessionAsync);
        sessions.MapGet("/{id}", GetSessionAsync);
        sessions.MapPost("/{id}/messages", PostMessageAsync);
    }

    private static async Task<IResult> CreateSessionAsync(HttpContext http, WebSignIn signIn, AgentRunner runner, CancellationToken cancellationToken)
    {
        if (signIn.ClientOf(http) is not { } client)
        {
            return Unauthorized(http);
        }

        var session = await runner.CreateSessionAsync(ShopBotAgent.Name, client, cancellationToken).ConfigureAwait(false);
        return Results.Json(new { sessionId = session.Id }, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> GetSessionAsync(string id, HttpContext http, WebSignIn signIn, ISessionStore store, AgentRunner runner, CancellationToken cancellationToken)
    {
        if (signIn.ClientOf(http) is not { } client)
        {
            return Unauthorized(http);
        }

        if (!await IsOwnSessionAsync(store, id, client, cancellationToken).ConfigureAwait(false))
        {
            return SessionNotFound(id);
        }

        var session = await runner.OpenSessionAsync(id, cancellationToken).ConfigureAwait(false);

        var history = await session.GetHistoryAsync(cancellationToken).ConfigureAwait(false);
        var messages = history
            .Where(m => (m.Role == ChatRole.User || m.Role == ChatRole.Assistant) && m.Text.Length > 0)
            .Select(m => new { role = m.Role.Value, text = m.Text });
        return Results.Json(new { sessionId = session.Id, messages });
    }

    private static async Task PostMessageAsync(string id, ChatInput input, HttpContext http, WebSignIn signIn, ISessionStore store, AgentRunner runner)
    {
        var cancellationToken = http.RequestAborted;
        if (signIn.ClientOf(http) is not { } client)
        {
            await Unauthorized(http).ExecuteAsync(http).ConfigureAwait(false);
            return;
        }

        if (!await IsOwnSessionAsync(store, id, client, cancellationToken).ConfigureAwait(false))
        {
            await SessionNotFound(id).ExecuteAsync(http).ConfigureAwait(false);
            return;
        }

        if (string.IsNullOrWhiteSpace(input.Text) || input.Text.Length > MaxMessageLength)
        {
            await Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "invalid message", detail: $"Send 1 to {MaxMessageLength} characters of text.").ExecuteAsync(http).ConfigureAwait(false);
            return;
        }

        var session = await runner.OpenSessionAsync(id, cancellationToken).ConfigureAwait(false);
        await using var events = session.RunStreamingAsync(input.Text, cancellationToken).GetAsyncEnumerator(cancellationToken);
        bool more;
        try
        {
            more = await events.MoveNextAsync().ConfigureAwait(false);
        }
        catch (AgentSessionBusyException)
        {
            await Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "session busy", detail: "This conversation is still answering; wait for the reply.").ExecuteAsync(http).ConfigureAwait(false);
            return;
        }

        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        while (more)
        {
            var evt = events.Current;
            await http.Response.WriteAsync($"id: {evt.Sequence}\ndata: {JsonSerializer.Serialize(evt, Json.GetTypeInfo<AgentEvent>())}\n\n", cancellationToken).ConfigureAwait(false);
            await http.Response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
            more = await events.MoveNextAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Another client's session is answered like a missing one, so session ids cannot be probed.</summary>
    private static async Task<bool> IsOwnSessionAsync(ISessionStore store, string id, string client, CancellationToken cancellationToken) =>
        await store.GetAsync(id, cancellationToken).ConfigureAwait(false) is { } info && info.IsOwnedBy(client);

    private static IResult SessionNotFound(string id) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "session not found", detail: $"No session '{id}'; start one with POST /api/sessions.");

    private static IResult Unauthorized(HttpContext http)
    {
        http.Response.Headers.WWWAuthenticate = "Bearer";
        return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "sign-in required", detail: "Send 'Authorization: Bearer <token>' with a token from POST /api/signin.");
    }

    /// <summary>The body of <c>POST /api/sessions/{id}/messages</c>.</summary>
    /// <param name="Text">The customer's message.</param>
    public sealed record ChatInput(string Text);
}
