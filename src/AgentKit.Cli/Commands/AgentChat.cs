using System.Text.Json;
using AgentKit.Abstractions.Tools;
using AgentKit.Agents;
using AgentKit.Agents.Events;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace AgentKit.Cli.Commands;

/// <summary>
/// <c>agentkit chat --agent &lt;name&gt;</c>: a streaming chat with a configured agent in one session kept across
/// turns. Tool calls and their results are shown as they happen; a tool that needs approval asks the user (y/n)
/// on the chat's input. One turn with <c>--prompt</c>; otherwise one turn per input line until <c>/exit</c> or the end
/// of input.
/// </summary>
internal static class AgentChat
{
    private const int MaxShownResultLength = 500;

    public static async Task<int> RunAsync(CliContext context, string agentName, FileInfo? config, string? prompt, CancellationToken cancellationToken)
    {
        var approvals = new DelegateToolApprovalHandler((request, ct) => AskAsync(context, request, ct));
        using var host = await AgentKitHost.StartAsync(context, config, s => s.AddSingleton<IToolApprovalHandler>(approvals), cancellationToken).ConfigureAwait(false);
        try
        {
            var runner = host.Services.GetRequiredService<AgentRunner>();
            if (!runner.Agents.Any(a => string.Equals(a.Name, agentName, StringComparison.OrdinalIgnoreCase)))
            {
                var names = runner.Agents.Select(a => a.Name).Order(StringComparer.OrdinalIgnoreCase).ToList();
                CommandErrors.Write(context, names.Count == 0
                    ? $"Unknown agent '{agentName}': no agents are configured (AgentKit:Agents in appsettings.json or --config)."
                    : $"Unknown agent '{agentName}'. Configured agents: {string.Join(", ", names)}.");
                return ExitCodes.Error;
            }

            var session = await runner.CreateSessionAsync(agentName, cancellationToken).ConfigureAwait(false);
            if (prompt is not null)
            {
                return await RunTurnAsync(context, session, prompt, cancellationToken).ConfigureAwait(false) ? ExitCodes.Success : ExitCodes.Error;
            }

            context.Error.MarkupLine($"[grey]Chatting with agent {Markup.Escape(session.Agent.Name)} (session {session.Id}). Type /exit to quit; Ctrl+C stops an answer.[/]");
            while (await ChatPrompt.ReadAsync(context, cancellationToken).ConfigureAwait(false) is { } line)
            {
                using var turn = new CancelKeyScope(context.CancelKey, cancellationToken);
                try
                {
                    await RunTurnAsync(context, session, line, turn.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (turn.WasCancelledByKey && !cancellationToken.IsCancellationRequested)
                {
                    context.Error.MarkupLine("[yellow](answer stopped)[/]");
                }
            }

            return ExitCodes.Success;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Runs one turn, writing its events as they come.</summary>
    /// <returns>Whether the turn completed.</returns>
    private static async Task<bool> RunTurnAsync(CliContext context, AgentSession session, string input, CancellationToken cancellationToken)
    {
        // Answer text goes to the raw writer: Spectre would parse it as markup and wrap it.
        var writer = context.Out.Profile.Out.Writer;
        var midLine = false;
        var completed = false;
        await foreach (var evt in session.RunStreamingAsync(input, cancellationToken).ConfigureAwait(false))
        {
            if (evt is TextDeltaEvent delta)
            {
                await writer.WriteAsync(delta.Text).ConfigureAwait(false);
                await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                midLine = delta.Text.Length > 0 && !delta.Text.EndsWith('\n');
                continue;
            }

            completed |= evt is RunCompletedEvent { Result.Outcome: AgentRunOutcome.Completed };
            var line = Describe(evt);
            if (line is null)
            {
                continue;
            }

            if (midLine)
            {
                context.Out.WriteLine();
                midLine = false;
            }

            context.Out.MarkupLine(line);
        }

        if (midLine)
        {
            context.Out.WriteLine();
        }

        return completed;
    }

    /// <summary>The line shown for an event, or null for events the chat does not show.</summary>
    private static string? Describe(AgentEvent evt) => evt switch
    {
        ToolCallRequestedEvent call => $"[grey]→ {Markup.Escape(call.ToolName)}({Markup.Escape(FormatArguments(call.Arguments))})[/]",
        ToolResultEvent { Status: ToolCallStatus.Succeeded } result => $"[grey]← {Markup.Escape(result.ToolName)}: {Markup.Escape(Shorten(result.Result))}[/]",
        ToolResultEvent result => $"[yellow]← {Markup.Escape(result.ToolName)} ({result.Status}): {Markup.Escape(Shorten(result.Result))}[/]",
        PlannerProgressEvent planning => DescribePlanning(planning),
        ApprovalResolvedEvent { Approved: false } denied => $"[yellow]✗ {Markup.Escape(denied.ToolName)} denied[/]",
        RunCompletedEvent { Result.Outcome: not AgentRunOutcome.Completed } stopped =>
            $"[yellow]The turn stopped: {stopped.Result.Outcome}{(stopped.Result.Error is { } e ? ": " + Markup.Escape(e) : "")}[/]",
        RunFailedEvent failed => $"[red]The turn failed ({failed.Result.Outcome}): {Markup.Escape(failed.Result.Error ?? "no details")}[/]",
        _ => null,
    };

    /// <summary>
    /// A planner's steps as they happen, one line each: model and tool calls as they start, plans and decisions (votes,
    /// candidates, rounds) with their outcome, a budget stop and the planner's answer. Its model text is not shown.
    /// </summary>
    private static string? DescribePlanning(PlannerProgressEvent e) => (e.Kind, e.StepKind) switch
    {
        ("step_started", "model_call") => $"[grey]· {Markup.Escape(e.Planner)}: {Markup.Escape(e.Name ?? "")}…[/]",
        ("step_started", "tool_call") => $"[grey]· {Markup.Escape(e.Planner)} → {Markup.Escape(e.Name ?? "")}[/]",
        ("step_completed", "tool_call") => $"[grey]· {Markup.Escape(e.Planner)} ← {Markup.Escape(e.Name ?? "")}: {Markup.Escape(Shorten(e.Text ?? ""))}[/]",
        ("step_completed", "plan" or "decision") => $"[grey]· {Markup.Escape(e.Planner)} {Markup.Escape(e.Name ?? "")}: {Markup.Escape(Shorten(e.Text ?? ""))}[/]",
        ("budget_stopped", _) => $"[yellow]· {Markup.Escape(e.Planner)} stopped by its budget: {Markup.Escape(e.Text ?? "")}[/]",
        ("completed", _) => $"[grey]· {Markup.Escape(e.Planner)} concluded: {Markup.Escape(Shorten(e.Text ?? "no answer"))}[/]",
        _ => null,
    };

    /// <summary>Asks on the chat's input; anything but y/yes (the end of input included) denies.</summary>
    private static async ValueTask<ToolApprovalDecision> AskAsync(CliContext context, ToolApprovalRequest request, CancellationToken cancellationToken)
    {
        context.Out.WriteLine();
        context.Out.Markup($"[bold]Allow {Markup.Escape(request.ToolName)}({Markup.Escape(FormatArguments(request.Arguments))})? [[y/n]] [/]");
        var answer = (await context.Input.ReadLineAsync(cancellationToken).ConfigureAwait(false))?.Trim();
        if (context.IsInputRedirected)
        {
            // Typed answers echo at a terminal; piped ones do not, so the transcript shows them here.
            context.Out.WriteLine(answer ?? string.Empty);
        }

        return answer is not null && (answer.Equals("y", StringComparison.OrdinalIgnoreCase) || answer.Equals("yes", StringComparison.OrdinalIgnoreCase))
            ? ToolApprovalDecision.Approve()
            : ToolApprovalDecision.Deny("The user denied this call.");
    }

    private static string FormatArguments(IEnumerable<KeyValuePair<string, object?>>? arguments) =>
        arguments is null ? string.Empty : string.Join(", ", arguments.Select(a => $"{a.Key}: {JsonSerializer.Serialize(a.Value, Microsoft.Extensions.AI.AIJsonUtilities.DefaultOptions)}"));

    private static string Shorten(string text)
    {
        var oneLine = text.ReplaceLineEndings(" ");
        return oneLine.Length <= MaxShownResultLength ? oneLine : oneLine[..MaxShownResultLength] + "…";
    }
}
