using System.Text;
using Microsoft.Extensions.Logging;

namespace AgentKit.Testing;

/// <summary>One captured log line.</summary>
/// <param name="Category">The logger's category.</param>
/// <param name="Level">The level.</param>
/// <param name="Text">The formatted message, the exception (type, message, stack) and every scope's text and properties.</param>
/// <param name="Scopes">The structured properties of the scopes the line was written in.</param>
public sealed record CapturedLog(string Category, LogLevel Level, string Text, IReadOnlyList<KeyValuePair<string, object?>> Scopes);

/// <summary>
/// A logger provider that keeps every line at every level, with its scopes (it is an <see cref="ISupportExternalScope"/>),
/// for tests that assert what is, and what is never, logged. It is also the <see cref="ILoggerFactory"/> of a service
/// collection without the logging package (register it as one).
/// </summary>
public sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope, ILoggerFactory
{
    private readonly List<CapturedLog> _logs = [];
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    /// <summary>The lines so far.</summary>
    public IReadOnlyList<CapturedLog> Logs
    {
        get
        {
            lock (_logs)
            {
                return [.. _logs];
            }
        }
    }

    /// <summary>Everything captured, as one text.</summary>
    public string AllText => string.Join("\n", Logs.Select(l => $"{l.Category} {l.Level}: {l.Text}"));

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

    /// <inheritdoc />
    void ILoggerFactory.AddProvider(ILoggerProvider provider) => throw new NotSupportedException("The capturing factory has one provider, itself.");

    /// <inheritdoc />
    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private sealed class CapturingLogger(CapturingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => provider._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var text = new StringBuilder(formatter(state, exception));
            if (state is IEnumerable<KeyValuePair<string, object?>> properties)
            {
                foreach (var (key, value) in properties)
                {
                    text.Append(' ').Append(key).Append('=').Append(value);
                }
            }

            if (exception is not null)
            {
                text.Append('\n').Append(exception);
            }

            var scopes = new List<KeyValuePair<string, object?>>();
            provider._scopes.ForEachScope(
                (scope, builder) =>
                {
                    builder.Append(" => ").Append(scope);
                    if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                    {
                        scopes.AddRange(pairs);
                    }
                },
                text);
            lock (provider._logs)
            {
                provider._logs.Add(new CapturedLog(category, logLevel, text.ToString(), scopes));
            }
        }
    }
}
