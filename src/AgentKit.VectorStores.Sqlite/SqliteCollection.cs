using System.Numerics.Tensors;
using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using AgentKit.Abstractions.Search;
using AgentKit.VectorStores.Sqlite.Filtering;
using AgentKit.VectorStores.Sqlite.Schema;
using AgentKit.VectorStores.Sqlite.Search;
using AgentKit.VectorStores.Sqlite.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;
using Microsoft.Extensions.VectorData.ProviderServices;

namespace AgentKit.VectorStores.Sqlite;

/// <summary>
/// A collection of records in a <see cref="SqliteVectorStore"/>: one record table, one vector table and, with
/// full-text indexed properties, one FTS5 table. Obtain it from <see cref="SqliteVectorStore.GetCollection{TKey, TRecord}"/>
/// or <see cref="SqliteVectorStore.GetDynamicCollection"/>.
/// </summary>
/// <typeparam name="TKey">The key type: <see cref="string"/>, <see cref="Guid"/>, <see cref="int"/> or <see cref="long"/> (<see cref="object"/> for dynamic collections).</typeparam>
/// <typeparam name="TRecord">The record type.</typeparam>
#pragma warning disable CA1711 // The name pairs with VectorStoreCollection, which it implements.
public sealed partial class SqliteCollection<TKey, TRecord> : VectorStoreCollection<TKey, TRecord>, IKeywordHybridSearchable<TRecord>, IKeywordSearchable<TRecord>
    where TKey : notnull
    where TRecord : class
#pragma warning restore CA1711
{
    private const int KeysPerStatement = 500;
    private readonly StoreContext _context;
    private readonly CollectionSchema _schema;
    private readonly RecordMapper _mapper;
    private readonly CollectionModel _model;
    private readonly VectorStoreCollectionMetadata _metadata;
    private volatile bool _verified;

    internal SqliteCollection(StoreContext context, string name, CollectionModel model)
    {
        _context = context;
        _model = model;
        _schema = new CollectionSchema(name, model);
        _mapper = new RecordMapper(_schema);
        Name = name;
        _metadata = new VectorStoreCollectionMetadata
        {
            VectorStoreSystemName = StoreContext.SystemName,
            VectorStoreName = context.DatabaseName,
            CollectionName = name,
        };
    }

    /// <inheritdoc />
    public override string Name { get; }

    /// <inheritdoc />
    public override Task<bool> CollectionExistsAsync(CancellationToken cancellationToken = default)
        => _context.CollectionExistsAsync(Name, cancellationToken);

    /// <inheritdoc />
    /// <exception cref="VectorStoreException">The collection exists with another schema (key, data or vector columns).</exception>
    public override async Task EnsureCollectionExistsAsync(CancellationToken cancellationToken = default)
    {
        var created = await _context.RunAsync(Name, "EnsureCollectionExists", () => _context.Database.WriteAsync((connection, transaction) =>
        {
            var existing = SqliteDatabase.Scalar(connection, transaction, $"SELECT signature FROM {CollectionSchema.Quote(CollectionSchema.CatalogTable)} WHERE name = @name", ("@name", Name)) as string;
            if (existing is not null)
            {
                CheckSignature(existing);
                RestoreFullTextIndex(connection, transaction);
                return false;
            }

            foreach (var statement in _schema.CreateStatements())
            {
                SqliteDatabase.Execute(connection, transaction, statement);
            }

            GraphStore.Delete(connection, transaction, Name);

            // A re-created collection starts its write generation at a random point, so a store in another process
            // that still mirrors the deleted collection at some generation never finds that number again.
            SqliteDatabase.Execute(connection, transaction, $"INSERT INTO {CollectionSchema.Quote(CollectionSchema.CatalogTable)} (name, signature, generation) VALUES (@name, @signature, @generation)", ("@name", Name), ("@signature", _schema.Signature), ("@generation", Random.Shared.NextInt64(1L << 52)));
            return true;
        }, cancellationToken)).ConfigureAwait(false);
        _verified = true;
        if (created)
        {
            _context.ForgetCollection(Name);
            Log.CollectionCreated(_context.Logger, Name);
        }
    }

    /// <summary>
    /// Re-creates and fills the FTS5 index of a collection whose file lacks it (the table was dropped, or the file
    /// was written by a tool that does not keep it), so keyword search covers every record again.
    /// </summary>
    private void RestoreFullTextIndex(SqliteConnection connection, SqliteTransaction transaction)
    {
        if (_schema.FullTextProperties.Count == 0
            || SqliteDatabase.Scalar(connection, transaction, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = @name", ("@name", _schema.FtsTableName)) is not null)
        {
            return;
        }

        foreach (var statement in _schema.CreateStatements())
        {
            SqliteDatabase.Execute(connection, transaction, statement);
        }

        SqliteDatabase.Execute(connection, transaction, $"INSERT INTO {_schema.FtsTable}({_schema.FtsTable}) VALUES ('rebuild')");
        Log.FullTextIndexRestored(_context.Logger, Name);
    }

    /// <inheritdoc />
    public override Task EnsureCollectionDeletedAsync(CancellationToken cancellationToken = default)
    {
        _verified = false;
        return _context.DeleteCollectionAsync(Name, cancellationToken);
    }

    /// <inheritdoc />
    public override async Task<TRecord?> GetAsync(TKey key, RecordRetrievalOptions? options = null, CancellationToken cancellationToken = default)
    {
        await foreach (var record in GetAsync([key], options, cancellationToken).ConfigureAwait(false))
        {
            return record;
        }

        return null;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<TRecord> GetAsync(IEnumerable<TKey> keys, RecordRetrievalOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var includeVectors = options?.IncludeVectors == true;
        CheckIncludeVectors(includeVectors);
        var keyValues = keys.Select(k => RecordMapper.KeyToDb(_model.KeyProperty, k)).ToList();
        var records = await _context.RunAsync(Name, "Get", () =>
        {
            using var connection = OpenVerifiedReader();
            var found = new List<TRecord>(keyValues.Count);
            foreach (var chunk in keyValues.Chunk(KeysPerStatement))
            {
                var names = string.Join(", ", chunk.Select((_, i) => "@k" + i));
                using var command = SqliteDatabase.Command(connection, null, $"{_mapper.Select(includeVectors)} WHERE t.{CollectionSchema.Quote(_model.KeyProperty.StorageName)} IN ({names})");
                for (var i = 0; i < chunk.Length; i++)
                {
                    command.Parameters.AddWithValue("@k" + i, chunk[i]);
                }

                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    found.Add(_mapper.Read<TRecord>(reader, includeVectors));
                }
            }

            return Task.FromResult(found);
        }).ConfigureAwait(false);
        foreach (var record in records)
        {
            yield return record;
        }
    }

    /// <inheritdoc />
    /// <remarks>The filter runs as SQL; see the class remarks of the store for the supported constructs.</remarks>
    public override async IAsyncEnumerable<TRecord> GetAsync(Expression<Func<TRecord, bool>> filter, int top, FilteredRecordRetrievalOptions<TRecord>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        options ??= new FilteredRecordRetrievalOptions<TRecord>();
        ArgumentOutOfRangeException.ThrowIfNegative(options.Skip, nameof(options.Skip));
        CheckIncludeVectors(options.IncludeVectors);
        var where = SqliteFilterTranslator.Translate(filter, _model, "t");
        var orderBy = OrderByClause(options);
        var records = await _context.RunAsync(Name, "Get", () =>
        {
            using var connection = OpenVerifiedReader();
            using var command = SqliteDatabase.Command(connection, null, $"{_mapper.Select(options.IncludeVectors)} WHERE {where.Sql} ORDER BY {orderBy} LIMIT @top OFFSET @skip");
            AddParameters(command, where);
            command.Parameters.AddWithValue("@top", top);
            command.Parameters.AddWithValue("@skip", options.Skip);
            using var reader = command.ExecuteReader();
            var found = new List<TRecord>();
            while (reader.Read())
            {
                found.Add(_mapper.Read<TRecord>(reader, options.IncludeVectors));
            }

            return Task.FromResult(found);
        }).ConfigureAwait(false);
        foreach (var record in records)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return record;
        }
    }

    /// <inheritdoc />
    public override Task DeleteAsync(TKey key, CancellationToken cancellationToken = default) => DeleteAsync([key], cancellationToken);

    /// <inheritdoc />
    /// <remarks>All the keys are deleted in one transaction; missing keys are ignored.</remarks>
    public override async Task DeleteAsync(IEnumerable<TKey> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var keyValues = keys.Select(k => RecordMapper.KeyToDb(_model.KeyProperty, k)).ToList();
        if (keyValues.Count == 0)
        {
            return;
        }

        VerifySchema();
        var (newGeneration, deleted) = await _context.RunAsync(Name, "Delete", () => _context.Database.WriteAsync((connection, transaction) =>
        {
            var rowIds = new List<long>();
            foreach (var chunk in keyValues.Chunk(KeysPerStatement))
            {
                var names = string.Join(", ", chunk.Select((_, i) => "@k" + i));
                using var command = SqliteDatabase.Command(connection, transaction, $"DELETE FROM {_schema.Table} WHERE {CollectionSchema.Quote(_model.KeyProperty.StorageName)} IN ({names}) RETURNING {CollectionSchema.Quote(CollectionSchema.RowId)}");
                for (var i = 0; i < chunk.Length; i++)
                {
                    command.Parameters.AddWithValue("@k" + i, chunk[i]);
                }

                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    rowIds.Add(reader.GetInt64(0));
                }
            }

            return (BumpGeneration(connection, transaction), rowIds);
        }, cancellationToken)).ConfigureAwait(false);

        foreach (var column in _schema.Vectors)
        {
            foreach (var index in _context.IndexesOf(Name, column.Property.StorageName))
            {
                index.Apply(newGeneration - 1, newGeneration, [], deleted, filterMatches: null, scalarValues: null);
            }
        }
    }

    /// <inheritdoc />
    public override Task UpsertAsync(TRecord record, CancellationToken cancellationToken = default) => UpsertAsync([record], cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// The batch is written in one transaction: all records or none. When the returned task completes, the records
    /// are committed (and survive a process kill). Guid keys left empty are generated and set on the records.
    /// </remarks>
    /// <exception cref="ArgumentException">A record is null, has no key, or has a vector of the wrong dimension.</exception>
    public override async Task UpsertAsync(IEnumerable<TRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        var list = records as IReadOnlyList<TRecord> ?? records.ToList();
        if (list.Count == 0)
        {
            return;
        }

        var rows = await PrepareRowsAsync(list, cancellationToken).ConfigureAwait(false);
        VerifySchema();
        var (newGeneration, rowIds, filterMatches, scalarValues) = await _context.RunAsync(Name, "Upsert", () => _context.Database.WriteAsync(
            (connection, transaction) =>
            {
                var (generation, written) = WriteRows(connection, transaction, rows);
                var writtenRows = "[" + string.Join(",", written) + "]";
                return (generation, written, ReevaluateCachedFilters(connection, transaction, written, writtenRows), ReadWrittenScalars(connection, transaction, writtenRows));
            },
            cancellationToken)).ConfigureAwait(false);

        for (var v = 0; v < _schema.Vectors.Count; v++)
        {
            var upserts = new List<(long, ReadOnlyMemory<float>)>(rows.Count);
            var cleared = new List<long>();
            for (var r = 0; r < rows.Count; r++)
            {
                if (rows[r].Vectors[v] is { } vector)
                {
                    upserts.Add((rowIds[r], vector));
                }
                else
                {
                    cleared.Add(rowIds[r]);
                }
            }

            foreach (var index in _context.IndexesOf(Name, _schema.Vectors[v].Property.StorageName))
            {
                index.Apply(newGeneration - 1, newGeneration, upserts, cleared, filterMatches, scalarValues);
            }
        }
    }

    /// <summary>
    /// Loads the in-memory vector caches and builds the HNSW indexes of this collection now, so that the first
    /// search does not pay for it. Optional: searches do it on demand.
    /// </summary>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <returns>A task that completes when the indexes are ready.</returns>
    public Task WarmUpAsync(CancellationToken cancellationToken = default)
        => _context.RunAsync(Name, "WarmUp", () =>
        {
            using var connection = OpenVerifiedReader();
            using var transaction = connection.BeginTransaction(deferred: true);
            foreach (var column in _schema.Vectors)
            {
                EnsureIndex(connection, transaction, column, cancellationToken);
            }

            return Task.FromResult(true);
        });

    /// <summary>The in-memory state of each vector property's index, for benchmarks and diagnostics.</summary>
    internal IReadOnlyList<(string Property, bool UsesGraph, int Count, long CacheBytes, long GraphBytes, int GraphBuilds, int GraphRestores, int FilterQueries, int CachedFilters, int InMemoryFilterEvaluations)> IndexStatistics()
        => [.. _schema.Vectors.SelectMany(v => _context.IndexesOf(Name, v.Property.StorageName)
            .Select(index => (v.Property.ModelName, index.UsesGraph, index.CachedCount, index.CacheBytes, index.GraphBytes, index.GraphBuilds, index.GraphRestores, index.FilterQueries, index.CachedFilterCount, index.InMemoryFilterEvaluations)))];

    /// <summary>What the vector cache of the first vector property keeps of each indexed scalar column (for tests and diagnostics).</summary>
    internal Dictionary<string, ScalarKind> FilterColumnKinds()
        => _schema.Vectors.SelectMany(v => _context.IndexesOf(Name, v.Property.StorageName)).FirstOrDefault()?.ScalarColumnKinds.ToDictionary(k => k.Column, k => k.Kind) ?? [];

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(VectorStoreCollectionMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    private async Task<List<PreparedRow>> PrepareRowsAsync(IReadOnlyList<TRecord> records, CancellationToken cancellationToken)
    {
        var key = _model.KeyProperty;
        var generated = new IReadOnlyList<Embedding>?[_schema.Vectors.Count];
        for (var v = 0; v < _schema.Vectors.Count; v++)
        {
            var property = _schema.Vectors[v].Property;
            if (!SqliteModelBuilder.IsNativeVectorType(property.Type))
            {
                generated[v] = await property.GenerateEmbeddingsAsync(records.Select(r => property.GetValueAsObject(r)), cancellationToken).ConfigureAwait(false);
            }
        }

        var rows = new List<PreparedRow>(records.Count);
        for (var r = 0; r < records.Count; r++)
        {
            var record = records[r] ?? throw new ArgumentException($"The record at position {r} of the batch is null.", nameof(records));
            if (key.IsAutoGenerated && key.Type == typeof(Guid) && (key.GetValueAsObject(record) is null || Equals(key.GetValueAsObject(record), Guid.Empty)))
            {
                key.SetValueAsObject(record, Guid.NewGuid());
            }

            var keyValue = RecordMapper.KeyToDb(key, key.GetValueAsObject(record));
            var data = _model.DataProperties.Select(p => SqliteValueConverter.ToDb(p.GetValueAsObject(record))).ToArray();
            for (var d = 0; d < data.Length; d++)
            {
                if (data[d] is double value && double.IsNaN(value))
                {
                    throw new ArgumentException(
                        $"The data property '{_model.DataProperties[d].ModelName}' of the record with key '{keyValue}' is NaN, which SQLite cannot store; store null for a missing value.",
                        nameof(records));
                }
            }

            var vectors = new ReadOnlyMemory<float>?[_schema.Vectors.Count];
            for (var v = 0; v < _schema.Vectors.Count; v++)
            {
                var column = _schema.Vectors[v];
                var vector = generated[v] is { } embeddings
                    ? ((Embedding<float>)embeddings[r]).Vector
                    : RecordMapper.FromVectorValue(column.Property.GetValueAsObject(record));
                if (vector is { Length: var length } && length != column.Dimensions)
                {
                    throw new ArgumentException(
                        $"The vector property '{column.Property.ModelName}' of the record with key '{keyValue}' has {length} dimensions; the collection '{Name}' expects {column.Dimensions}.",
                        nameof(records));
                }

                if (vector is { } values && !TensorPrimitives.IsFiniteAll(values.Span))
                {
                    throw new ArgumentException(
                        $"The vector property '{column.Property.ModelName}' of the record with key '{keyValue}' holds NaN or infinity; vectors must hold finite numbers.",
                        nameof(records));
                }

                vectors[v] = vector;
            }

            rows.Add(new PreparedRow(keyValue, data, vectors));
        }

        return rows;
    }

    /// <summary>
    /// Writes a batch in the caller's transaction through statements prepared once per batch: per record, an
    /// insert that does nothing when the key exists (then an update of the data columns by key), and an upsert of
    /// the vectors by row id, bound straight from the vectors' memory. Full-text triggers exist only when a
    /// property is full-text indexed, so a collection without one pays nothing for them.
    /// </summary>
    private (long Generation, long[] RowIds) WriteRows(SqliteConnection connection, SqliteTransaction transaction, List<PreparedRow> rows)
    {
        var rid = CollectionSchema.Quote(CollectionSchema.RowId);
        var keyColumn = CollectionSchema.Quote(_model.KeyProperty.StorageName);
        var dataColumns = _model.DataProperties.Select(p => CollectionSchema.Quote(p.StorageName)).ToList();
        var placeholders = string.Join(", ", Enumerable.Range(1, dataColumns.Count + 1).Select(i => "?" + i));
        using var insert = new BatchStatement(connection,
            $"INSERT INTO {_schema.Table} ({string.Join(", ", dataColumns.Prepend(keyColumn))}) VALUES ({placeholders}) ON CONFLICT({keyColumn}) DO NOTHING");
        using var update = new BatchStatement(connection, dataColumns.Count == 0
            ? $"SELECT {rid} FROM {_schema.Table} WHERE {keyColumn} = ?1"
            : $"UPDATE {_schema.Table} SET {string.Join(", ", dataColumns.Select((c, i) => $"{c} = ?{i + 2}"))} WHERE {keyColumn} = ?1 RETURNING {rid}");
        var vectorColumns = _schema.Vectors.Select(v => CollectionSchema.Quote(v.Property.StorageName)).ToList();
        using var vectorUpsert = vectorColumns.Count == 0 ? null : new BatchStatement(connection,
            $"INSERT INTO {_schema.VectorTable} ({rid}, {string.Join(", ", vectorColumns)}) VALUES (?1, {string.Join(", ", vectorColumns.Select((_, i) => "?" + (i + 2)))}) "
            + $"ON CONFLICT({rid}) DO UPDATE SET {string.Join(", ", vectorColumns.Select(c => $"{c} = excluded.{c}"))}");

        var rowIds = new long[rows.Count];
        for (var r = 0; r < rows.Count; r++)
        {
            var row = rows[r];
            insert.Bind(1, row.Key);
            for (var i = 0; i < row.Data.Length; i++)
            {
                insert.Bind(i + 2, row.Data[i]);
            }

            insert.Run();
            if (insert.Changes == 1)
            {
                rowIds[r] = insert.LastInsertRowId;
            }
            else
            {
                update.Bind(1, row.Key);
                for (var i = 0; i < row.Data.Length; i++)
                {
                    update.Bind(i + 2, row.Data[i]);
                }

                rowIds[r] = update.Run() ?? throw new SqliteException($"The record with key '{row.Key}' was neither inserted nor found.", 1);
            }

            if (vectorUpsert is not null)
            {
                vectorUpsert.Bind(1, rowIds[r]);
                for (var v = 0; v < row.Vectors.Length; v++)
                {
                    vectorUpsert.Bind(v + 2, row.Vectors[v]);
                }

                vectorUpsert.Run();
            }
        }

        return (BumpGeneration(connection, transaction), rowIds);
    }

    /// <summary>Counts a write in the catalog, in the write's transaction; returns the new generation.</summary>
    private long BumpGeneration(SqliteConnection connection, SqliteTransaction transaction)
        => SqliteDatabase.Scalar(connection, transaction, $"UPDATE {CollectionSchema.Quote(CollectionSchema.CatalogTable)} SET generation = generation + 1 WHERE name = @name RETURNING generation", ("@name", Name)) is long generation
            ? generation
            : throw new SqliteException($"no such table: {Name} (the collection is not in the catalog)", 1);

    /// <summary>Opens a reader connection after checking, once per collection object, that the stored schema matches.</summary>
    private SqliteConnection OpenVerifiedReader()
    {
        var connection = _context.Database.OpenReader();
        if (!_verified)
        {
            try
            {
                CheckSignature(ReadSignature(connection));
                _verified = true;
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }

        return connection;
    }

    private void VerifySchema()
    {
        if (!_verified)
        {
            _context.Run(Name, "Verify", () =>
            {
                using var connection = OpenVerifiedReader();
                return true;
            });
        }
    }

    private string ReadSignature(SqliteConnection connection)
        => SqliteDatabase.Scalar(connection, null, $"SELECT signature FROM {CollectionSchema.Quote(CollectionSchema.CatalogTable)} WHERE name = @name", ("@name", Name)) as string
            ?? throw new SqliteException($"no such table: {Name}", 1);

    private void CheckSignature(string stored)
    {
        if (stored != _schema.Signature)
        {
            throw new VectorStoreException(
                $"The collection '{Name}' exists with another schema. Stored: {stored} Requested: {_schema.Signature} Delete the collection or use a record type that matches it.")
            {
                VectorStoreSystemName = StoreContext.SystemName,
                VectorStoreName = _context.DatabaseName,
                CollectionName = Name,
                OperationName = "VerifySchema",
            };
        }
    }

    private void CheckIncludeVectors(bool includeVectors)
    {
        if (includeVectors && _model.EmbeddingGenerationRequired)
        {
            throw new NotSupportedException(VectorDataStrings.IncludeVectorsNotSupportedWithEmbeddingGeneration);
        }
    }

    private string OrderByClause(FilteredRecordRetrievalOptions<TRecord> options)
    {
        var rowOrder = "t." + CollectionSchema.Quote(CollectionSchema.RowId);
        if (options.OrderBy is not { } orderBy)
        {
            return rowOrder;
        }

        var definition = orderBy(new FilteredRecordRetrievalOptions<TRecord>.OrderByDefinition());
        var terms = definition.Values
            .Select(sort => $"t.{CollectionSchema.Quote(_model.GetDataOrKeyProperty(sort.PropertySelector).StorageName)} {(sort.Ascending ? "ASC" : "DESC")}")
            .Append(rowOrder);
        return string.Join(", ", terms);
    }

    private static void AddParameters(SqliteCommand command, SqlFilter filter)
    {
        for (var i = 0; i < filter.Parameters.Count; i++)
        {
            command.Parameters.AddWithValue("@f" + i, filter.Parameters[i]);
        }
    }

    private sealed record PreparedRow(object Key, object[] Data, ReadOnlyMemory<float>?[] Vectors);
}
