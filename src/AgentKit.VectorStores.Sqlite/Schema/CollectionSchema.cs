using System.Globalization;
using System.Text;
using AgentKit.VectorStores.Sqlite.Search;
using Microsoft.Extensions.VectorData;
using Microsoft.Extensions.VectorData.ProviderServices;

namespace AgentKit.VectorStores.Sqlite.Schema;

/// <summary>
/// The SQLite layout of one collection: a record table (row id, key, data columns), a vector table (row id, one
/// float32 BLOB per vector property) kept apart so that filter scans read small rows, and, when a data property is
/// full-text indexed, an FTS5 table over the record table kept in sync by triggers.
/// </summary>
internal sealed class CollectionSchema
{
    internal const string RowId = "__rid";
    internal const string CatalogTable = "__agentkit_collections";
    private const int MaxNameLength = 128;

    internal CollectionSchema(string name, CollectionModel model)
    {
        ValidateName(name);
        Name = name;
        Model = model;
        Table = Quote(name);
        VectorTable = Quote(name + "__vectors");
        FtsTableName = name + "__fts";
        FtsTable = Quote(FtsTableName);
        foreach (var property in model.Properties)
        {
            if (string.Equals(property.StorageName, RowId, StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"The property '{property.ModelName}' uses the storage name '{RowId}', which the SQLite vector store reserves.", nameof(model));
            }
        }

        Vectors = [.. model.VectorProperties.Select(p => new VectorColumn(p))];
        FullTextProperties = [.. model.DataProperties.Where(p => p.IsFullTextIndexed)];
        foreach (var property in FullTextProperties)
        {
            if ((Nullable.GetUnderlyingType(property.Type) ?? property.Type) != typeof(string))
            {
                throw new ArgumentException($"The property '{property.ModelName}' is full-text indexed but has type '{property.Type.Name}'; only string properties can be full-text indexed.", nameof(model));
            }
        }

        Signature = BuildSignature(model);
        FilterColumns = [.. model.DataProperties.Where(IsFilterColumn).Select(p => p.StorageName)];
    }

    internal string Name { get; }

    internal CollectionModel Model { get; }

    /// <summary>The quoted record table name.</summary>
    internal string Table { get; }

    /// <summary>The quoted vector table name.</summary>
    internal string VectorTable { get; }

    /// <summary>The quoted FTS5 table name.</summary>
    internal string FtsTable { get; }

    internal string FtsTableName { get; }

    internal IReadOnlyList<VectorColumn> Vectors { get; }

    internal IReadOnlyList<DataPropertyModel> FullTextProperties { get; }

    /// <summary>The storage names of the columns that in-memory filters read (see <see cref="IsFilterColumn"/>), in model order.</summary>
    internal IReadOnlyList<string> FilterColumns { get; }

    /// <summary>A description of the layout stored in the catalog, to detect a collection reopened with another schema.</summary>
    internal string Signature { get; }

    /// <summary>
    /// Whether filters over the property can run in memory: an indexed data property stored as INTEGER, REAL or
    /// TEXT (not a BLOB, not a JSON collection), whose values the vector caches keep beside the vectors.
    /// </summary>
    internal static bool IsFilterColumn(PropertyModel property)
        => property is DataPropertyModel { IsIndexed: true } data
            && SqliteValueConverter.CollectionElementType(data.Type) is null
            && SqliteValueConverter.ColumnType(data.Type) is "INTEGER" or "REAL" or "TEXT";

    internal static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    internal static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    internal static void ValidateName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name.Length > MaxNameLength || name.StartsWith("__", StringComparison.Ordinal)
            || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
        {
            throw new ArgumentException(
                $"The collection name '{name}' is not valid: use at most {MaxNameLength} ASCII letters, digits, '_', '-' or '.', not starting with '__'.",
                nameof(name));
        }
    }

    internal VectorColumn GetVector(VectorPropertyModel property)
        => Vectors.First(v => ReferenceEquals(v.Property, property));

    /// <summary>The statements that create the collection's tables, indexes and triggers.</summary>
    internal IEnumerable<string> CreateStatements()
    {
        var key = Model.KeyProperty;
        var columns = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"{Quote(RowId)} INTEGER PRIMARY KEY AUTOINCREMENT, ")
            .Append(CultureInfo.InvariantCulture, $"{Quote(key.StorageName)} {SqliteValueConverter.ColumnType(key.Type)} NOT NULL UNIQUE");
        foreach (var data in Model.DataProperties)
        {
            columns.Append(CultureInfo.InvariantCulture, $", {Quote(data.StorageName)} {SqliteValueConverter.ColumnType(data.Type)}");
        }

        yield return $"CREATE TABLE IF NOT EXISTS {Table} ({columns})";

        var vectorColumns = string.Concat(Vectors.Select(v => $", {Quote(v.Property.StorageName)} BLOB"));
        yield return $"CREATE TABLE IF NOT EXISTS {VectorTable} ({Quote(RowId)} INTEGER PRIMARY KEY{vectorColumns})";
        yield return $"CREATE TRIGGER IF NOT EXISTS {Quote(Name + "__vectors_ad")} AFTER DELETE ON {Table} BEGIN DELETE FROM {VectorTable} WHERE {Quote(RowId)} = old.{Quote(RowId)}; END";

        foreach (var data in Model.DataProperties.Where(p => p.IsIndexed))
        {
            yield return $"CREATE INDEX IF NOT EXISTS {Quote(Name + "__ix_" + data.StorageName)} ON {Table} ({Quote(data.StorageName)})";
        }

        if (FullTextProperties.Count == 0)
        {
            yield break;
        }

        var ftsColumns = string.Join(", ", FullTextProperties.Select(p => Quote(p.StorageName)));
        var newValues = string.Join(", ", FullTextProperties.Select(p => "new." + Quote(p.StorageName)));
        var oldValues = string.Join(", ", FullTextProperties.Select(p => "old." + Quote(p.StorageName)));
        var rid = Quote(RowId);
        yield return $"CREATE VIRTUAL TABLE IF NOT EXISTS {FtsTable} USING fts5({ftsColumns}, content={Literal(Name)}, content_rowid={Literal(RowId)}, tokenize='porter unicode61 remove_diacritics 2')";
        yield return $"CREATE TRIGGER IF NOT EXISTS {Quote(Name + "__fts_ai")} AFTER INSERT ON {Table} BEGIN INSERT INTO {FtsTable}(rowid, {ftsColumns}) VALUES (new.{rid}, {newValues}); END";
        yield return $"CREATE TRIGGER IF NOT EXISTS {Quote(Name + "__fts_ad")} AFTER DELETE ON {Table} BEGIN INSERT INTO {FtsTable}({FtsTable}, rowid, {ftsColumns}) VALUES ('delete', old.{rid}, {oldValues}); END";
        yield return $"CREATE TRIGGER IF NOT EXISTS {Quote(Name + "__fts_au")} AFTER UPDATE ON {Table} BEGIN INSERT INTO {FtsTable}({FtsTable}, rowid, {ftsColumns}) VALUES ('delete', old.{rid}, {oldValues}); INSERT INTO {FtsTable}(rowid, {ftsColumns}) VALUES (new.{rid}, {newValues}); END";
    }

    /// <summary>The statements that drop the collection (triggers and indexes go with their tables).</summary>
    internal IEnumerable<string> DropStatements()
    {
        yield return $"DROP TABLE IF EXISTS {FtsTable}";
        yield return $"DROP TABLE IF EXISTS {VectorTable}";
        yield return $"DROP TABLE IF EXISTS {Table}";
    }

    private static string BuildSignature(CollectionModel model)
    {
        var text = new StringBuilder();
        var key = model.KeyProperty;
        text.Append(CultureInfo.InvariantCulture, $"key {key.StorageName} {SqliteValueConverter.ColumnType(key.Type)};");
        foreach (var data in model.DataProperties)
        {
            text.Append(CultureInfo.InvariantCulture, $"data {data.StorageName} {SqliteValueConverter.ColumnType(data.Type)}{(data.IsIndexed ? " indexed" : "")}{(data.IsFullTextIndexed ? " fulltext" : "")};");
        }

        foreach (var vector in model.VectorProperties)
        {
            text.Append(CultureInfo.InvariantCulture, $"vector {vector.StorageName} {vector.Dimensions};");
        }

        return text.ToString();
    }
}

/// <summary>A vector property with its resolved distance function and index kind.</summary>
internal sealed class VectorColumn
{
    internal VectorColumn(VectorPropertyModel property)
    {
        Property = property;
        Dimensions = property.Dimensions;
        if (Dimensions <= 0)
        {
            throw new ArgumentException($"The vector property '{property.ModelName}' must declare a positive number of dimensions (it has {Dimensions}).", nameof(property));
        }

        Distance = VectorDistance.Parse(property.DistanceFunction, property.ModelName);
        IndexKind = property.IndexKind ?? Microsoft.Extensions.VectorData.IndexKind.Dynamic;
        if (IndexKind is not (Microsoft.Extensions.VectorData.IndexKind.Flat or Microsoft.Extensions.VectorData.IndexKind.Hnsw or Microsoft.Extensions.VectorData.IndexKind.Dynamic))
        {
            throw new NotSupportedException(
                $"The vector property '{property.ModelName}' asks for the index kind '{IndexKind}'; the SQLite vector store supports {nameof(Microsoft.Extensions.VectorData.IndexKind.Flat)}, {nameof(Microsoft.Extensions.VectorData.IndexKind.Hnsw)} and {nameof(Microsoft.Extensions.VectorData.IndexKind.Dynamic)}.");
        }
    }

    internal VectorPropertyModel Property { get; }

    internal int Dimensions { get; }

    internal VectorDistance Distance { get; }

    internal string IndexKind { get; }
}
