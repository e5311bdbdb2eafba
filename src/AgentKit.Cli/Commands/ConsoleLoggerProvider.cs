using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace AgentKit.Cli.Commands;

/// <summary>Host logs (model loading, warnings) on stderr, one line each: stdout stays for results (and for MCP's protocol).</summary>
internal sealed class ConsoleLoggerProvider(IAnsiConsole console) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(console, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(IAnsiConsole console, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) =>
            logLevel >= (category.StartsWith("AgentKit", StringComparison.Ordinal) ? LogLevel.Information : LogLevel.Warning);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                var color = logLevel >= LogLevel.Error ? "red" : logLevel == LogLevel.Warning ? "yellow" : "grey";
                console.MarkupLine($"[{color}]{Markup.Escape(formatter(state, exception))}[/]");
            }
        }
    }
}
