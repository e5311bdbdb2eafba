using System.Text.Json;
using AgentKit.Agents;
using AgentKit.Agents.Events;
using AgentKit.Agents.Sessions;
using ShopBot.Agent;

namespace ShopBot.Cli;

/// <summary>
/// The terminal chat (<c>--cli</c>): reads lines, streams the reply, shows tool activity dimmed. <c>--session ID</c>
/// continues a stored conversation; <c>/quit</c> or an empty input at end of file stops.
/// </summary>
/// <param name="runner">The agent runtime.</param>
/// <param name="input">Where lines come from.</param>
/// <param name="output">Where the conversation goes.</param>
public sealed class TerminalChat(AgentRunner runner, TextReader input, TextWriter output)
{
    /// <summary>Runs the conversation until the input ends or the user types <c>/quit</c>.</summary>
    /// <param name="sessionId">A stored session to continue, or null for a new one.</param>
    /// <param name="cancellationToken">Stops the chat.</param>
    /// <returns>The session id.</returns>
    public async Task<string> RunAsync(string? sessionId, CancellationToken cancellationToken)
    {
        AgentSession session;
        try
        {
            session = sessionId is null
                ? await runner.CreateSessionAsync(ShopBotAgent.Name, cancellationToken).ConfigureAwait(false)
                : await runner.OpenSessionAsync(sessionId, cancellationToken).ConfigureAwait(false);
        }
        catch (SessionNotFoundException)
        {
            await output.WriteLineAsync($"There is no conversation '{sessionId}'; starting a new one.").ConfigureAwait(false);
            session = await runner.CreateSessionAsync(ShopBotAgent.Name, cancellationToken).ConfigureAwait(false);
        }

        await output.WriteLineAsync($"ShopBot (conversation {session.Id}; continue it later with --cli --session {session.Id}). Type /quit to leave.").ConfigureAwait(false);
        while (!cancellationToken.IsCancellationRequested)
        {
            await output.WriteAsync("\nyou> ").ConfigureAwait(false);
            var line = await input.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (line is null || line.Trim() == "/quit")
            {
                break;
            }

            if (line.Trim().Length == 0)
            {
                continue;
            }

            await output.WriteAsync("shopbot> ").ConfigureAwait(false);
            await foreach (var evt in session.RunStreamingAsync(line, cancellationToken).ConfigureAwait(false))
            {
                await output.WriteAsync(Render(evt)).ConfigureAwait(false);
            }

            await output.WriteLineAsync().ConfigureAwait(false);
        }

        return session.Id;
    }

    private static string Render(AgentEvent evt) => evt switch
    {
        TextDeltaEvent delta => delta.Text,
        ToolCallRequestedEvent call => $"\n  \u001b[2m[{call.ToolName} {JsonSerializer.Serialize(call.Arguments)}]\u001b[0m\n",
        ToolResultEvent result => $"  \u001b[2m[{result.ToolName}: {Summarize(result.Result)}]\u001b[0m\n",
        RunFailedEvent failed => $"\n(the assistant stopped: {failed.Result.Outcome}: {failed.Result.Error})",
        _ => string.Empty,
    };

    private static string Summarize(string result)
    {
        try
        {
            using var document = JsonDocument.Parse(result);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("message", out var message))
            {
                var label = document.RootElement.TryGetProperty("label_url", out var url) ? $" label: {url.GetString()}" : string.Empty;
                return message.GetString() + label;
            }
        }
        catch (JsonException)
        {
            // Plain text result.
        }

        return result.Length > 200 ? result[..200] + "…" : result;
    }
}
