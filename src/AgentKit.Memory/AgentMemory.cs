using System.Collections.Concurrent;
using AgentKit.Abstractions.Graph;
using AgentKit.Memory.Policies;
using AgentKit.Memory.Read;
using AgentKit.Memory.Storage;
using AgentKit.Memory.Write;
using AgentKit.Prompts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.VectorData;

namespace AgentKit.Memory;

/// <summary>
/// The long-term memory of agents: a stream of <see cref="MemoryRecord"/>s in a Microsoft.Extensions.VectorData
/// collection, read by recency, importance and relevance (<see cref="RecallAsync"/>), written with model-rated
/// importance and mem0 reconciliation of facts (<see cref="RememberAsync"/>), condensed by reflection
/// (<see cref="ReflectAsync"/>). Thread-safe; writes are serialized in process.
/// </summary>
public sealed partial class AgentMemory : IAsyncDisposable
{
    private readonly MemoryCollection _collection;
    private readonly IEmbeddingGenerator<string, Embedding<float>> _embedder;
    private readonly IChatClient _chat;
    private readonly IPromptRegistry _prompts;
    private readonly MemoryOptions _options;
    private readonly TimeProvider _time;
    private readonly ReflectionScheduler? _reflectionScheduler;
    private readonly IGraphContextSource? _graph;
    private readonly IGraphEvidenceSink? _graphSink;
    private readonly ILogger _logger;
    private readonly ImportanceRater _rater;
    private readonly FactReconciler _reconciler;
    private readonly AccessTracker _access = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<string, AgentState> _agents = new(StringComparer.Ordinal);
    private int _disposed;

    /// <summary>Creates the memory.</summary>
    /// <param name="store">Holds the memories (any VectorData store).</param>
    /// <param name="embeddings">Embeds memories and queries; its vectors set the collection's length.</param>
    /// <param name="chatClient">Rates importance, reconciles facts and reflects, with structured output.</param>
    /// <param name="prompts">Holds the <c>memory/*</c> prompt files.</param>
    /// <param name="options">Settings; defaults when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock for created and last-accessed times and recency; the system clock when <see langword="null"/>.</param>
    /// <param name="reflectionScheduler">Where due reflections are queued for the hosted service; <see langword="null"/> runs them inline, at the end of the write that made them due.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="graph">
    /// A knowledge graph over the memories (AgentKit.Graph): when given and <see cref="MemoryOptions.UseGraph"/> is on,
    /// reads add the memories it links to the query's entities to the candidates. None when null.
    /// </param>
    /// <param name="graphSink">
    /// A knowledge graph fed with the memories: each memory a write adds or updates (reflections too) is extracted (one
    /// model call), each it deletes or evicts, and each forgotten, is removed from it. Imports are not fed. None when null.
    /// </param>
    /// <exception cref="ArgumentException">The options are invalid; the message names each problem.</exception>
    public AgentMemory(
        VectorStore store,
        IEmbeddingGenerator<string, Embedding<float>> embeddings,
        IChatClient chatClient,
        IPromptRegistry prompts,
        MemoryOptions? options = null,
        TimeProvider? timeProvider = null,
        ReflectionScheduler? reflectionScheduler = null,
        ILogger<AgentMemory>? logger = null,
        IGraphContextSource? graph = null,
        IGraphEvidenceSink? graphSink = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _embedder = embeddings ?? throw new ArgumentNullException(nameof(embeddings));
        _chat = chatClient ?? throw new ArgumentNullException(nameof(chatClient));
        _prompts = prompts ?? throw new ArgumentNullException(nameof(prompts));
        _options = options ?? new MemoryOptions();
        _options.ThrowIfInvalid();
        _time = timeProvider ?? TimeProvider.System;
        _reflectionScheduler = reflectionScheduler;
        _graph = graph;
        _graphSink = graphSink;
        _logger = logger ?? NullLogger<AgentMemory>.Instance;
        _collection = new MemoryCollection(store, _options.CollectionName, _embedder);
        _rater = new ImportanceRater(_chat, _prompts);
        _reconciler = new FactReconciler(_chat, _prompts);
    }

    /// <summary>Gets one memory, if it belongs to the scope.</summary>
    /// <param name="scope">Whose memory.</param>
    /// <param name="id">The memory's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The memory (with its embedding), or <see langword="null"/> when there is none in the scope.</returns>
    public async Task<MemoryRecord?> GetAsync(MemoryScope scope, Guid id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        scope.Validate();
        var found = await _collection.GetByIdsAsync([id], includeVectors: true, cancellationToken).ConfigureAwait(false);
        var record = found.Count == 1 ? found[0].ToRecord() : null;
        return record is not null && scope.Owns(record) ? record with { LastAccessed = _access.Effective(id, record.LastAccessed) } : null;
    }

    /// <summary>The scope's most recent memories, newest first.</summary>
    /// <param name="scope">Whose memories.</param>
    /// <param name="count">How many at most.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The memories, without embeddings.</returns>
    public async Task<IReadOnlyList<MemoryRecord>> ListRecentAsync(MemoryScope scope, int count, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        scope.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var found = await _collection.FindAsync(Filter(scope, null), count, newestFirst: true, includeVectors: false, cancellationToken).ConfigureAwait(false);
        return [.. found.Select(e => e.ToRecord() with { LastAccessed = _access.Effective(e.Id, e.LastAccessed) })];
    }

    /// <summary>Deletes a memory, if it belongs to the scope.</summary>
    /// <param name="scope">Whose memory.</param>
    /// <param name="id">The memory's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether a memory of the scope was deleted; <see langword="false"/> when there is none (or it belongs to another agent or session).</returns>
    public async Task<bool> ForgetAsync(MemoryScope scope, Guid id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        scope.Validate();
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var found = await _collection.GetByIdsAsync([id], includeVectors: false, cancellationToken).ConfigureAwait(false);
            if (found.Count == 0 || !scope.Owns(found[0].ToRecord()))
            {
                return false;
            }

            await _collection.DeleteAsync([id], cancellationToken).ConfigureAwait(false);
            _access.Forget(id);
            if (_agents.TryGetValue(scope.AgentId, out var state))
            {
                state.Count--;
            }
        }
        finally
        {
            _writeLock.Release();
        }

        await FeedGraphAsync([new MemoryChange(MemoryOperation.Delete, id, "", "Forgotten.")], _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        return true;
    }

    // The graph is derived from the memories: a failure to update it is logged, never a failed write.
    private async Task FeedGraphAsync(IEnumerable<MemoryChange> changes, DateTimeOffset observed, CancellationToken cancellationToken)
    {
        if (_graphSink is null)
        {
            return;
        }

        foreach (var change in changes)
        {
            if (change.MemoryId is not { } id)
            {
                continue;
            }

            try
            {
                var source = id.ToString();
                switch (change.Operation)
                {
                    case MemoryOperation.Add or MemoryOperation.Update:
                        await _graphSink.UpsertSourceAsync(source, GraphEvidenceKind.Memory, [new GraphEvidenceItem(source, change.Text, observed)], cancellationToken).ConfigureAwait(false);
                        break;
                    case MemoryOperation.Delete or MemoryOperation.Evict:
                        await _graphSink.DeleteSourceAsync(source, cancellationToken).ConfigureAwait(false);
                        break;
                }
            }
            catch (Exception e)
            {
                Diagnostics.MemoryLog.GraphFailed(_logger, id, e.Message, e);
            }
        }
    }

    /// <summary>
    /// Stores memories as they are (a backup, a migration, a benchmark): no redaction, rating, reconciliation, size
    /// cap or reflection accounting. Empty ids are assigned, missing times set to now, missing embeddings computed.
    /// </summary>
    /// <param name="records">The memories; the importance must be 1–10.</param>
    /// <param name="cancellationToken">Cancels the import; batches already written stay.</param>
    /// <returns>How many memories were written.</returns>
    public async Task<int> ImportAsync(IEnumerable<MemoryRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        const int BatchSize = 1000;
        var written = 0;
        foreach (var batch in records.Chunk(BatchSize))
        {
            var now = _time.GetUtcNow();
            var missing = batch.Where(r => r.Embedding.IsEmpty).Select(r => r.Text).ToList();
            var embedded = missing.Count > 0 ? await EmbedAsync(missing, cancellationToken).ConfigureAwait(false) : [];
            var next = 0;
            var entities = new List<MemoryEntity>(batch.Length);
            foreach (var record in batch)
            {
                ArgumentNullException.ThrowIfNull(record, nameof(records));
                ArgumentException.ThrowIfNullOrWhiteSpace(record.AgentId, nameof(records));
                ArgumentOutOfRangeException.ThrowIfLessThan(record.Importance, 1, nameof(records));
                ArgumentOutOfRangeException.ThrowIfGreaterThan(record.Importance, 10, nameof(records));
                entities.Add(MemoryEntity.From(record with
                {
                    Id = record.Id == Guid.Empty ? Guid.NewGuid() : record.Id,
                    Created = record.Created == default ? now : record.Created,
                    LastAccessed = record.LastAccessed == default ? now : record.LastAccessed,
                    Embedding = record.Embedding.IsEmpty ? embedded[next++] : record.Embedding,
                }));
            }

            await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await _collection.UpsertAsync(entities, cancellationToken).ConfigureAwait(false);
                foreach (var agentId in entities.Select(e => e.AgentId).Distinct(StringComparer.Ordinal))
                {
                    // Recounted from the store on the agent's next write.
                    _agents.TryRemove(agentId, out _);
                }
            }
            finally
            {
                _writeLock.Release();
            }

            written += entities.Count;
        }

        return written;
    }

    /// <summary>Writes the last-accessed times that reads recorded and that are not stored yet.</summary>
    /// <param name="cancellationToken">Cancels the write; the times stay pending.</param>
    /// <returns>A task.</returns>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var pending = _access.Drain();
        if (pending.Count == 0)
        {
            return;
        }

        try
        {
            await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var entities = await _collection.GetByIdsAsync(pending.Keys, includeVectors: true, cancellationToken).ConfigureAwait(false);
                foreach (var entity in entities)
                {
                    if (pending[entity.Id] > entity.LastAccessed)
                    {
                        entity.LastAccessed = pending[entity.Id];
                    }
                }

                await _collection.UpsertAsync(entities, cancellationToken).ConfigureAwait(false);
                Diagnostics.MemoryLog.AccessFlushed(_logger, entities.Count);
            }
            finally
            {
                _writeLock.Release();
            }
        }
        catch
        {
            foreach (var (id, when) in pending)
            {
                _access.Record([id], when);
            }

            throw;
        }
    }

    /// <summary>Writes pending last-accessed times.</summary>
    /// <returns>A task.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await FlushAsync().ConfigureAwait(false);
        _writeLock.Dispose();
        _collection.Dispose();
    }

    private string Clean(string text) => _options.RedactPersonalData ? PersonalDataRedactor.Redact(text) : text;

    private async Task<ReadOnlyMemory<float>[]> EmbedAsync(List<string> texts, CancellationToken cancellationToken)
    {
        var generated = await _embedder.GenerateAsync(texts, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (generated.Count != texts.Count)
        {
            throw new MemoryException($"The embedding generator returned {generated.Count} embeddings for {texts.Count} texts.");
        }

        return [.. generated.Select(e => e.Vector)];
    }

    private async Task<ReadOnlyMemory<float>> EmbedAsync(string text, CancellationToken cancellationToken) =>
        (await EmbedAsync([text], cancellationToken).ConfigureAwait(false))[0];

    /// <summary>Counters of one agent, loaded from the store on first need; read and changed under the write lock.</summary>
    private sealed class AgentState
    {
        public int Count { get; set; }

        public int ImportanceSinceReflection { get; set; }
    }

    private bool NeedsState => _options.ReflectionThreshold > 0 || _options.MaxMemoriesPerAgent is not null;

    // Caller holds the write lock.
    private async Task<AgentState?> StateAsync(string agentId, CancellationToken cancellationToken)
    {
        if (!NeedsState)
        {
            return null;
        }

        if (_agents.TryGetValue(agentId, out var state))
        {
            return state;
        }

        var all = await _collection.FindAllAsync(e => e.AgentId == agentId, cancellationToken).ConfigureAwait(false);
        var reflection = MemoryEntity.KindName(MemoryKind.Reflection);
        var lastReflection = all.Where(e => e.Kind == reflection).Select(e => e.Created).DefaultIfEmpty(DateTimeOffset.MinValue).Max();
        state = new AgentState
        {
            Count = all.Count,
            ImportanceSinceReflection = all.Where(e => e.Kind != reflection && e.Created > lastReflection).Sum(e => e.Importance),
        };
        _agents[agentId] = state;
        return state;
    }
}
