using System.Linq.Expressions;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using AgentKit.Rag.Ingestion;
using Microsoft.Extensions.VectorData;

namespace AgentKit.Rag.Tests.Support;

/// <summary>
/// A minimal in-memory chunk collection (filters compiled to delegates, exact cosine search), for tests of the
/// pipeline's logic; it deliberately offers no hybrid search, so the retriever's own fusion runs. It counts writes
/// so incremental behaviour can be checked.
/// </summary>
internal sealed class InMemoryChunkCollection : VectorStoreCollection<Guid, RagChunkRecord>
{
    private readonly Dictionary<Guid, RagChunkRecord> _records = [];

    public override string Name => "memory";

    public int Upserted { get; private set; }

    public int Deleted { get; private set; }

    public IReadOnlyCollection<RagChunkRecord> Records => _records.Values;

    public override Task<bool> CollectionExistsAsync(CancellationToken cancellationToken = default) => Task.FromResult(true);

    public override Task EnsureCollectionExistsAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public override Task EnsureCollectionDeletedAsync(CancellationToken cancellationToken = default)
    {
        _records.Clear();
        return Task.CompletedTask;
    }

    public override Task<RagChunkRecord?> GetAsync(Guid key, RecordRetrievalOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(_records.GetValueOrDefault(key));

    public override async IAsyncEnumerable<RagChunkRecord> GetAsync(IEnumerable<Guid> keys, RecordRetrievalOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        foreach (var key in keys)
        {
            if (_records.TryGetValue(key, out var record))
            {
                yield return record;
            }
        }
    }

    public override async IAsyncEnumerable<RagChunkRecord> GetAsync(Expression<Func<RagChunkRecord, bool>> filter, int top, FilteredRecordRetrievalOptions<RagChunkRecord>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        var predicate = filter.Compile();
        foreach (var record in _records.Values.Where(predicate).Take(top).ToList())
        {
            yield return Copy(record, options?.IncludeVectors ?? false);
        }
    }

    public override Task DeleteAsync(Guid key, CancellationToken cancellationToken = default) => DeleteAsync([key], cancellationToken);

    public override Task DeleteAsync(IEnumerable<Guid> keys, CancellationToken cancellationToken = default)
    {
        foreach (var key in keys)
        {
            Deleted += _records.Remove(key) ? 1 : 0;
        }

        return Task.CompletedTask;
    }

    public override Task UpsertAsync(RagChunkRecord record, CancellationToken cancellationToken = default) => UpsertAsync([record], cancellationToken);

    public override Task UpsertAsync(IEnumerable<RagChunkRecord> records, CancellationToken cancellationToken = default)
    {
        foreach (var record in records)
        {
            _records[record.Id] = Copy(record, includeVector: true);
            Upserted++;
        }

        return Task.CompletedTask;
    }

    public override async IAsyncEnumerable<VectorSearchResult<RagChunkRecord>> SearchAsync<TInput>(TInput searchValue, int top, VectorSearchOptions<RagChunkRecord>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        var query = searchValue switch
        {
            ReadOnlyMemory<float> memory => memory,
            float[] array => array,
            _ => throw new NotSupportedException($"Search by {typeof(TInput)} is not supported."),
        };
        var predicate = ((Expression<Func<RagChunkRecord, bool>>?)options?.Filter)?.Compile() ?? (_ => true);
        var ranked = _records.Values.Where(predicate)
            .Select(r => (Record: r, Score: (double)TensorPrimitives.CosineSimilarity(query.Span, r.Vector.Span)))
            .OrderByDescending(r => r.Score)
            .Take(top)
            .ToList();
        foreach (var (record, score) in ranked)
        {
            yield return new VectorSearchResult<RagChunkRecord>(Copy(record, options?.IncludeVectors ?? false), score);
        }
    }

    public override object? GetService(Type serviceType, object? serviceKey = null) => null;

    private static RagChunkRecord Copy(RagChunkRecord r, bool includeVector) => new()
    {
        Id = r.Id, Text = r.Text, Source = r.Source, Title = r.Title, Page = r.Page, Section = r.Section, ChunkIndex = r.ChunkIndex,
        ContentHash = r.ContentHash, FileHash = r.FileHash, EmbeddingModel = r.EmbeddingModel, Terms = r.Terms,
        Vector = includeVector ? r.Vector : ReadOnlyMemory<float>.Empty,
    };
}
