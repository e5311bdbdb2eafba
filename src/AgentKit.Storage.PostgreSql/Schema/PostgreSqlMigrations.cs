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

        // The knowledge graph (PostgreSqlGraphStore): the same tables as the SQLite graph store's. graph_state is one
        // row, locked by every graph write: the counts the bounds are checked against, and a generation that tells
        // each replica's in-memory copy of the entity name embeddings when to catch up. Mentions keep their insertion
        // order (seq): an entity's description is its oldest remaining mention's.
        new(4, "graph", s => $"""
            CREATE TABLE {s}.graph_state (
                id integer PRIMARY KEY CHECK (id = 1),
                generation bigint NOT NULL,
                entities bigint NOT NULL,
                relations bigint NOT NULL);
            INSERT INTO {s}.graph_state (id, generation, entities, relations) VALUES (1, 0, 0, 0);
            CREATE TABLE {s}.graph_entities (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                norm_name text NOT NULL UNIQUE,
                name text NOT NULL,
                type text NOT NULL,
                description text NOT NULL,
                embedding real[] NOT NULL);
            CREATE TABLE {s}.graph_aliases (
                norm_name text PRIMARY KEY,
                entity_id bigint NOT NULL REFERENCES {s}.graph_entities (id) ON DELETE CASCADE);
            CREATE INDEX graph_aliases_entity ON {s}.graph_aliases (entity_id);
            CREATE TABLE {s}.graph_evidence (
                id text PRIMARY KEY,
                source text NOT NULL,
                kind integer NOT NULL,
                content_hash text NOT NULL,
                observed timestamptz NOT NULL);
            CREATE INDEX graph_evidence_source ON {s}.graph_evidence (source);
            CREATE TABLE {s}.graph_mentions (
                entity_id bigint NOT NULL REFERENCES {s}.graph_entities (id) ON DELETE CASCADE,
                evidence_id text NOT NULL,
                description text NOT NULL,
                seq bigint GENERATED ALWAYS AS IDENTITY,
                PRIMARY KEY (entity_id, evidence_id));
            CREATE INDEX graph_mentions_evidence ON {s}.graph_mentions (evidence_id);
            CREATE TABLE {s}.graph_relations (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                source_id bigint NOT NULL REFERENCES {s}.graph_entities (id),
                relation text NOT NULL,
                target_id bigint NOT NULL REFERENCES {s}.graph_entities (id),
                description text NOT NULL,
                evidence_id text NOT NULL,
                observed timestamptz NOT NULL);
            CREATE INDEX graph_relations_source ON {s}.graph_relations (source_id);
            CREATE INDEX graph_relations_target ON {s}.graph_relations (target_id);
            CREATE INDEX graph_relations_evidence ON {s}.graph_relations (evidence_id);
            CREATE TABLE {s}.graph_merges (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                entity_id bigint NOT NULL,
                merged_name text NOT NULL,
                into_name text NOT NULL,
                similarity double precision NOT NULL,
                evidence_id text NOT NULL,
                merged_at timestamptz NOT NULL);
            CREATE TABLE {s}.graph_communities (
                id text PRIMARY KEY,
                title text NOT NULL,
                summary text NOT NULL,
                rating integer NOT NULL,
                members bigint[] NOT NULL,
                evidence text[] NOT NULL,
                embedding real[] NOT NULL,
                updated timestamptz NOT NULL);
            """),
    ];

    public static int Latest => All[^1].Version;
}
