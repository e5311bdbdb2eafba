using System.CommandLine;
using System.Text;
using AgentKit.LlamaCpp;
using AgentKit.LlamaCpp.Models;
using Microsoft.Extensions.AI;
using Spectre.Console;

namespace AgentKit.Cli.Commands;

/// <summary>
/// <c>agentkit chat</c>: a streaming chat with a local GGUF model (<c>--model</c>, or the default one). Interactive at a
/// terminal; one turn with <c>--prompt</c> or when the prompt is piped in. With <c>--agent</c> it chats with a
/// configured agent instead (<see cref="AgentChat"/>).
/// </summary>
internal static class ChatCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string?>("--model", "-m") { Description = LocalChatModel.OptionDescription };
        var agent = new Option<string?>("--agent", "-a") { Description = "Chat with this configured agent (AgentKit:Agents) instead of a raw model: tools run, and those that need approval ask first." };
        var config = AgentKitHost.ConfigOption();
        var system = new Option<string?>("--system", "-s") { Description = "A system prompt." };
        var prompt = new Option<string?>("--prompt", "-p") { Description = "Answer this one prompt and exit (stdin is read instead when it is piped)." };
        var temperature = new Option<float?>("--temperature", "-t") { Description = "Sampling temperature; 0 picks the most likely token." };
        var maxTokens = new Option<int?>("--max-tokens") { Description = "The most tokens one answer may have." };
        var contextSize = new Option<int?>("--context-size", "-c") { Description = "The context window in tokens." };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for generation." };
        temperature.Validators.Add(r => { if (r.GetValueOrDefault<float?>() is < 0 or > 5) { r.AddError("--temperature must be between 0 and 5."); } });
        maxTokens.Validators.Add(r => { if (r.GetValueOrDefault<int?>() is <= 0) { r.AddError("--max-tokens must be positive."); } });
        contextSize.Validators.Add(r => { if (r.GetValueOrDefault<int?>() is <= 0) { r.AddError("--context-size must be positive."); } });
        threads.Validators.Add(r => { if (r.GetValueOrDefault<int?>() is <= 0) { r.AddError("--threads must be positive."); } });

        var command = new Command("chat", "Chat with a local GGUF model, or with a configured agent (--agent).")
        {
            model, agent, config, system, prompt, temperature, maxTokens, contextSize, threads,
        };
        command.Validators.Add(r =>
        {
            if (r.GetValue(agent) is not null && (r.GetValue(model) is not null || r.GetValue(system) is not null || r.GetValue(temperature) is not null
                || r.GetValue(maxTokens) is not null || r.GetValue(contextSize) is not null || r.GetValue(threads) is not null))
            {
                r.AddError("--agent takes its model and settings from the configuration; --model, --system, --temperature, --max-tokens, --context-size and --threads are for raw model chat.");
            }
            else if (r.GetValue(agent) is null && r.GetValue(config) is not null)
            {
                r.AddError("--config is for --agent.");
            }
        });
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(context, () =>
        {
            if (parse.GetValue(agent) is { } agentName)
            {
                return AgentChat.RunAsync(context, agentName, parse.GetValue(config), parse.GetValue(prompt), cancellationToken);
            }

            var settings = new ChatSettings(
                parse.GetValue(model),
                parse.GetValue(system),
                parse.GetValue(prompt),
                parse.GetValue(temperature),
                parse.GetValue(maxTokens),
                parse.GetValue(contextSize),
                parse.GetValue(threads));
            return RunAsync(context, settings, cancellationToken);
        }));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, ChatSettings settings, CancellationToken cancellationToken)
    {
        var createChatClient = context.CreateChatClient;
        var singleTurn = settings.Prompt is not null || context.IsInputRedirected;
        var firstPrompt = settings.Prompt;
        if (singleTurn && firstPrompt is null)
        {
            firstPrompt = (await context.Input.ReadToEndAsync(cancellationToken).ConfigureAwait(false)).Trim();
        }

        if (singleTurn && string.IsNullOrWhiteSpace(firstPrompt))
        {
            CommandErrors.Write(context, "No prompt: pass --prompt \"<text>\" or pipe the prompt on stdin.");
            return ExitCodes.Error;
        }

        var path = await LocalChatModel.ResolveAsync(context, settings.ModelPath, cancellationToken).ConfigureAwait(false);
        if (path is null)
        {
            return ExitCodes.Offline;
        }

        if (!singleTurn)
        {
            context.Error.MarkupLine($"[grey]Loading {Markup.Escape(path)}…[/]");
        }

        using var model = await LlamaModel.LoadAsync(path, new LlamaModelOptions(), null, cancellationToken).ConfigureAwait(false);
        using var client = createChatClient(model, new ChatEngineSettings(settings.ContextSize, settings.Threads), context.LoggerFactory);
        var chatOptions = new ChatOptions { Temperature = settings.Temperature, MaxOutputTokens = settings.MaxTokens };
        var history = new List<ChatMessage>();
        if (!string.IsNullOrWhiteSpace(settings.SystemPrompt))
        {
            history.Add(new ChatMessage(ChatRole.System, settings.SystemPrompt));
        }

        if (singleTurn)
        {
            history.Add(new ChatMessage(ChatRole.User, firstPrompt));
            await StreamAnswerAsync(context, client, history, chatOptions, cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        }

        context.Error.MarkupLine($"[grey]Chatting with {Markup.Escape(Path.GetFileName(path))}. Type /exit to quit, /clear to forget the conversation; Ctrl+C stops an answer.[/]");
        while (await ChatPrompt.ReadAsync(context, cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line == "/clear")
            {
                history.RemoveAll(m => m.Role != ChatRole.System);
                context.Error.MarkupLine("[grey]Conversation cleared.[/]");
                continue;
            }

            history.Add(new ChatMessage(ChatRole.User, line));
            using var turn = new CancelKeyScope(context.CancelKey, cancellationToken);
            try
            {
                await StreamAnswerAsync(context, client, history, chatOptions, turn.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (turn.WasCancelledByKey && !cancellationToken.IsCancellationRequested)
            {
                context.Error.MarkupLine("[yellow](answer stopped)[/]");
            }
        }

        return ExitCodes.Success;
    }

    /// <summary>Writes the answer as it streams and appends it (even a stopped, partial one) to the history.</summary>
    private static async Task StreamAnswerAsync(
        CliContext context, IChatClient client, List<ChatMessage> history, ChatOptions options, CancellationToken cancellationToken)
    {
        // Model text goes to the raw writer: Spectre would parse it as markup and wrap it at the console width.
        var writer = context.Out.Profile.Out.Writer;
        var answer = new StringBuilder();
        try
        {
            await foreach (var update in client.GetStreamingResponseAsync(history, options, cancellationToken).ConfigureAwait(false))
            {
                var text = update.Text;
                if (text.Length > 0)
                {
                    answer.Append(text);
                    await writer.WriteAsync(text).ConfigureAwait(false);
                    await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            await writer.WriteLineAsync().ConfigureAwait(false);
            if (answer.Length > 0)
            {
                history.Add(new ChatMessage(ChatRole.Assistant, answer.ToString()));
            }
        }
    }

    private sealed record ChatSettings(
        string? ModelPath,
        string? SystemPrompt,
        string? Prompt,
        float? Temperature,
        int? MaxTokens,
        int? ContextSize,
        int? Threads);
}
