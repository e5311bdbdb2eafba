using Microsoft.Data.Sqlite;

namespace ShopBot.Data;

/// <summary>
/// The shop's SQLite database: opens connections (read-write for the tools that write, read-only for lookups)
/// and applies the versioned schema migrations.
/// </summary>
public sealed class ShopDatabase
{
    private readonly string _readWrite;
    private readonly string _readOnly;

    /// <summary>Creates the database handle; nothing is opened yet.</summary>
    /// <param name="path">The SQLite file.</param>
    public ShopDatabase(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        _readWrite = new SqliteConnectionStringBuilder { DataSource = Path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true, ForeignKeys = true }.ToString();
        _readOnly = new SqliteConnectionStringBuilder { DataSource = Path, Mode = SqliteOpenMode.ReadOnly, Pooling = true }.ToString();
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>Opens a read-write connection.</summary>
    /// <param name="cancellationToken">Cancels the open.</param>
    /// <returns>The open connection.</returns>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = new SqliteConnection(_readWrite);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA busy_timeout = 5000;";
        await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    /// <summary>Opens a read-only connection: lookups cannot change anything, whatever SQL they run.</summary>
    /// <param name="cancellationToken">Cancels the open.</param>
    /// <returns>The open connection.</returns>
    public async Task<SqliteConnection> OpenReadOnlyAsync(CancellationToken cancellationToken = default)
    {
        var connection = new SqliteConnection(_readOnly);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    /// <summary>Brings the schema to the newest version, one migration per transaction; returns the versions applied.</summary>
    /// <param name="cancellationToken">Cancels between migrations.</param>
    /// <returns>The versions applied by this call (empty when the schema was current).</returns>
    /// <exception cref="ShopDatabaseException">The file's schema is newer than this build knows.</exception>
    public async Task<IReadOnlyList<int>> MigrateAsync(CancellationToken cancellationToken = default)
    {
        var directory = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            await wal.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var current = await GetVersionAsync(connection, cancellationToken).ConfigureAwait(false);
        var newest = ShopSchema.Migrations[^1].Version;
        if (current > newest)
        {
            throw new ShopDatabaseException($"{Path}: the schema is version {current}, newer than this build's {newest}. Use a newer ShopBot or a fresh database file.");
        }

        var applied = new List<int>();
        foreach (var migration in ShopSchema.Migrations.Where(m => m.Version > current))
        {
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (var command = connection.CreateCommand())
            {
                command.Transaction = transaction;
                command.CommandText = migration.Sql + $"\nPRAGMA user_version = {migration.Version};";
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            applied.Add(migration.Version);
        }

        return applied;
    }

    /// <summary>The schema version of the file (0 for a new file).</summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The version.</returns>
    public static async Task<int> GetVersionAsync(SqliteConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version;";
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>The shop database cannot be used as it is.</summary>
public sealed class ShopDatabaseException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ShopDatabaseException()
    {
    }

    /// <summary>Creates the exception with what is wrong and what to do.</summary>
    /// <param name="message">The message.</param>
    public ShopDatabaseException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ShopDatabaseException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
