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
/// The web chat: the page (<c>wwwroot/</c>) and its API. <c>POST /api/sessions</c> starts a conversation,
/// <c>GET /api/sessions/{id}</c> returns its transcript (a returning customer picks up where they left),
/// <c>POST /api/sessions/{id}/messages</c> runs a turn and streams its events as server-sent events.
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

        var api = app.MapGroup("/api");
        api.MapPost("/sessions", CreateSessionAsync);
        api.MapGet("/sessions/{id}", GetSessionAsync);
        api.MapPost("/sessions/{id}/messages", PostMessageAsync);
    }

    private static async Task<IResult> CreateSessionAsync(AgentRunner runner, CancellationToken cancellationToken)
    {
        var session = await runner.CreateSessionAsync(ShopBotAgent.Name, cancellationToken).ConfigureAwait(false);
        return Results.Json(new { sessionId = session.Id }, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> GetSessionAsync(string id, AgentRunner runner, CancellationToken cancellationToken)
    {
        AgentSession session;
        try
        {
            session = await runner.OpenSessionAsync(id, cancellationToken).ConfigureAwait(false);
        }
        catch (SessionNotFoundException)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "session not found", detail: $"No session '{id}'; start one with POST /api/sessions.");
        }

        var history = await session.GetHistoryAsync(cancellationToken).ConfigureAwait(false);
        var messages = history
            .Where(m => (m.Role == ChatRole.User || m.Role == ChatRole.Assistant) && m.Text.Length > 0)
            .Select(m => new { role = m.Role.Value, text = m.Text });
        return Results.Json(new { sessionId = session.Id, messages });
    }

    private static async Task PostMessageAsync(string id, ChatInput input, HttpContext http, AgentRunner runner)
    {
        var cancellationToken = http.RequestAborted;
        if (string.IsNullOrWhiteSpace(input.Text) || input.Text.Length > MaxMessageLength)
        {
            await Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "invalid message", detail: $"Send 1 to {MaxMessageLength} characters of text.").ExecuteAsync(http).ConfigureAwait(false);
            return;
        }

        AgentSession session;
        try
        {
            session = await runner.OpenSessionAsync(id, cancellationToken).ConfigureAwait(false);
        }
        catch (SessionNotFoundException)
        {
            await Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "session not found", detail: $"No session '{id}'.").ExecuteAsync(http).ConfigureAwait(false);
            return;
        }

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

    /// <summary>The body of <c>POST /api/sessions/{id}/messages</c>.</summary>
    /// <param name="Text">The customer's message.</param>
    public sealed record ChatInput(string Text);
}
