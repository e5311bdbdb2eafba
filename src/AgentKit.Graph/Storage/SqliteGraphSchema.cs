using System.Globalization;
using Microsoft.Data.Sqlite;

namespace AgentKit.Graph;

/// <summary>
/// The graph's tables in a SQLite file shared with the vector store, and their version. The version lives in a table
/// of its own (not <c>PRAGMA user_version</c>, which belongs to whoever else uses the file); a file written by a newer
/// version is refused rather than guessed at.
/// </summary>
internal static class SqliteGraphSchema
{
    public const int Version = 2;
    public const string Meta = "__agentkit_graph_meta";
    public const string Entities = "__agentkit_graph_entities";
    public const string Aliases = "__agentkit_graph_aliases";
    public const string Evidence = "__agentkit_graph_evidence";
    public const string Mentions = "__agentkit_graph_mentions";
    public const string Relations = "__agentkit_graph_relations";
    public const string Merges = "__agentkit_graph_merges";
    public const string CommunityReports = "__agentkit_graph_communities";

    private static readonly string[] V1 =
    [
        $"CREATE TABLE {Entities} (id INTEGER PRIMARY KEY, norm_name TEXT NOT NULL UNIQUE, name TEXT NOT NULL, type TEXT NOT NULL, description TEXT NOT NULL, embedding BLOB NOT NULL)",
        $"CREATE TABLE {Aliases} (norm_name TEXT PRIMARY KEY, entity_id INTEGER NOT NULL)",
        $"CREATE INDEX {Aliases}_entity ON {Aliases} (entity_id)",
        $"CREATE TABLE {Evidence} (id TEXT PRIMARY KEY, source TEXT NOT NULL, kind INTEGER NOT NULL, content_hash TEXT NOT NULL, observed INTEGER NOT NULL)",
        $"CREATE INDEX {Evidence}_source ON {Evidence} (source)",
        $"CREATE TABLE {Mentions} (entity_id INTEGER NOT NULL, evidence_id TEXT NOT NULL, description TEXT NOT NULL, PRIMARY KEY (entity_id, evidence_id))",
        $"CREATE INDEX {Mentions}_evidence ON {Mentions} (evidence_id)",
        $"CREATE TABLE {Relations} (id INTEGER PRIMARY KEY, source_id INTEGER NOT NULL, relation TEXT NOT NULL, target_id INTEGER NOT NULL, description TEXT NOT NULL, evidence_id TEXT NOT NULL, observed INTEGER NOT NULL)",
        $"CREATE INDEX {Relations}_source ON {Relations} (source_id)",
        $"CREATE INDEX {Relations}_target ON {Relations} (target_id)",
        $"CREATE INDEX {Relations}_evidence ON {Relations} (evidence_id)",
        $"CREATE TABLE {Merges} (id INTEGER PRIMARY KEY, entity_id INTEGER NOT NULL, merged_name TEXT NOT NULL, into_name TEXT NOT NULL, similarity REAL NOT NULL, evidence_id TEXT NOT NULL, merged_at INTEGER NOT NULL)",
    ];

    // Version 2: community summaries, keyed by the hash of what they summarise.
    private static readonly string[] V2 =
    [
        $"CREATE TABLE {CommunityReports} (id TEXT PRIMARY KEY, title TEXT NOT NULL, summary TEXT NOT NULL, rating INTEGER NOT NULL, members TEXT NOT NULL, evidence TEXT NOT NULL, embedding BLOB NOT NULL, updated INTEGER NOT NULL)",
    ];

    /// <summary>Creates the tables, or checks the version of those there.</summary>
    public static void Apply(SqliteConnection connection, string path)
    {
        using var transaction = connection.BeginTransaction();
        Execute(connection, transaction, $"CREATE TABLE IF NOT EXISTS {Meta} (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
        using var read = connection.CreateCommand();
        read.Transaction = transaction;
        read.CommandText = $"SELECT value FROM {Meta} WHERE key = 'schema_version'";
        var found = read.ExecuteScalar() as string;
        var version = 0;
        if (found is not null && (!int.TryParse(found, NumberStyles.None, CultureInfo.InvariantCulture, out version) || version > Version))
        {
            throw new GraphException($"The graph tables in '{path}' have schema version '{found}', newer than this AgentKit.Graph knows ({Version}); upgrade AgentKit or use another file.");
        }

        foreach (var statement in (version < 1 ? V1 : []).Concat(version < 2 ? V2 : []))
        {
            Execute(connection, transaction, statement);
        }

        if (version < Version)
        {
            Execute(connection, transaction, $"INSERT INTO {Meta} (key, value) VALUES ('schema_version', '{Version.ToString(CultureInfo.InvariantCulture)}') ON CONFLICT(key) DO UPDATE SET value = excluded.value");
        }

        transaction.Commit();
    }

    public static void Execute(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
