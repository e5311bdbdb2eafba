using System.Buffers;
using System.Diagnostics;
using System.Linq.Expressions;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using AgentKit.Abstractions.Embeddings;
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

public sealed partial class SqliteCollection<TKey, TRecord>
{
    /// <summary>The constant of reciprocal rank fusion: a result at rank r (from 1) in a list adds 1 / (k + r).</summary>
    internal const int RrfK = 60;

    /// <inheritdoc />
    /// <remarks>
    /// The filter runs as SQL first; only matching records are scored. Scores follow the property's distance
    /// function: similarities (higher is nearer) for <c>CosineSimilarity</c> and <c>DotProductSimilarity</c>,
    /// distances (lower is nearer) otherwise; <see cref="VectorSearchOptions{TRecord}.ScoreThreshold"/> keeps scores at
    /// least (similarities) or at most (distances) the threshold. Search is exact unless the property uses an HNSW
    /// index.
    /// </remarks>
    public override async IAsyncEnumerable<VectorSearchResult<TRecord>> SearchAsync<TInput>(TInput searchValue, int top, VectorSearchOptions<TRecord>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(searchValue);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        options ??= new VectorSearchOptions<TRecord>();
        ArgumentOutOfRangeException.ThrowIfNegative(options.Skip, nameof(options.Skip));
        CheckIncludeVectors(options.IncludeVectors);
        var property = _model.GetVectorPropertyOrSingle(options);
        var column = _schema.GetVector(property);
        var query = await ResolveQueryAsync(searchValue, column, cancellationToken).ConfigureAwait(false);
        var filter = options.Filter is null ? null : SqliteFilterTranslator.Translate(options.Filter, _model, "t");

        var results = await _context.RunAsync(Name, "Search", () =>
        {
            using var connection = OpenVerifiedReader();
            using var transaction = connection.BeginTransaction(deferred: true);
            var nearest = NearestVectors(connection, transaction, column, query, options.Skip + top, filter, cancellationToken);
            var page = nearest
                .Where(r => options.ScoreThreshold is not { } threshold || column.Distance.Passes(r.Score, threshold))
                .Skip(options.Skip)
                .Take(top)
                .ToList();
            return Task.FromResult(FetchInOrder(connection, transaction, page, options.IncludeVectors));
        }).ConfigureAwait(false);

        foreach (var result in results)
        {
            yield return result;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Ranks records twice, by vector (as <see cref="SearchAsync{TInput}"/>) and by FTS5 BM25 over the full-text
    /// property for any of the keywords, each over the same filter, and fuses the two rankings by reciprocal rank
    /// fusion: score = Σ 1 / (60 + rank). Each ranking contributes its best max(50, 2 × (skip + top)) records. The
    /// score is the fused score (higher is better, at most 2 / 61); <see cref="HybridSearchOptions{TRecord}.ScoreThreshold"/>
    /// applies to it.
    /// </remarks>
    public async IAsyncEnumerable<VectorSearchResult<TRecord>> HybridSearchAsync<TInput>(TInput searchValue, ICollection<string> keywords, int top, HybridSearchOptions<TRecord>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where TInput : notnull
    {
        ArgumentNullException.ThrowIfNull(searchValue);
        ArgumentNullException.ThrowIfNull(keywords);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        options ??= new HybridSearchOptions<TRecord>();
        ArgumentOutOfRangeException.ThrowIfNegative(options.Skip, nameof(options.Skip));
        CheckIncludeVectors(options.IncludeVectors);
        var property = _model.GetVectorPropertyOrSingle(new VectorSearchOptions<TRecord> { VectorProperty = options.VectorProperty });
        var textProperty = _model.GetFullTextDataPropertyOrSingle(options.AdditionalProperty);
        var column = _schema.GetVector(property);
        var query = await ResolveQueryAsync(searchValue, column, cancellationToken).ConfigureAwait(false);
        var filter = options.Filter is null ? null : SqliteFilterTranslator.Translate(options.Filter, _model, "t");
        var candidates = Math.Max(50, 2 * (options.Skip + top));
        var match = FtsMatch(textProperty, keywords);

        var results = await _context.RunAsync(Name, "HybridSearch", () =>
        {
            using var connection = OpenVerifiedReader();
            using var transaction = connection.BeginTransaction(deferred: true);
            var byVector = NearestVectors(connection, transaction, column, query, candidates, filter, cancellationToken);
            var byKeyword = match is null ? [] : KeywordRanking(connection, transaction, match, candidates, filter);
            var fused = new Dictionary<long, double>();
            for (var i = 0; i < byVector.Length; i++)
            {
                fused[byVector[i].RowId] = 1.0 / (RrfK + i + 1);
            }

            for (var i = 0; i < byKeyword.Count; i++)
            {
                fused[byKeyword[i]] = fused.GetValueOrDefault(byKeyword[i]) + (1.0 / (RrfK + i + 1));
            }

            var page = fused
                .Select(pair => (RowId: pair.Key, Score: pair.Value))
                .OrderByDescending(r => r.Score).ThenBy(r => r.RowId)
                .Where(r => options.ScoreThreshold is not { } threshold || r.Score >= threshold)
                .Skip(options.Skip)
                .Take(top)
                .ToList();
            return Task.FromResult(FetchInOrder(connection, transaction, page, options.IncludeVectors));
        }).ConfigureAwait(false);

        foreach (var result in results)
        {
            yield return result;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Ranks by the FTS5 index's <c>bm25()</c> (k1 = 1.2, b = 0.75) over the whole collection: the index is
    /// written with the records in the same transaction, so its statistics are those of every record. Tokens are
    /// Unicode words, lower-cased, diacritics removed and Porter-stemmed (<c>install</c>, <c>installing</c> and
    /// <c>installed</c> match each other). The filter runs as SQL in the same query. The score is the BM25 score
    /// (higher is better).
    /// </remarks>
    /// <exception cref="InvalidOperationException">The record has no full-text indexed property, or several and none was named.</exception>
    public async IAsyncEnumerable<VectorSearchResult<TRecord>> KeywordSearchAsync(ICollection<string> keywords, int top, KeywordSearchOptions<TRecord>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keywords);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        options ??= new KeywordSearchOptions<TRecord>();
        CheckIncludeVectors(options.IncludeVectors);
        var textProperty = _model.GetFullTextDataPropertyOrSingle(options.TextProperty);
        var filter = options.Filter is null ? null : SqliteFilterTranslator.Translate(options.Filter, _model, "t");
        var match = FtsMatch(textProperty, keywords);
        if (match is null)
        {
            yield break;
        }

        var results = await _context.RunAsync(Name, "KeywordSearch", () =>
        {
            using var connection = OpenVerifiedReader();
            using var transaction = connection.BeginTransaction(deferred: true);
            var ranked = KeywordScores(connection, transaction, match, top, filter);
            return Task.FromResult(FetchInOrder(connection, transaction, ranked, options.IncludeVectors));
        }).ConfigureAwait(false);

        foreach (var result in results)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return result;
        }
    }

    /// <summary>The FTS5 query for any of the keywords in one column, each keyword a quoted phrase; null when there are none.</summary>
    private string? FtsMatch(DataPropertyModel property, ICollection<string> keywords)
    {
        var phrases = keywords
            .Where(k => !string.IsNullOrWhiteSpace(k))
            .Select(k => "\"" + k.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"")
            .ToList();
        if (phrases.Count == 0)
        {
            return null;
        }

        return _schema.FullTextProperties.Count == 1
            ? string.Join(" OR ", phrases)
            : $"{{{CollectionSchema.Quote(property.StorageName)}}} : ({string.Join(" OR ", phrases)})";
    }

    private List<long> KeywordRanking(SqliteConnection connection, SqliteTransaction transaction, string match, int limit, SqlFilter? filter)
        => [.. KeywordScores(connection, transaction, match, limit, filter).Select(r => r.RowId)];

    /// <summary>The best <paramref name="limit"/> matches by BM25, as row ids with scores (FTS5's bm25() negated: higher is better).</summary>
    private List<(long RowId, double Score)> KeywordScores(SqliteConnection connection, SqliteTransaction transaction, string match, int limit, SqlFilter? filter)
    {
        var rid = CollectionSchema.Quote(CollectionSchema.RowId);
        var fts = _schema.FtsTable;
        using var command = SqliteDatabase.Command(connection, transaction,
            $"SELECT t.{rid}, -bm25({fts}) AS score FROM {fts} JOIN {_schema.Table} AS t ON t.{rid} = {fts}.rowid WHERE {fts} MATCH @match{(filter is null ? "" : $" AND {filter.Sql}")} ORDER BY score DESC, t.{rid} LIMIT @limit",
            ("@match", match), ("@limit", limit));
        if (filter is not null)
        {
            AddParameters(command, filter);
        }

        using var reader = command.ExecuteReader();
        var ranked = new List<(long, double)>();
        while (reader.Read())
        {
            ranked.Add((reader.GetInt64(0), reader.GetDouble(1)));
        }

        return ranked;
    }

    private async ValueTask<ReadOnlyMemory<float>> ResolveQueryAsync<TInput>(TInput searchValue, VectorColumn column, CancellationToken cancellationToken)
    {
        var property = column.Property;
        var vector = searchValue switch
        {
            ReadOnlyMemory<float> memory => memory,
            float[] array => array,
            Embedding<float> embedding => embedding.Vector,
            _ when property.EmbeddingGenerator is IEmbeddingGenerator<TInput, Embedding<float>> generator
                => (await generator.GenerateAsync(searchValue, EmbeddingInputKind.ForQueries(), cancellationToken).ConfigureAwait(false)).Vector,
            _ when property.EmbeddingGenerator is null
                => throw new NotSupportedException(VectorDataStrings.InvalidSearchInputAndNoEmbeddingGeneratorWasConfigured(searchValue!.GetType(), SqliteModelBuilder.SupportedVectorTypes)),
            _ => throw new InvalidOperationException(VectorDataStrings.IncompatibleEmbeddingGeneratorWasConfiguredForInputType(typeof(TInput), property.EmbeddingGenerator.GetType())),
        };
        if (vector.Length != column.Dimensions)
        {
            throw new ArgumentException(
                $"The search vector has {vector.Length} dimensions; the vector property '{property.ModelName}' of collection '{Name}' has {column.Dimensions}.",
                nameof(searchValue));
        }

        if (!TensorPrimitives.IsFiniteAll(vector.Span))
        {
            throw new ArgumentException($"The search vector for '{property.ModelName}' of collection '{Name}' holds NaN or infinity; vectors must hold finite numbers.", nameof(searchValue));
        }

        return vector;
    }

    /// <summary>The <paramref name="k"/> nearest records passing the filter, as row ids with reported scores, nearest first.</summary>
    private (long RowId, double Score)[] NearestVectors(SqliteConnection connection, SqliteTransaction transaction, VectorColumn column, ReadOnlyMemory<float> query, int k, SqlFilter? filter, CancellationToken cancellationToken)
    {
        var (index, state, generation) = EnsureIndex(connection, transaction, column, cancellationToken);
        if (state == VectorIndex.State.Cached)
        {
            var rowFilter = filter is null ? null : new RowFilter(FilterKey(filter), filter, generation, () => MatchingRowIds(connection, transaction, filter));
            if (index.Search(query.Span, k, rowFilter) is { } results)
            {
                return results;
            }
        }

        return StreamScan(connection, transaction, column, query.Span, k, filter, cancellationToken);
    }

    private (VectorIndex Index, VectorIndex.State State, long Generation) EnsureIndex(SqliteConnection connection, SqliteTransaction transaction, VectorColumn column, CancellationToken cancellationToken)
    {
        var generation = SqliteDatabase.Scalar(connection, transaction, $"SELECT generation FROM {CollectionSchema.Quote(CollectionSchema.CatalogTable)} WHERE name = @name", ("@name", Name)) as long?
            ?? throw new SqliteException($"no such table: {Name}", 1);
        var index = _context.GetIndex(Name, column, _schema.FilterColumns);
        var stopwatch = Stopwatch.StartNew();
        var state = index.EnsureCurrent(generation, new SnapshotLoader(this, connection, transaction, column), out var loaded, cancellationToken);
        if (loaded is not null)
        {
            Log.IndexLoaded(_context.Logger, Name, column.Property.ModelName, index.CachedCount, loaded, stopwatch.ElapsedMilliseconds);
        }

        return (index, state, generation);
    }

    /// <summary>
    /// The row ids of the records passing the filter, as one value: SQLite concatenates them (<c>group_concat</c>),
    /// which costs several times less than stepping a reader through tens of thousands of rows (the condition
    /// itself runs on the record table and its indexes); null when none match.
    /// </summary>
    private byte[]? MatchingRowIds(SqliteConnection connection, SqliteTransaction transaction, SqlFilter filter)
    {
        using var command = SqliteDatabase.Command(connection, transaction, $"SELECT CAST(group_concat(t.{CollectionSchema.Quote(CollectionSchema.RowId)}) AS BLOB) FROM {_schema.Table} AS t WHERE {filter.Sql}");
        AddParameters(command, filter);
        return command.ExecuteScalar() as byte[];
    }

    /// <summary>
    /// For each filter whose results this collection's indexes keep (as many as their budget for this many rows
    /// allows), the written row ids that pass it, read in the write's transaction by row id lookups — a row passes
    /// a filter or not by its own values alone, so the rest of a cached result stays right. The indexes drop the
    /// filters left out.
    /// </summary>
    private Dictionary<string, HashSet<long>> ReevaluateCachedFilters(SqliteConnection connection, SqliteTransaction transaction, long[] rowIds, string rows)
    {
        var matches = new Dictionary<string, HashSet<long>>(StringComparer.Ordinal);
        var rid = CollectionSchema.Quote(CollectionSchema.RowId);
        foreach (var column in _schema.Vectors)
        {
            foreach (var index in _context.IndexesOf(Name, column.Property.StorageName))
            {
                foreach (var (key, filter) in index.FiltersToReevaluate(rowIds.Length))
                {
                    if (matches.ContainsKey(key))
                    {
                        continue;
                    }

                    // NOT INDEXED: the planner would otherwise pick the filter's own index (it has no statistics), scanning
                    // every match instead of looking up the written rows.
                    using var command = SqliteDatabase.Command(connection, transaction,
                        $"SELECT t.{rid} FROM {_schema.Table} AS t NOT INDEXED WHERE t.{rid} IN (SELECT value FROM json_each(@rows)) AND ({filter.Sql})",
                        ("@rows", rows));
                    AddParameters(command, filter);
                    var passing = new HashSet<long>();
                    using (var reader = command.ExecuteReader())
                    {
                        while (reader.Read())
                        {
                            passing.Add(reader.GetInt64(0));
                        }
                    }

                    matches.Add(key, passing);
                }
            }
        }

        return matches;
    }

    /// <summary>
    /// The values of the indexed scalar columns (<see cref="CollectionSchema.FilterColumns"/>) of the written rows,
    /// read in the write's transaction, as SQLite holds them, so that the in-memory filters see what SQL would;
    /// null when the collection has no such column.
    /// </summary>
    private Dictionary<long, object?[]>? ReadWrittenScalars(SqliteConnection connection, SqliteTransaction transaction, string writtenRows)
    {
        var columns = _schema.FilterColumns;
        if (columns.Count == 0)
        {
            return null;
        }

        var values = new Dictionary<long, object?[]>();
        using var command = SqliteDatabase.Command(connection, transaction,
            $"{SelectScalars(columns)} WHERE {CollectionSchema.Quote(CollectionSchema.RowId)} IN (SELECT value FROM json_each(@rows))",
            ("@rows", writtenRows));
        ReadScalars(command, columns.Count, (rowId, row) => values[rowId] = row.ToArray());
        return values;
    }

    /// <summary>The query of the row id and the named columns of every record (add a WHERE to restrict it).</summary>
    private string SelectScalars(IReadOnlyList<string> columns)
        => $"SELECT {CollectionSchema.Quote(CollectionSchema.RowId)}{string.Concat(columns.Select(c => ", " + CollectionSchema.Quote(c)))} FROM {_schema.Table}";

    /// <summary>Runs a <see cref="SelectScalars"/> query, handing each row's values to <paramref name="sink"/> as SQLite returns them.</summary>
    private static void ReadScalars(SqliteCommand command, int columnCount, ScalarSink sink)
    {
        using var reader = command.ExecuteReader();
        var values = new object?[columnCount];
        while (reader.Read())
        {
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = reader.GetValue(i + 1);
            }

            sink(reader.GetInt64(0), values);
        }
    }

    /// <summary>The filter's SQL and parameter values, as the key under which an index may keep its matching slots.</summary>
    private static string FilterKey(SqlFilter filter)
    {
        var key = new System.Text.StringBuilder(filter.Sql);
        foreach (var parameter in filter.Parameters)
        {
            // Length-prefixed, so that no string value can make two parameter lists read alike.
            var text = parameter switch
            {
                byte[] bytes => Convert.ToHexString(bytes),
                IFormattable formattable => formattable.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
                _ => parameter.ToString() ?? "",
            };
            key.Append('|').Append(parameter.GetType().Name).Append(' ').Append(text.Length).Append(':').Append(text);
        }

        return key.ToString();
    }

    /// <summary>Exact search reading the vectors from the file into one pooled buffer, for properties too large to cache.</summary>
    private (long RowId, double Score)[] StreamScan(SqliteConnection connection, SqliteTransaction transaction, VectorColumn column, ReadOnlySpan<float> query, int k, SqlFilter? filter, CancellationToken cancellationToken)
    {
        var rid = CollectionSchema.Quote(CollectionSchema.RowId);
        var vectorColumn = CollectionSchema.Quote(column.Property.StorageName);
        var restriction = filter is null ? "" : $" AND v.{rid} IN (SELECT t.{rid} FROM {_schema.Table} AS t WHERE {filter.Sql})";
        using var command = SqliteDatabase.Command(connection, transaction, $"SELECT v.{rid}, v.{vectorColumn} FROM {_schema.VectorTable} AS v WHERE v.{vectorColumn} IS NOT NULL{restriction}");
        if (filter is not null)
        {
            AddParameters(command, filter);
        }

        var distance = column.Distance;
        var heap = new TopKHeap(k);
        var buffer = ArrayPool<byte>.Shared.Rent(column.Dimensions * sizeof(float));
        try
        {
            using var reader = command.ExecuteReader();
            var rows = 0;
            while (reader.Read())
            {
                if ((++rows & 4095) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                var vector = ReadBlob(reader, 1, buffer, column);
                var score = distance.Score(query, vector);
                var rank = distance.HigherIsBetter ? -score : score;
                if (rank < heap.Bound)
                {
                    heap.Add((float)rank, reader.GetInt64(0));
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return [.. heap.ToSorted().Select(r => (r.Id, distance.HigherIsBetter ? -(double)r.Rank : r.Rank))];
    }

    private ReadOnlySpan<float> ReadBlob(SqliteDataReader reader, int ordinal, byte[] buffer, VectorColumn column)
    {
        var bytes = column.Dimensions * sizeof(float);
        var length = reader.GetBytes(ordinal, 0, null, 0, 0);
        if (length != bytes)
        {
            throw new VectorStoreException($"A stored vector of '{column.Property.ModelName}' in collection '{Name}' has {length} bytes; {bytes} were expected ({column.Dimensions} float32 values). The file was changed outside the store.")
            {
                VectorStoreSystemName = StoreContext.SystemName,
                CollectionName = Name,
                OperationName = "Search",
            };
        }

        reader.GetBytes(ordinal, 0, buffer, 0, bytes);
        return MemoryMarshal.Cast<byte, float>(buffer.AsSpan(0, bytes));
    }

    /// <summary>Reads the records of ranked row ids, keeping the ranking's order and scores.</summary>
    private List<VectorSearchResult<TRecord>> FetchInOrder(SqliteConnection connection, SqliteTransaction transaction, List<(long RowId, double Score)> ranked, bool includeVectors)
    {
        if (ranked.Count == 0)
        {
            return [];
        }

        var rid = CollectionSchema.Quote(CollectionSchema.RowId);
        var names = string.Join(", ", ranked.Select((_, i) => "@r" + i));
        using var command = SqliteDatabase.Command(connection, transaction, $"{_mapper.Select(includeVectors)} WHERE t.{rid} IN ({names})");
        for (var i = 0; i < ranked.Count; i++)
        {
            command.Parameters.AddWithValue("@r" + i, ranked[i].RowId);
        }

        var records = new Dictionary<long, TRecord>(ranked.Count);
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                records[reader.GetInt64(0)] = _mapper.Read<TRecord>(reader, includeVectors);
            }
        }

        // A record deleted between the ranking and this read (by another process) is left out.
        return [.. ranked.Where(r => records.ContainsKey(r.RowId)).Select(r => new VectorSearchResult<TRecord>(records[r.RowId], r.Score))];
    }

    /// <summary>Loads an index from the search's snapshot: the vector table's rows and the saved graph.</summary>
    private sealed class SnapshotLoader(SqliteCollection<TKey, TRecord> collection, SqliteConnection connection, SqliteTransaction transaction, VectorColumn column) : IVectorLoader
    {
        private readonly string _vectorColumn = CollectionSchema.Quote(column.Property.StorageName);

        public long Count()
            => (long)SqliteDatabase.Scalar(connection, transaction, $"SELECT count(*) FROM {collection._schema.VectorTable} WHERE {_vectorColumn} IS NOT NULL")!;

        public void Read(VectorSink sink)
        {
            using var command = SqliteDatabase.Command(connection, transaction, $"SELECT {CollectionSchema.Quote(CollectionSchema.RowId)}, {_vectorColumn} FROM {collection._schema.VectorTable} WHERE {_vectorColumn} IS NOT NULL");
            using var reader = command.ExecuteReader();
            var buffer = new byte[column.Dimensions * sizeof(float)];
            while (reader.Read())
            {
                sink(reader.GetInt64(0), collection.ReadBlob(reader, 1, buffer, column));
            }
        }

        public void ReadScalars(IReadOnlyList<string> columns, ScalarSink sink)
        {
            using var command = SqliteDatabase.Command(connection, transaction, collection.SelectScalars(columns));
            SqliteCollection<TKey, TRecord>.ReadScalars(command, columns.Count, sink);
        }

        public byte[]? ReadGraph(long generation)
            => GraphStore.Read(connection, transaction, collection.Name, column.Property.StorageName, generation);
    }
}
