using AgentKit.Cli.Commands;
using AgentKit.LlamaCpp;
using AgentKit.LlamaCpp.Models;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Spectre.Console;

namespace AgentKit.Cli;

/// <summary>
/// Everything a command touches outside itself, so tests can run the commands in-process against string
/// writers, a scripted input and a loopback download server.
/// </summary>
internal sealed class CliContext
{
    /// <summary>Where results go (stdout).</summary>
    public required IAnsiConsole Out { get; init; }

    /// <summary>Where errors and progress go (stderr), so stdout stays clean for scripts.</summary>
    public required IAnsiConsole Error { get; init; }

    /// <summary>Where chat input comes from.</summary>
    public required TextReader Input { get; init; }

    /// <summary>True when input is piped or redirected rather than typed at a terminal.</summary>
    public required bool IsInputRedirected { get; init; }

    /// <summary>The download settings (cache folder, Hugging Face address, token).</summary>
    public ModelDownloaderOptions DownloaderOptions { get; init; } = new();

    /// <summary>Creates the HTTP client downloads use; the caller disposes it.</summary>
    public Func<HttpClient> CreateHttpClient { get; init; } = ModelDownloader.CreateHttpClient;

    /// <summary>Where library logs go; nowhere by default.</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>Creates the chat client over a loaded model (llama.cpp in-process); tests substitute a scripted one.</summary>
    public Func<LlamaModel, ChatEngineSettings, ILoggerFactory, IChatClient> CreateChatClient { get; init; } = LlamaChatClientFactory.Create;

    /// <summary>
    /// Applied last to the services of the agent and knowledge commands' host (<c>chat --agent</c>, <c>mcp serve</c>,
    /// <c>ingest</c>, <c>search</c>, <c>ask</c>); tests register a scripted model, tools or an embedding model here. Null in the real tool.
    /// </summary>
    public Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? ConfigureAgentServices { get; init; }

    /// <summary>Raised on Ctrl+C; tests raise it themselves.</summary>
    public ICancelKeySource CancelKey { get; init; } = new ConsoleCancelKeySource();

    public static CliContext FromSystemConsole() => new()
    {
        Out = CreateConsole(Console.Out, Console.IsOutputRedirected),
        Error = CreateConsole(Console.Error, Console.IsErrorRedirected),
        Input = Console.In,
        IsInputRedirected = Console.IsInputRedirected,
    };

    /// <summary>
    /// A console over a writer. When the writer is not a terminal, lines are not wrapped at 80 columns:
    /// scripts reading agentkit's output expect one message per line.
    /// </summary>
    public static IAnsiConsole CreateConsole(TextWriter writer, bool redirected)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = redirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = redirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = redirected ? InteractionSupport.No : InteractionSupport.Detect,
        });
        if (redirected)
        {
            console.Profile.Width = 4096;
        }

        return console;
    }
}
