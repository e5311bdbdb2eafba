using System.Data.Common;
using System.Net.Sockets;
using AgentKit.Agents.Sessions;
using AgentKit.Storage.PostgreSql.Schema;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace AgentKit.Storage.PostgreSql.Database;

/// <summary>
/// One PostgreSQL database as AgentKit uses it: the connection pool, the schema's migrations (applied before the first
/// connection is handed out), the one listening connection for notifications (<see cref="Notifications"/>), and the
/// translation of Npgsql failures into errors that name the server. Every table AgentKit keeps there (sessions, runs
/// and their checkpoints) goes through it.
/// </summary>
internal sealed class PostgreSqlDatabase : IAsyncDisposable
{
    /// <summary>How many statements each connection prepares automatically when the connection string does not say.</summary>
    public const int DefaultMaxAutoPrepare = 32;

    /// <summary>The connections each pool keeps open once opened, when the connection string does not say.</summary>
    public const int DefaultMinPoolSize = 16;

    private readonly NpgsqlDataSource _dataSource;
    private readonly NpgsqlDataSource _runLocks;
    private Task? _migration;

    public PostgreSqlDatabase(PostgreSqlStorageOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = options.Validate();
        if (failures.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, failures), nameof(options));
        }

        var builder = new NpgsqlConnectionStringBuilder(options.ConnectionString)
        {
            CommandTimeout = (int)Math.Ceiling(options.CommandTimeout.TotalSeconds),
        };
        builder.ApplicationName ??= "AgentKit";

        // Every statement AgentKit sends is parameterised and repeated: prepared once per connection, the server
        // parses and plans it once, not on every turn. A connection string that sets Max Auto Prepare (0 behind a
        // pooler that cannot keep prepared statements) keeps its value.
        var given = new DbConnectionStringBuilder { ConnectionString = options.ConnectionString };
        bool Sets(params string[] keys) => given.Keys.Cast<string>().Any(k => keys.Contains(k.Replace(" ", string.Empty, StringComparison.Ordinal), StringComparer.OrdinalIgnoreCase));
        if (!Sets("MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = DefaultMaxAutoPrepare;
        }

        // Npgsql closes the idle surplus of a pool in one go after Connection Idle Lifetime; each connection the next
        // turns reopen is a new server process, and a burst of them stalls turns for seconds on a busy machine
        // (docs/scale-out.md). A warm floor avoids that and costs nothing until the load has opened it.
        if (!Sets("MinimumPoolSize", "MinPoolSize"))
        {
            builder.MinPoolSize = Math.Min(DefaultMinPoolSize, builder.MaxPoolSize);
        }

        Server = $"{builder.Host}:{builder.Port}/{builder.Database}";
        Schema = options.Schema;
        MaxMessagesPerSession = options.MaxMessagesPerSession;
        _dataSource = NpgsqlDataSource.Create(builder);

        // A pool of its own: turns holding locks must never use up the connections their own writes need.
        builder.MaxPoolSize = options.MaxConcurrentTurns;
        builder.MinPoolSize = Math.Min(builder.MinPoolSize, builder.MaxPoolSize);
        _runLocks = NpgsqlDataSource.Create(builder);
        Notifications = new PostgreSqlNotifications(this, (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<PostgreSqlNotifications>());
    }

    /// <summary>The server as <c>host:port/database</c>, for messages.</summary>
    public string Server { get; }

    /// <summary>The schema, already checked to be a plain lower-case identifier (so it is safe to splice into SQL).</summary>
    public string Schema { get; }

    public int MaxMessagesPerSession { get; }

    /// <summary>This process's listening connection, shared by approvals and run checkpoints.</summary>
    public PostgreSqlNotifications Notifications { get; }

    /// <summary>Applies pending migrations once per process; a failed attempt is retried by the next call instead of cached.</summary>
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        var migration = Volatile.Read(ref _migration);
        if (migration is null)
        {
            var started = PostgreSqlMigrator.ApplyAsync(this, CancellationToken.None);
            migration = Interlocked.CompareExchange(ref _migration, started, null) ?? started;
        }

        try
        {
            await migration.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch when (migration.IsFaulted)
        {
            _ = Interlocked.CompareExchange(ref _migration, null, migration);
            throw;
        }
    }

    /// <summary>Opens a pooled connection to a migrated schema.</summary>
    public async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await MigrateAsync(cancellationToken).ConfigureAwait(false);
        return await OpenRawAsync("connect", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens a connection of the run-lock pool, to hold a session-level advisory lock for a turn.</summary>
    public async Task<NpgsqlConnection> OpenRunLockAsync(CancellationToken cancellationToken)
    {
        await MigrateAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await _runLocks.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException e)
        {
            throw Describe("connect for a run lock", e);
        }
    }

    /// <summary>Opens a pooled connection without migrating (the migrator's own).</summary>
    public async Task<NpgsqlConnection> OpenRawAsync(string operation, CancellationToken cancellationToken)
    {
        try
        {
            return await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException e)
        {
            throw Describe(operation, e);
        }
    }

    /// <summary>Runs an operation, turning Npgsql failures into a <see cref="SessionStoreException"/> that names the server.</summary>
    public async ValueTask<T> GuardAsync<T>(string operation, Func<Task<T>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (NpgsqlException e)
        {
            var described = Describe(operation, e);
            throw new SessionStoreException(described.Message, described);
        }
        catch (PostgreSqlStorageException e)
        {
            throw new SessionStoreException(e.Message, e);
        }
    }

    /// <summary>Names the server and the likely fix for an Npgsql failure.</summary>
    public PostgreSqlStorageException Describe(string operation, NpgsqlException cause)
    {
        var state = (cause as PostgresException)?.SqlState;
        var detail = cause switch
        {
            PostgresException { SqlState: "28P01" or "28000" } p => $"the server refused the login ({p.MessageText}); check Username and Password in the connection string",
            PostgresException { SqlState: "3D000" } p => $"{p.MessageText}; create the database or fix Database in the connection string",
            PostgresException { SqlState: "42501" } p => $"permission denied ({p.MessageText}); the user needs CREATE on the database for schema '{Schema}'",
            PostgresException { SqlState: "53300" } p => $"the server has no connection slots left ({p.MessageText}); lower Maximum Pool Size or raise the server's max_connections",
            PostgresException { SqlState: "57P01" or "57P02" or "57P03" } p => $"the server is shutting down or starting up ({p.MessageText}); retry",
            PostgresException p => $"{p.SqlState}: {p.MessageText}",
            _ when cause.InnerException is TimeoutException => $"timed out ({cause.Message})",
            _ when cause.InnerException is SocketException s => $"could not connect ({s.Message}); check the server is running and Host and Port in the connection string",
            _ => cause.Message,
        };
        return new PostgreSqlStorageException($"PostgreSQL at {Server} could not {operation}: {detail}.", cause)
        {
            Server = Server,
            SqlState = state,
            IsTransient = cause.IsTransient,
        };
    }

    public async ValueTask DisposeAsync()
    {
        await Notifications.DisposeAsync().ConfigureAwait(false);
        await _runLocks.DisposeAsync().ConfigureAwait(false);
        await _dataSource.DisposeAsync().ConfigureAwait(false);
    }
}
