using AgentKit.LlamaCpp;
using AgentKit.LlamaCpp.Models;
using AgentKit.Prompts;
using Spectre.Console;

namespace AgentKit.Cli;

/// <summary>
/// Turns the errors a user can cause or fix (typed AgentKit exceptions, Ctrl+C) into one red line on stderr
/// and an exit code; anything else is a bug and keeps its stack trace.
/// </summary>
internal static class CommandErrors
{
    public static async Task<int> RunAsync(CliContext context, Func<Task<int>> command)
    {
        try
        {
            return await command().ConfigureAwait(false);
        }
        catch (ModelDownloadException e) when (e.IsOffline)
        {
            Write(context, e.Message);
            return ExitCodes.Offline;
        }
        catch (PromptException e)
        {
            Write(context, e.Message);
            return ExitCodes.Error;
        }
        catch (LlamaException e)
        {
            Write(context, e.Message);
            return ExitCodes.Error;
        }
        catch (OperationCanceledException)
        {
            context.Error.MarkupLine("[yellow]Stopped.[/]");
            return ExitCodes.Cancelled;
        }
    }

    public static void Write(CliContext context, string message) =>
        context.Error.MarkupLine($"[red]{Markup.Escape(message)}[/]");
}
