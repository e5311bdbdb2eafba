using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using AgentKit.VectorStores.Qdrant.Filters;
using AgentKit.VectorStores.Qdrant.Grpc;
using AgentKit.VectorStores.Qdrant.Hybrid;
using AgentKit.VectorStores.Qdrant.Mapping;
using Grpc.Core;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.VectorData;
using Microsoft.Extensions.VectorData.ProviderServices;
using Qdrant.Client;
using Qdrant.Client.Grpc;
using Filter = Qdrant.Client.Grpc.Filter;

namespace AgentKit.VectorStores.Qdrant;

/// <summary>
/// A Qdrant collection of <typeparamref name="TRecord"/>, reached over gRPC through Qdrant.Client. Keys are point ids
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
    private static readonly WithPayloadSelector AllPayload = new() { Enable = true };

    private readonly QdrantClient _client;
    private readonly QdrantCalls _calls;
    private readonly QdrantCollectionLayout _layout;
    private readonly QdrantRecordMapper _mapper;
    private readonly CollectionModel _model;
    private readonly int _batchSize;
    private readonly ILogger _logger;
    private readonly VectorStoreCollectionMetadata _metadata;

    internal QdrantCollection(QdrantClient client, QdrantCalls calls, string name, QdrantCollectionLayout layout, int upsertBatchSize, ILogger logger)
    {
        if (typeof(TKey) != typeof(ulong) && typeof(TKey) != typeof(Guid) && typeof(TKey) != typeof(object))
        {
            throw new NotSupportedException($"Qdrant collection keys are ulong or Guid; {typeof(TKey).Name} cannot be used.");
        }

        _client = client;
        _calls = calls;
        Name = name;
        _layout = layout;
        _model = layout.Model;
        _mapper = new QdrantRecordMapper(layout);
        _batchSize = upsertBatchSize;
        _logger = logger;
        _metadata = new VectorStoreCollectionMetadata { VectorStoreSystemName = QdrantCalls.SystemName, CollectionName = name };
    }

    /// <inheritdoc />
    public override string Name { get; }

    /// <inheritdoc />
    public override Task<bool> CollectionExistsAsync(CancellationToken cancellationToken = default) =>
        QdrantCollectionCalls.ExistsAsync(_client, _calls, Name, cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// Creates the vectors (unnamed, or named by storage name), a sparse vector with the IDF modifier beside each
    /// full-text property, the HNSW settings, then a payload index per indexed property (text for full-text).
    /// </remarks>
    public override async Task EnsureCollectionExistsAsync(CancellationToken cancellationToken = default)
    {
        if (await CollectionExistsAsync(cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var request = CreateRequest();
        try
        {
            await _calls.RunAsync(ct => _client.CreateCollectionAsync(request, ct), "CreateCollection", Name, cancellationToken).ConfigureAwait(false);
        }
        catch (QdrantVectorStoreException e) when (e.StatusCode == StatusCode.AlreadyExists)
        {
            return; // created concurrently by someone else, who also creates the indexes
        }

        var indexes = _layout.PayloadIndexes().ToList();
        foreach (var (field, schema) in indexes)
        {
            await _calls.RunAsync(ct => _client.CreatePayloadIndexAsync(Name, field, schema, wait: true, cancellationToken: ct), "CreatePayloadIndex", Name, cancellationToken)
                .ConfigureAwait(false);
        }

        QdrantLog.CollectionCreated(_logger, Name, _layout.HasNamedVectors ? "named vectors" : "one unnamed vector", indexes.Count);
    }

    /// <inheritdoc />
    public override Task EnsureCollectionDeletedAsync(CancellationToken cancellationToken = default) =>
        QdrantCollectionCalls.DeleteAsync(_client, _calls, Name, cancellationToken);

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
        var ids = keys.Select(k => QdrantPointIds.FromKey(k)).ToList();
        if (ids.Count == 0)
        {
            yield break;
        }

        var withVectors = IncludeVectors(options?.IncludeVectors ?? false);
        var points = await _calls.RunAsync(
            ct => _client.RetrieveAsync(Name, ids, AllPayload, new WithVectorsSelector { Enable = withVectors }, cancellationToken: ct),
            "Get", Name, cancellationToken).ConfigureAwait(false);
        foreach (var point in points)
        {
            yield return _mapper.FromPoint<TRecord>(point.Id, point.Payload, point.Vectors, withVectors);
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
        PointId? offset = null;
        do
        {
            var limit = (uint)(wanted - seen);
            var page = await _calls.RunAsync(
                ct => _client.ScrollAsync(Name, qdrantFilter, limit, offset, AllPayload, new WithVectorsSelector { Enable = withVectors }, orderBy: orderBy, cancellationToken: ct),
                "GetFiltered", Name, cancellationToken).ConfigureAwait(false);
            foreach (var point in page.Result)
            {
                if (seen++ >= options.Skip && seen <= wanted)
                {
                    yield return _mapper.FromPoint<TRecord>(point.Id, point.Payload, point.Vectors, withVectors);
                }
            }

            // Ordered scrolls have no next page offset; one call carries the whole window.
            offset = orderBy is null ? page.NextPageOffset : null;
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
    /// <remarks>Missing ids are ignored; the call returns once Qdrant has applied the deletion (<c>wait</c>).</remarks>
    public override async Task DeleteAsync(IEnumerable<TKey> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var ids = keys.Select(k => QdrantPointIds.FromKey(k)).ToList();
        if (ids.Count == 0)
        {
            return;
        }

        await _calls.RunAsync(ct => _client.DeleteAsync(Name, ids, wait: true, cancellationToken: ct), "Delete", Name, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes every record matching <paramref name="filter"/>, once Qdrant has applied it (<c>wait</c>).</summary>
    /// <param name="filter">Which records; the same LINQ subset as search filters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="NotSupportedException">The filter uses a construct Qdrant cannot express.</exception>
    /// <exception cref="QdrantVectorStoreException">Qdrant refused or could not be reached.</exception>
    public async Task DeleteAsync(Expression<Func<TRecord, bool>> filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var qdrantFilter = new QdrantFilterTranslator().Translate(filter, _model);
        await _calls.RunAsync(ct => _client.DeleteAsync(Name, qdrantFilter, wait: true, cancellationToken: ct), "DeleteByFilter", Name, cancellationToken)
            .ConfigureAwait(false);
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
    /// (<c>wait</c>); a failure leaves earlier batches stored. Guid keys left empty get a new Guid, written back to
    /// the record.
    /// </remarks>
    public override async Task UpsertAsync(IEnumerable<TRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        var count = 0;
        var batches = 0;
        foreach (var batch in records.Chunk(_batchSize))
        {
            var generated = await GenerateEmbeddingsAsync(batch, cancellationToken).ConfigureAwait(false);
            var request = new UpsertPoints { CollectionName = Name, Wait = true };
            for (var i = 0; i < batch.Length; i++)
            {
                var record = batch[i] ?? throw new ArgumentException("Records to upsert must not be null.", nameof(records));
                request.Points.Add(_mapper.ToPoint(record, generated?.ToDictionary(g => g.Key, g => g.Value[i])));
            }

            await _calls.RunAsync(ct => _client.UpsertAsync(request, ct), "Upsert", Name, cancellationToken).ConfigureAwait(false);
            count += request.Points.Count;
            batches++;
        }

        QdrantLog.Upserted(_logger, count, Name, batches);
    }

    /// <inheritdoc />
    /// <remarks>
    /// One Query API call. Scores are Qdrant's: similarity for Cosine and Dot (higher is better), distance for
    /// Euclid and Manhattan (lower is better); <see cref="VectorSearchOptions{TRecord}.ScoreThreshold"/> follows the
    /// same direction.
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
        var query = new QueryRequest(
            new Query { Nearest = QdrantRecordMapper.DenseInput(vector) },
            Prefetch: null,
            Using: _layout.VectorName(vectorProperty),
            Filter: options.Filter is null ? null : new QdrantFilterTranslator().Translate(options.Filter, _model),
            Params: QdrantCollectionLayout.IsExact(vectorProperty) ? new SearchParams { Exact = true } : null,
            ScoreThreshold: (float?)options.ScoreThreshold,
            Top: top,
            Skip: options.Skip,
            WithVectors: IncludeVectors(options.IncludeVectors));

        await foreach (var result in QueryAsync(query, "Search", cancellationToken).ConfigureAwait(false))
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
        var candidates = (ulong)(top + options.Skip);
        var dense = new PrefetchQuery { Query = new Query { Nearest = QdrantRecordMapper.DenseInput(vector) }, Limit = candidates };
        if (_layout.VectorName(vectorProperty) is { } denseName)
        {
            dense.Using = denseName;
        }

        if (QdrantCollectionLayout.IsExact(vectorProperty))
        {
            dense.Params = new SearchParams { Exact = true };
        }

        var prefetch = new List<PrefetchQuery> { dense };
        var sparse = Bm25SparseEncoder.EncodeQuery(keywords);
        if (sparse.Indices.Length > 0)
        {
            prefetch.Add(new PrefetchQuery { Query = new Query { Nearest = QdrantRecordMapper.SparseInput(sparse) }, Using = sparseName, Limit = candidates });
        }

        if (filter is not null)
        {
            prefetch.ForEach(p => p.Filter = filter);
        }

        var query = new QueryRequest(
            new Query { Fusion = Fusion.Rrf },
            prefetch,
            Using: null,
            Filter: null,
            Params: null,
            ScoreThreshold: (float?)options.ScoreThreshold,
            Top: top,
            Skip: options.Skip,
            WithVectors: IncludeVectors(options.IncludeVectors));

        await foreach (var result in QueryAsync(query, "HybridSearch", cancellationToken).ConfigureAwait(false))
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
            : serviceType == typeof(QdrantClient) ? _client
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    private async IAsyncEnumerable<VectorSearchResult<TRecord>> QueryAsync(QueryRequest query, string operation, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var points = await _calls.RunAsync(
            ct => _client.QueryAsync(
                Name, query.Query, query.Prefetch, query.Using, query.Filter, query.ScoreThreshold, query.Params, (ulong)query.Top, (ulong)query.Skip,
                AllPayload, new WithVectorsSelector { Enable = query.WithVectors }, cancellationToken: ct),
            operation, Name, cancellationToken).ConfigureAwait(false);
        foreach (var point in points)
        {
            yield return new VectorSearchResult<TRecord>(_mapper.FromPoint<TRecord>(point.Id, point.Payload, point.Vectors, query.WithVectors), point.Score);
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
            1 => new OrderBy { Key = _model.GetDataOrKeyProperty(sorts[0].PropertySelector).StorageName, Direction = sorts[0].Ascending ? Direction.Asc : Direction.Desc },
            _ => throw new NotSupportedException($"Qdrant orders by one payload field; {sorts.Count} were given."),
        };
    }

    private CreateCollection CreateRequest()
    {
        VectorParams Params(VectorPropertyModel v) => new() { Size = (ulong)v.Dimensions, Distance = QdrantCollectionLayout.DistanceOf(v) };
        var request = new CreateCollection { CollectionName = Name };
        if (_layout.HasNamedVectors)
        {
            var map = new VectorParamsMap();
            foreach (var vector in _model.VectorProperties)
            {
                map.Map[_layout.VectorName(vector)!] = Params(vector);
            }

            request.VectorsConfig = new VectorsConfig { ParamsMap = map };
        }
        else
        {
            request.VectorsConfig = new VectorsConfig { Params = Params(_model.VectorProperty) };
        }

        foreach (var sparseName in _model.DataProperties.Select(_layout.SparseName).OfType<string>())
        {
            request.SparseVectorsConfig ??= new SparseVectorConfig();
            request.SparseVectorsConfig.Map[sparseName] = new SparseVectorParams { Modifier = Modifier.Idf };
        }

        if (_layout.HnswM is not null || _layout.HnswEfConstruct is not null)
        {
            request.HnswConfig = new HnswConfigDiff();
            if (_layout.HnswM is { } m)
            {
                request.HnswConfig.M = (ulong)m;
            }

            if (_layout.HnswEfConstruct is { } ef)
            {
                request.HnswConfig.EfConstruct = (ulong)ef;
            }
        }

        return request;
    }

    /// <summary>One Query API call's parts, as <see cref="QdrantClient.QueryAsync(string, Query, IReadOnlyList{PrefetchQuery}, string, Filter, float?, SearchParams, ulong, ulong, WithPayloadSelector, WithVectorsSelector, ReadConsistency, ShardKeySelector, LookupLocation, TimeSpan?, CancellationToken)"/> takes them.</summary>
    private sealed record QueryRequest(
        Query Query, IReadOnlyList<PrefetchQuery>? Prefetch, string? Using, Filter? Filter, SearchParams? Params, float? ScoreThreshold, int Top, int Skip, bool WithVectors);
}
