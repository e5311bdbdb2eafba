using Spectre.Console;

namespace AgentKit.Cli.Commands;

/// <summary>The interactive chats' prompt: <c>&gt; </c>, blank lines skipped, <c>/exit</c> or the end of input ends the chat.</summary>
internal static class ChatPrompt
{
    /// <summary>Prompts until the user types something.</summary>
    /// <returns>The trimmed line, or null when the chat should end.</returns>
    public static async Task<string?> ReadAsync(CliContext context, CancellationToken cancellationToken)
    {
        while (true)
        {
            context.Out.Markup("[green]> [/]");
            var line = await context.Input.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (line is null)
            {
                context.Out.WriteLine();
                return null;
            }

            line = line.Trim();
            if (line is "/exit" or "/quit")
            {
                return null;
            }

            if (line.Length > 0)
            {
                return line;
            }
        }
    }
}
