using AgentKit.VectorStores.Sqlite.Filtering;

namespace AgentKit.VectorStores.Sqlite.Search;

/// <summary>
/// A search filter as the in-memory index sees it: the row ids of the matching records, read on demand from SQL
/// in the search's snapshot, and a key (the SQL text and its parameter values) under which the index may keep the
/// matching slots, with the SQL itself, which the store's own writes re-evaluate for the rows they write.
/// </summary>
/// <param name="Key">Identifies the filter: equal keys select the same records in the same snapshot.</param>
/// <param name="Filter">The filter's SQL condition and parameters.</param>
/// <param name="SnapshotGeneration">The collection generation of the snapshot <paramref name="ReadRowIds"/> reads.</param>
/// <param name="ReadRowIds">
/// Reads the row ids of the matching records as SQLite's <c>group_concat</c> writes them (ASCII decimal, comma
/// separated; see <see cref="VectorCache.SlotsOf"/>); null when none match.
/// </param>
internal sealed record RowFilter(string Key, SqlFilter Filter, long SnapshotGeneration, Func<byte[]?> ReadRowIds);
