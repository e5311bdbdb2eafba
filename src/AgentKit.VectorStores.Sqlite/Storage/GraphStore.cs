using AgentKit.VectorStores.Sqlite.Schema;
using Microsoft.Data.Sqlite;

namespace AgentKit.VectorStores.Sqlite.Storage;

/// <summary>
/// The table of saved HNSW graphs: per collection and vector property, the serialized graph in numbered parts,
/// each tagged with the collection generation the graph mirrors. A graph is only restored at that generation: any
/// later write, from this process or another, makes it stale, and the graph is rebuilt (then saved again).
/// </summary>
internal static class GraphStore
{
    internal const string Table = "__agentkit_hnsw";

    internal static string CreateStatement { get; } =
        $"CREATE TABLE IF NOT EXISTS {CollectionSchema.Quote(Table)} (collection TEXT NOT NULL, property TEXT NOT NULL, part INTEGER NOT NULL, generation INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (collection, property, part))";

    /// <summary>The saved graph of a property when every part was saved at <paramref name="generation"/>, concatenated; else null.</summary>
    internal static byte[]? Read(SqliteConnection connection, SqliteTransaction? transaction, string collection, string property, long generation)
    {
        using var command = SqliteDatabase.Command(connection, transaction,
            $"SELECT generation, data FROM {CollectionSchema.Quote(Table)} WHERE collection = @collection AND property = @property ORDER BY part",
            ("@collection", collection), ("@property", property));
        using var reader = command.ExecuteReader();
        var parts = new List<byte[]>();
        while (reader.Read())
        {
            if (reader.GetInt64(0) != generation)
            {
                return null;
            }

            parts.Add((byte[])reader.GetValue(1));
        }

        if (parts.Count == 0)
        {
            return null;
        }

        var data = new byte[parts.Sum(p => (long)p.Length)];
        var offset = 0;
        foreach (var part in parts)
        {
            part.CopyTo(data, offset);
            offset += part.Length;
        }

        return data;
    }

    /// <summary>
    /// Replaces the saved graph of a property, in one transaction, unless the collection has moved past
    /// <paramref name="generation"/> meanwhile (the graph would be stale on arrival). Returns whether it saved.
    /// </summary>
    internal static bool Save(SqliteDatabase database, string collection, string property, long generation, IReadOnlyList<byte[]> parts)
        => database.Write((connection, transaction) =>
        {
            var current = SqliteDatabase.Scalar(connection, transaction, $"SELECT generation FROM {CollectionSchema.Quote(CollectionSchema.CatalogTable)} WHERE name = @name", ("@name", collection)) as long?;
            if (current != generation)
            {
                return false;
            }

            SqliteDatabase.Execute(connection, transaction, $"DELETE FROM {CollectionSchema.Quote(Table)} WHERE collection = @collection AND property = @property", ("@collection", collection), ("@property", property));
            using var insert = SqliteDatabase.Command(connection, transaction,
                $"INSERT INTO {CollectionSchema.Quote(Table)} (collection, property, part, generation, data) VALUES (@collection, @property, @part, @generation, @data)",
                ("@collection", collection), ("@property", property), ("@part", 0), ("@generation", generation), ("@data", Array.Empty<byte>()));
            for (var part = 0; part < parts.Count; part++)
            {
                insert.Parameters["@part"].Value = part;
                insert.Parameters["@data"].Value = parts[part];
                insert.ExecuteNonQuery();
            }

            return true;
        });

    /// <summary>Deletes the saved graphs of a collection, in the caller's transaction (the collection is dropped or created).</summary>
    internal static void Delete(SqliteConnection connection, SqliteTransaction transaction, string collection)
        => SqliteDatabase.Execute(connection, transaction, $"DELETE FROM {CollectionSchema.Quote(Table)} WHERE collection = @collection", ("@collection", collection));
}
