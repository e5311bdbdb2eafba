namespace AgentKit.Storage.PostgreSql.Schema;

/// <summary>One schema change: applied once, in version order, inside a transaction.</summary>
/// <param name="Version">Its number; versions are consecutive from 1 and never reused.</param>
/// <param name="Name">What it does, recorded beside the version.</param>
/// <param name="Sql">The statements, given the schema name.</param>
internal sealed record PostgreSqlMigration(int Version, string Name, Func<string, string> Sql);

/// <summary>
/// Every schema change AgentKit has made, oldest first. A released migration is never edited: a change to the tables
/// is a new entry at the end, and the stores that use it go through the same <see cref="Database.PostgreSqlDatabase"/>.
/// </summary>
internal static class PostgreSqlMigrations
{
    public static IReadOnlyList<PostgreSqlMigration> All { get; } =
    [
        // Messages are text, not jsonb: jsonb reorders keys, and System.Text.Json reads the "$type" discriminator of
        // Microsoft.Extensions.AI's contents only when it comes first.
        new(1, "sessions", s => $"""
            CREATE TABLE {s}.sessions (
                id text PRIMARY KEY,
                agent text NOT NULL,
                owner text,
                created timestamptz NOT NULL,
                updated timestamptz NOT NULL,
                message_count integer NOT NULL DEFAULT 0);
            CREATE INDEX sessions_updated ON {s}.sessions (updated DESC, id);
            CREATE INDEX sessions_agent ON {s}.sessions (agent, updated DESC, id);
            CREATE INDEX sessions_owner ON {s}.sessions (owner, updated DESC, id);
            CREATE TABLE {s}.messages (
                session_id text NOT NULL REFERENCES {s}.sessions (id) ON DELETE CASCADE,
                seq integer NOT NULL,
                message text NOT NULL,
                PRIMARY KEY (session_id, seq));
            """),

        // Durable runs (IRunCheckpointStore). checkpoint_count numbers a run's checkpoints: an append increments it
        // under the run's row lock, so appends to one run from any process are serialised without a retry loop. A
        // pending approval is the ApprovalRequested checkpoint of an unfinished run, so it needs no table of its own.
        new(2, "runs", s => $"""
            CREATE TABLE {s}.runs (
                id text PRIMARY KEY,
                session_id text NOT NULL REFERENCES {s}.sessions (id) ON DELETE CASCADE,
                agent text NOT NULL,
                input text NOT NULL,
                history_count integer NOT NULL,
                started timestamptz NOT NULL,
                finished timestamptz,
                outcome text,
                checkpoint_count bigint NOT NULL DEFAULT 0);
            CREATE INDEX runs_session ON {s}.runs (session_id, started, id);
            CREATE INDEX runs_unfinished ON {s}.runs (started, id) WHERE finished IS NULL;
            CREATE TABLE {s}.run_checkpoints (
                run_id text NOT NULL REFERENCES {s}.runs (id) ON DELETE CASCADE,
                seq bigint NOT NULL,
                kind integer NOT NULL,
                step integer NOT NULL,
                call_id text,
                tool text,
                payload text NOT NULL,
                created timestamptz NOT NULL,
                PRIMARY KEY (run_id, seq));
            """),

        // Pending tool approvals shared by replicas (PostgreSqlApprovalExchange): a row while a request waits; the
        // decision is written into it once ("decided IS NULL" guards the update) and announced with NOTIFY.
        new(3, "approvals", s => $"""
            CREATE TABLE {s}.approvals (
                id text PRIMARY KEY,
                session_id text NOT NULL REFERENCES {s}.sessions (id) ON DELETE CASCADE,
                request text NOT NULL,
                requested timestamptz NOT NULL,
                decided timestamptz,
                approved boolean,
                reason text);
            CREATE INDEX approvals_waiting ON {s}.approvals (session_id, requested) WHERE decided IS NULL;
            """),
    ];

    public static int Latest => All[^1].Version;
}
