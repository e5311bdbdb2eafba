namespace AgentKit.VectorStores.Sqlite.Search;

/// <summary>Receives one stored vector.</summary>
/// <param name="rowId">The record's row id.</param>
/// <param name="vector">The vector, valid only during the call.</param>
internal delegate void VectorSink(long rowId, ReadOnlySpan<float> vector);

/// <summary>Receives the values of one record's scalar columns.</summary>
/// <param name="rowId">The record's row id.</param>
/// <param name="values">The values as SQLite returned them (<see cref="DBNull"/>, <see cref="long"/>, <see cref="double"/>, <see cref="string"/>, BLOBs), valid only during the call.</param>
internal delegate void ScalarSink(long rowId, ReadOnlySpan<object?> values);

/// <summary>
/// Where a <see cref="VectorIndex"/> (re)loads from: one vector property's rows and its saved HNSW graph, read in
/// one snapshot of the file (the search's read transaction).
/// </summary>
internal interface IVectorLoader
{
    /// <summary>The number of records with a vector.</summary>
    long Count();

    /// <summary>Streams every stored vector, in row id order.</summary>
    void Read(VectorSink sink);

    /// <summary>Streams the values of the named columns of every record of the record table.</summary>
    void ReadScalars(IReadOnlyList<string> columns, ScalarSink sink);

    /// <summary>The saved graph of the property when it was saved at <paramref name="generation"/>, else null.</summary>
    byte[]? ReadGraph(long generation);
}
