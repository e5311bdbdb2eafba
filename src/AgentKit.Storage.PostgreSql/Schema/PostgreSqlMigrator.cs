using AgentKit.Storage.PostgreSql.Database;
using Npgsql;

namespace AgentKit.Storage.PostgreSql.Schema;

/// <summary>
/// Brings the schema to <see cref="PostgreSqlMigrations.Latest"/>: each pending migration in its own transaction,
/// recorded in <c>schema_migrations</c>. A session-level advisory lock keyed by the schema makes processes that start
/// together take turns, so each migration runs exactly once.
/// </summary>
internal static class PostgreSqlMigrator
{
    // The first key of AgentKit's two-key advisory locks: which kind of lock (see also PostgreSqlSessionStore).
    internal const int MigrationLockClass = 0x41_4B_00_01;

    public static async Task ApplyAsync(PostgreSqlDatabase database, CancellationToken cancellationToken)
    {
        var schema = database.Schema;
        await using var connection = await database.OpenRawAsync("connect to apply AgentKit's schema migrations", cancellationToken).ConfigureAwait(false);
        try
        {
            await ExecuteAsync(connection, "SELECT pg_advisory_lock($1, hashtext($2))", cancellationToken, MigrationLockClass, schema).ConfigureAwait(false);
            try
            {
                await ExecuteAsync(connection, $"""
                    CREATE SCHEMA IF NOT EXISTS {schema};
                    CREATE TABLE IF NOT EXISTS {schema}.schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied timestamptz NOT NULL DEFAULT now());
                    """, cancellationToken).ConfigureAwait(false);
                await using var read = new NpgsqlCommand($"SELECT COALESCE(MAX(version), 0) FROM {schema}.schema_migrations", connection);
                var current = (int)(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
                if (current > PostgreSqlMigrations.Latest)
                {
                    throw new PostgreSqlStorageException(
                        $"PostgreSQL at {database.Server}: schema '{schema}' is at version {current}, newer than this AgentKit knows ({PostgreSqlMigrations.Latest}); upgrade AgentKit on every replica, or point this one at another schema.")
                    { Server = database.Server };
                }

                foreach (var migration in PostgreSqlMigrations.All.Where(m => m.Version > current))
                {
                    await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                    await ExecuteAsync(connection, migration.Sql(schema), cancellationToken).ConfigureAwait(false);
                    await ExecuteAsync(connection, $"INSERT INTO {schema}.schema_migrations (version, name) VALUES ($1, $2)", cancellationToken, migration.Version, migration.Name).ConfigureAwait(false);
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                // Released explicitly: the pooled connection outlives this call.
                await ExecuteAsync(connection, "SELECT pg_advisory_unlock($1, hashtext($2))", CancellationToken.None, MigrationLockClass, schema).ConfigureAwait(false);
            }
        }
        catch (NpgsqlException e)
        {
            throw database.Describe($"apply AgentKit's schema migrations to schema '{schema}'", e);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
