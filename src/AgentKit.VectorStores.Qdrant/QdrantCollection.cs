using System.Linq.Expressions;
using System.Net;
using System.Runtime.CompilerServices;
using AgentKit.VectorStores.Qdrant.Filters;
using AgentKit.VectorStores.Qdrant.Http;
using AgentKit.VectorStores.Qdrant.Hybrid;
using AgentKit.VectorStores.Qdrant.Mapping;
using AgentKit.VectorStores.Qdrant.Wire;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.VectorData;
using Microsoft.Extensions.VectorData.ProviderServices;

namespace AgentKit.VectorStores.Qdrant;

/// <summary>
/// A Qdrant collection of <typeparamref name="TRecord"/> over Qdrant's REST API. Keys are point ids
/// (<see cref="ulong"/> or <see cref="Guid"/>), data properties the payload, vector properties the point's vectors.
/// Thread-safe. Get one from <see cref="QdrantVectorStore"/>.
/// </summary>
/// <typeparam name="TKey">ulong or Guid (object for dynamic collections, holding one of them).</typeparam>
/// <typeparam name="TRecord">The record type.</typeparam>
#pragma warning disable CA1711 // named after the abstraction it implements, VectorStoreCollection
public sealed class QdrantCollection<TKey, TRecord> : VectorStoreCollection<TKey, TRecord>, IKeywordHybridSearchable<TRecord>
    where TKey : notnull
    where TRecord : class
#pragma warning restore CA1711
{
    private readonly QdrantRestClient _client;
    private readonly QdrantCollectionLayout _layout;
    private readonly QdrantRecordMapper _mapper;
    private readonly CollectionModel _model;
    private readonly int _batchSize;
    private readonly ILogger _logger;
    private readonly string _path;
    private readonly VectorStoreCollectionMetadata _metadata;

    internal QdrantCollection(QdrantRestClient client, string name, QdrantCollectionLayout layout, int upsertBatchSize, ILogger logger)
    {
        if (typeof(TKey) != typeof(ulong) && typeof(TKey) != typeof(Guid) && typeof(TKey) != typeof(object))
        {
            throw new NotSupportedException($"Qdrant collection keys are ulong or Guid; {typeof(TKey).Name} cannot be used.");
        }

        _client = client;
        Name = name;
        _layout = layout;
        _model = layout.Model;
        _mapper = new QdrantRecordMapper(layout);
        _batchSize = upsertBatchSize;
        _logger = logger;
        _path = "collections/" + Uri.EscapeDataString(name);
        _metadata = new VectorStoreCollectionMetadata { VectorStoreSystemName = QdrantRestClient.SystemName, CollectionName = name };
    }

    /// <inheritdoc />
    public override string Name { get; }

    /// <inheritdoc />
    public override async Task<bool> CollectionExistsAsync(CancellationToken cancellationToken = default)
    {
        var result = await SendAsync<object, CollectionExistence>(HttpMethod.Get, _path + "/exists", null, null,
            QdrantJsonContext.Default.QdrantResponseCollectionExistence, "CollectionExists", cancellationToken).ConfigureAwait(false);
        return result?.Exists ?? false;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Creates the vectors (unnamed, or named by storage name), a sparse vector with <c>modifier: idf</c> beside each
    /// full-text property, the HNSW settings, then a payload index per indexed property (<c>text</c> for full-text).
    /// </remarks>
    public override async Task EnsureCollectionExistsAsync(CancellationToken cancellationToken = default)
    {
        if (await CollectionExistsAsync(cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        try
        {
            await SendAsync(HttpMethod.Put, _path, CreateRequest(), QdrantJsonContext.Default.CreateCollectionRequest,
                QdrantJsonContext.Default.QdrantResponseBoolean, "CreateCollection", cancellationToken).ConfigureAwait(false);
        }
        catch (QdrantVectorStoreException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            return; // created concurrently by someone else, who also creates the indexes
        }

        var indexes = _layout.PayloadIndexes().ToList();
        foreach (var (field, schema) in indexes)
        {
            await SendAsync(HttpMethod.Put, _path + "/index?wait=true", new CreateFieldIndexRequest { FieldName = field, FieldSchema = schema },
                QdrantJsonContext.Default.CreateFieldIndexRequest, QdrantJsonContext.Default.QdrantResponseUpdateResult, "CreatePayloadIndex",
                cancellationToken).ConfigureAwait(false);
        }

        QdrantLog.CollectionCreated(_logger, Name, _layout.HasNamedVectors ? "named vectors" : "one unnamed vector", indexes.Count);
    }

    /// <inheritdoc />
    public override async Task EnsureCollectionDeletedAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await SendAsync<object, bool>(HttpMethod.Delete, _path, null, null, QdrantJsonContext.Default.QdrantResponseBoolean,
                "DeleteCollection", cancellationToken).ConfigureAwait(false);
        }
        catch (QdrantVectorStoreException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
        }
    }

    /// <inheritdoc />
    public override async Task<TRecord?> GetAsync(TKey key, RecordRetrievalOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        await foreach (var record in GetAsync([key], options, cancellationToken).ConfigureAwait(false))
        {
            return record;
        }

        return null;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<TRecord> GetAsync(
        IEnumerable<TKey> keys, RecordRetrievalOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var ids = keys.Select(k => QdrantPointId.FromKey(k)).ToList();
        if (ids.Count == 0)
        {
            yield break;
        }

        var withVectors = IncludeVectors(options?.IncludeVectors ?? false);
        var points = await SendAsync(HttpMethod.Post, _path + "/points", new PointRequest { Ids = ids, WithVector = withVectors },
            QdrantJsonContext.Default.PointRequest, QdrantJsonContext.Default.QdrantResponseListRecordResult, "Get", cancellationToken).ConfigureAwait(false);
        foreach (var point in points ?? [])
        {
            yield return _mapper.FromRecord<TRecord>(point, withVectors);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Scrolls the collection. <see cref="FilteredRecordRetrievalOptions{TRecord}.OrderBy"/> takes one property, which
    /// needs a payload index that supports ranges (integer, float or datetime: mark it <c>IsIndexed</c>).
    /// </remarks>
    public override async IAsyncEnumerable<TRecord> GetAsync(
        Expression<Func<TRecord, bool>> filter, int top, FilteredRecordRetrievalOptions<TRecord>? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        options ??= new FilteredRecordRetrievalOptions<TRecord>();
        ArgumentOutOfRangeException.ThrowIfNegative(options.Skip, nameof(options.Skip));
        var withVectors = IncludeVectors(options.IncludeVectors);
        var qdrantFilter = new QdrantFilterTranslator().Translate(filter, _model);
        var orderBy = OrderBy(options);

        // Scroll pages by point id, not by count, so skipped records are fetched and dropped here.
        var wanted = options.Skip + top;
        var seen = 0;
        QdrantPointId? offset = null;
        do
        {
            var request = new ScrollRequest { Filter = qdrantFilter, Limit = wanted - seen, WithVector = withVectors, OrderBy = orderBy, Offset = offset };
            var page = await SendAsync(HttpMethod.Post, _path + "/points/scroll", request, QdrantJsonContext.Default.ScrollRequest,
                QdrantJsonContext.Default.QdrantResponseScrollResult, "GetFiltered", cancellationToken).ConfigureAwait(false);
            foreach (var point in page?.Points ?? [])
            {
                if (seen++ >= options.Skip && seen <= wanted)
                {
                    yield return _mapper.FromRecord<TRecord>(point, withVectors);
                }
            }

            // Ordered scrolls have no next page offset; one request carries the whole window.
            offset = orderBy is null ? page?.NextPageOffset : null;
        }
        while (offset is not null && seen < wanted);
    }

    /// <inheritdoc />
    public override Task DeleteAsync(TKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return DeleteAsync([key], cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>Missing ids are ignored; the call returns once Qdrant has applied the deletion (<c>wait=true</c>).</remarks>
    public override async Task DeleteAsync(IEnumerable<TKey> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var ids = keys.Select(k => QdrantPointId.FromKey(k)).ToList();
        if (ids.Count == 0)
        {
            return;
        }

        await SendAsync(HttpMethod.Post, _path + "/points/delete?wait=true", new PointIdsList { Points = ids },
            QdrantJsonContext.Default.PointIdsList, QdrantJsonContext.Default.QdrantResponseUpdateResult, "Delete", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes every record matching <paramref name="filter"/>, once Qdrant has applied it (<c>wait=true</c>).</summary>
    /// <param name="filter">Which records; the same LINQ subset as search filters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="NotSupportedException">The filter uses a construct Qdrant cannot express.</exception>
    /// <exception cref="QdrantVectorStoreException">Qdrant refused or could not be reached.</exception>
    public async Task DeleteAsync(Expression<Func<TRecord, bool>> filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var selector = new FilterSelector { Filter = new QdrantFilterTranslator().Translate(filter, _model) };
        await SendAsync(HttpMethod.Post, _path + "/points/delete?wait=true", selector, QdrantJsonContext.Default.FilterSelector,
            QdrantJsonContext.Default.QdrantResponseUpdateResult, "DeleteByFilter", cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override Task UpsertAsync(TRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        return UpsertAsync([record], cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Sent in batches of <see cref="QdrantVectorStoreOptions.UpsertBatchSize"/> points, each acknowledged once applied
    /// (<c>wait=true</c>); a failure leaves earlier batches stored. Guid keys left empty get a new Guid, written back
    /// to the record.
    /// </remarks>
    public override async Task UpsertAsync(IEnumerable<TRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        var count = 0;
        var batches = 0;
        foreach (var batch in records.Chunk(_batchSize))
        {
            var generated = await GenerateEmbeddingsAsync(batch, cancellationToken).ConfigureAwait(false);
            var points = new List<PointStruct>(batch.Length);
            for (var i = 0; i < batch.Length; i++)
            {
                var record = batch[i] ?? throw new ArgumentException("Records to upsert must not be null.", nameof(records));
                points.Add(_mapper.ToPoint(record, generated?.Select(g => (g.Key, g.Value[i])).ToDictionary(p => p.Key, p => p.Item2)));
            }

            await SendAsync(HttpMethod.Put, _path + "/points?wait=true", new PointsList { Points = points }, QdrantJsonContext.Default.PointsList,
                QdrantJsonContext.Default.QdrantResponseUpdateResult, "Upsert", cancellationToken).ConfigureAwait(false);
            count += points.Count;
            batches++;
        }

        QdrantLog.Upserted(_logger, count, Name, batches);
    }

    /// <inheritdoc />
    /// <remarks>
    /// One <c>POST /points/query</c>. Scores are Qdrant's: similarity for Cosine and Dot (higher is better), distance
    /// for Euclid and Manhattan (lower is better); <see cref="VectorSearchOptions{TRecord}.ScoreThreshold"/> follows
    /// the same direction.
    /// </remarks>
    public override async IAsyncEnumerable<VectorSearchResult<TRecord>> SearchAsync<TInput>(
        TInput searchValue, int top, VectorSearchOptions<TRecord>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(searchValue);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        options ??= new VectorSearchOptions<TRecord>();
        ArgumentOutOfRangeException.ThrowIfNegative(options.Skip, nameof(options.Skip));
        var vectorProperty = _model.GetVectorPropertyOrSingle(options);
        var vector = await SearchVectorAsync(vectorProperty, searchValue, cancellationToken).ConfigureAwait(false);
        var withVectors = IncludeVectors(options.IncludeVectors);
        var request = new QueryRequest
        {
            Query = new QdrantQuery { Dense = vector },
            Using = _layout.VectorName(vectorProperty),
            Filter = options.Filter is null ? null : new QdrantFilterTranslator().Translate(options.Filter, _model),
            Params = QdrantCollectionLayout.IsExact(vectorProperty) ? new SearchParams { Exact = true } : null,
            ScoreThreshold = (float?)options.ScoreThreshold,
            Limit = top,
            Offset = options.Skip == 0 ? null : options.Skip,
            WithVector = withVectors,
        };

        await foreach (var result in QueryAsync(request, withVectors, "Search", cancellationToken).ConfigureAwait(false))
        {
            yield return result;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Two prefetches, dense (<paramref name="searchValue"/>) and sparse (the keywords, BM25-weighted by Qdrant's IDF),
    /// each of <c>top + skip</c> candidates and filtered alike, fused with reciprocal rank fusion. Scores are RRF
    /// scores. Needs named vectors (the default when a property is full-text indexed).
    /// </remarks>
    public async IAsyncEnumerable<VectorSearchResult<TRecord>> HybridSearchAsync<TInput>(
        TInput searchValue, ICollection<string> keywords, int top, HybridSearchOptions<TRecord>? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where TInput : notnull
    {
        ArgumentNullException.ThrowIfNull(searchValue);
        ArgumentNullException.ThrowIfNull(keywords);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        options ??= new HybridSearchOptions<TRecord>();
        ArgumentOutOfRangeException.ThrowIfNegative(options.Skip, nameof(options.Skip));
        var vectorProperty = _model.GetVectorPropertyOrSingle(new VectorSearchOptions<TRecord> { VectorProperty = options.VectorProperty });
        var textProperty = _model.GetFullTextDataPropertyOrSingle(options.AdditionalProperty);
        var sparseName = _layout.SparseName(textProperty)
            ?? throw new NotSupportedException($"Hybrid search on '{Name}' needs named vectors; the collection was configured with HasNamedVectors = false.");
        var vector = await SearchVectorAsync(vectorProperty, searchValue, cancellationToken).ConfigureAwait(false);
        var filter = options.Filter is null ? null : new QdrantFilterTranslator().Translate(options.Filter, _model);
        var candidates = top + options.Skip;
        var prefetch = new List<Prefetch>
        {
            new()
            {
                Query = new QdrantQuery { Dense = vector },
                Using = _layout.VectorName(vectorProperty),
                Filter = filter,
                Params = QdrantCollectionLayout.IsExact(vectorProperty) ? new SearchParams { Exact = true } : null,
                Limit = candidates,
            },
        };
        var sparse = Bm25SparseEncoder.EncodeQuery(keywords);
        if (sparse.Indices.Length > 0)
        {
            prefetch.Add(new Prefetch { Query = new QdrantQuery { Sparse = sparse }, Using = sparseName, Filter = filter, Limit = candidates });
        }

        var withVectors = IncludeVectors(options.IncludeVectors);
        var request = new QueryRequest
        {
            Prefetch = prefetch,
            Query = new QdrantQuery { Fusion = "rrf" },
            ScoreThreshold = (float?)options.ScoreThreshold,
            Limit = top,
            Offset = options.Skip == 0 ? null : options.Skip,
            WithVector = withVectors,
        };

        await foreach (var result in QueryAsync(request, withVectors, "HybridSearch", cancellationToken).ConfigureAwait(false))
        {
            yield return result;
        }
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(VectorStoreCollectionMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    private async IAsyncEnumerable<VectorSearchResult<TRecord>> QueryAsync(
        QueryRequest request, bool withVectors, string operation, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var result = await SendAsync(HttpMethod.Post, _path + "/points/query", request, QdrantJsonContext.Default.QueryRequest,
            QdrantJsonContext.Default.QdrantResponseQueryResult, operation, cancellationToken).ConfigureAwait(false);
        foreach (var point in result?.Points ?? [])
        {
            yield return new VectorSearchResult<TRecord>(_mapper.FromRecord<TRecord>(point, withVectors), point.Score);
        }
    }

    private static async Task<ReadOnlyMemory<float>> SearchVectorAsync<TInput>(VectorPropertyModel property, TInput value, CancellationToken cancellationToken)
    {
        if (QdrantRecordMapper.AsVector(value) is { } vector)
        {
            return vector;
        }

        if (property.EmbeddingGenerator is null)
        {
            throw new NotSupportedException(VectorDataStrings.InvalidSearchInputAndNoEmbeddingGeneratorWasConfigured(typeof(TInput), QdrantModelBuilder.SupportedVectorTypes));
        }

        var embedding = await property.GenerateEmbeddingAsync(value, cancellationToken).ConfigureAwait(false);
        return embedding is Embedding<float> floats
            ? floats.Vector
            : throw new NotSupportedException($"The embedding generator of '{property.ModelName}' made {embedding.GetType().Name}; Qdrant searches with Embedding<float>.");
    }

    private async Task<Dictionary<VectorPropertyModel, IReadOnlyList<Embedding>>?> GenerateEmbeddingsAsync(TRecord[] batch, CancellationToken cancellationToken)
    {
        Dictionary<VectorPropertyModel, IReadOnlyList<Embedding>>? generated = null;
        foreach (var vector in _model.VectorProperties)
        {
            if (vector.EmbeddingGenerator is null || IsNativeVector(vector.Type))
            {
                continue;
            }

            var embeddings = await vector.GenerateEmbeddingsAsync(batch.Select(vector.GetValueAsObject)!, cancellationToken).ConfigureAwait(false);
            (generated ??= [])[vector] = embeddings;
        }

        return generated;
    }

    private static bool IsNativeVector(Type type) =>
        type == typeof(ReadOnlyMemory<float>) || type == typeof(ReadOnlyMemory<float>?) || type == typeof(Embedding<float>) || type == typeof(float[]);

    private bool IncludeVectors(bool requested) =>
        requested && _model.EmbeddingGenerationRequired
            ? throw new NotSupportedException(VectorDataStrings.IncludeVectorsNotSupportedWithEmbeddingGeneration)
            : requested;

    private OrderBy? OrderBy(FilteredRecordRetrievalOptions<TRecord> options)
    {
        if (options.OrderBy is null)
        {
            return null;
        }

        var sorts = options.OrderBy(new FilteredRecordRetrievalOptions<TRecord>.OrderByDefinition()).Values;
        return sorts.Count switch
        {
            0 => null,
            1 => new OrderBy { Key = _model.GetDataOrKeyProperty(sorts[0].PropertySelector).StorageName, Direction = sorts[0].Ascending ? "asc" : "desc" },
            _ => throw new NotSupportedException($"Qdrant orders by one payload field; {sorts.Count} were given."),
        };
    }

    private CreateCollectionRequest CreateRequest()
    {
        VectorParams Params(VectorPropertyModel v) => new() { Size = (ulong)v.Dimensions, Distance = QdrantCollectionLayout.Distance(v) };
        var sparse = _model.DataProperties.Select(_layout.SparseName).OfType<string>().ToDictionary(n => n, _ => new SparseVectorParams { Modifier = "idf" });
        return new CreateCollectionRequest
        {
            Vectors = _layout.HasNamedVectors
                ? new VectorsConfig { Named = _model.VectorProperties.ToDictionary(v => _layout.VectorName(v)!, Params) }
                : new VectorsConfig { Single = Params(_model.VectorProperty) },
            SparseVectors = sparse.Count == 0 ? null : sparse,
            HnswConfig = _layout.HnswM is null && _layout.HnswEfConstruct is null ? null : new HnswConfig { M = _layout.HnswM, EfConstruct = _layout.HnswEfConstruct },
        };
    }

    private Task<TResult?> SendAsync<TBody, TResult>(
        HttpMethod method, string path, TBody? body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TBody>? bodyInfo,
        System.Text.Json.Serialization.Metadata.JsonTypeInfo<QdrantResponse<TResult>> resultInfo, string operation, CancellationToken cancellationToken) =>
        _client.SendAsync(method, path, body, bodyInfo, resultInfo, operation, Name, cancellationToken);
}
