using System.Text.RegularExpressions;
using Npgsql;

namespace AgentKit.Storage.PostgreSql;

/// <summary>
/// Where AgentKit keeps its runtime state in PostgreSQL (in hosting: <c>AgentKit:Storage:PostgreSql</c>). Checked at
/// start by <see cref="Validate"/>; every failure names its key.
/// </summary>
public sealed partial class PostgreSqlStorageOptions
{
    /// <summary>
    /// The Npgsql connection string, for example <c>Host=db;Port=5432;Database=agentkit;Username=agentkit;Password=…</c>.
    /// Required; <c>Host</c> and <c>Database</c> must be set. Its <c>Maximum Pool Size</c> (default 100) bounds the
    /// connections for reads and writes; run locks have a pool of their own (<see cref="MaxConcurrentTurns"/>).
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>The schema that holds AgentKit's tables, created when missing: lower-case letters, digits and <c>_</c>, at most 63. Default: <c>agentkit</c>.</summary>
    public string Schema { get; set; } = "agentkit";

    /// <summary>How long one statement may run before it is cancelled, 1 second to 10 minutes. Default: 30 seconds.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The most messages one session may hold, 1 to 1,000,000; an append beyond it is refused. Default: 100,000.</summary>
    public int MaxMessagesPerSession { get; set; } = 100_000;

    /// <summary>
    /// The most turns this process runs at once, 1 to 10,000: each running turn holds one connection of a separate pool
    /// for its run lock, so lock holders never starve reads and writes of connections. A turn beyond it waits for a
    /// connection up to the connection string's <c>Timeout</c> (default 15 s), then fails. Each replica may open this
    /// many connections plus <c>Maximum Pool Size</c>: keep the sum over replicas under the server's <c>max_connections</c>.
    /// Default: 100.
    /// </summary>
    public int MaxConcurrentTurns { get; set; } = 100;

    /// <summary>Returns what is wrong, one line per problem, each naming its key under <paramref name="section"/>; empty when valid.</summary>
    /// <param name="section">The configuration section the options came from, for the messages.</param>
    /// <returns>The problems.</returns>
    public IReadOnlyList<string> Validate(string section = "AgentKit:Storage:PostgreSql")
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            failures.Add($"{section}:ConnectionString: is required (for example Host=localhost;Database=agentkit;Username=agentkit).");
        }
        else
        {
            try
            {
                var builder = new NpgsqlConnectionStringBuilder(ConnectionString);
                if (string.IsNullOrWhiteSpace(builder.Host))
                {
                    failures.Add($"{section}:ConnectionString: names no Host.");
                }

                if (string.IsNullOrWhiteSpace(builder.Database))
                {
                    failures.Add($"{section}:ConnectionString: names no Database.");
                }
            }
            catch (ArgumentException e)
            {
                failures.Add($"{section}:ConnectionString: is not a valid Npgsql connection string ({e.Message}).");
            }
        }

        if (Schema is null || !SchemaName().IsMatch(Schema))
        {
            failures.Add($"{section}:Schema: '{Schema}' is not a valid schema name (lower-case letters, digits and '_', starting with a letter or '_', at most 63).");
        }

        if (CommandTimeout < TimeSpan.FromSeconds(1) || CommandTimeout > TimeSpan.FromMinutes(10))
        {
            failures.Add($"{section}:CommandTimeout: must be between 00:00:01 and 00:10:00 (was {CommandTimeout}).");
        }

        if (MaxMessagesPerSession is < 1 or > 1_000_000)
        {
            failures.Add($"{section}:MaxMessagesPerSession: must be between 1 and 1000000 (was {MaxMessagesPerSession}).");
        }

        if (MaxConcurrentTurns is < 1 or > 10_000)
        {
            failures.Add($"{section}:MaxConcurrentTurns: must be between 1 and 10000 (was {MaxConcurrentTurns}).");
        }

        return failures;
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex SchemaName();
}
