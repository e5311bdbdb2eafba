using System.Diagnostics;
using AgentKit.Abstractions.Embeddings;
using AgentKit.Abstractions.Graph;
using AgentKit.Prompts;
using AgentKit.Rag.Answers;
using AgentKit.Rag.Diagnostics;
using AgentKit.Rag.Ingestion;
using AgentKit.Rag.Retrieval;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.VectorData;

namespace AgentKit.Rag.Knowledge;

/// <summary>
/// A named knowledge base: its sources ingested into a chunk collection (<see cref="IngestAsync"/>, incremental),
/// searched (<see cref="SearchAsync"/>) and answered from (<see cref="AnswerAsync"/>). Registered by
/// <c>AddAgentKitKnowledge(name, …)</c> as a keyed singleton under its name; ingestion then runs in the background.
/// </summary>
/// <remarks>
/// The base owns its collection, not the vector store, the embedding generator or the chat model. Ingestion runs are
/// serialised; searches run alongside them and see what is stored so far.
/// </remarks>
public sealed partial class KnowledgeBase : IDisposable
{
    private readonly VectorStore _store;
    private readonly IEmbeddingGenerator<string, Embedding<float>> _embedder;
    private readonly KnowledgeSources _sources;
    private readonly Func<IChatClient>? _chatClient;
    private readonly IPromptRegistry? _prompts;
    private readonly IGraphEvidenceSink? _graphSink;
    private readonly IGraphContextSource? _graphSource;
    private readonly IGraphGlobalSearch? _globalSearch;
    private readonly IRagReranker? _reranker;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _openLock = new(1, 1);
    private readonly SemaphoreSlim _ingestLock = new(1, 1);
    private readonly TaskCompletionSource _firstRun = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private VectorStoreCollection<Guid, RagChunkRecord>? _collection;
    private VectorStoreCollection<Guid, RagPassageRecord>? _passages;
    private VectorStoreCollection<Guid, RagChunkCodeRecord>? _codes;
    private volatile bool _codesWritten;
    private RagRetriever? _retriever;
    private volatile KnowledgeBaseStatus _status = new(KnowledgeIngestionState.NotIngested);

    /// <summary>Creates a knowledge base.</summary>
    /// <param name="name">Its name (the service key; also the default collection name).</param>
    /// <param name="options">Sources, chunking and retrieval settings; validated by the host at start.</param>
    /// <param name="store">Where the chunks live.</param>
    /// <param name="embedder">The embedding model for ingestion and search.</param>
    /// <param name="baseDirectory">Relative sources resolve against it; the current folder when null.</param>
    /// <param name="loggerFactory">Where ingestion progress is logged; nowhere when null.</param>
    /// <param name="chatClient">Gives the chat model <see cref="AnswerAsync"/> uses; resolved on first answer.</param>
    /// <param name="prompts">Holds the answer prompt <see cref="AnswerAsync"/> uses.</param>
    /// <param name="graphSink">A knowledge graph ingestion feeds with each file's chunks (only new or changed chunks are extracted); none when null.</param>
    /// <param name="graphSource">A knowledge graph searches fuse with the base's own ranking (<see cref="RetrievalOptions.UseGraph"/>); none when null.</param>
    /// <param name="globalSearch">The knowledge graph's global search, which answers in <see cref="RagAnswerMode.Global"/>; none when null.</param>
    /// <param name="reranker">Re-ranks searches that ask for it (<see cref="RetrievalOptions.Rerank"/>, <see cref="KnowledgeBaseOptions.Rerank"/>); none when null.</param>
    public KnowledgeBase(
        string name,
        KnowledgeBaseOptions options,
        VectorStore store,
        IEmbeddingGenerator<string, Embedding<float>> embedder,
        string? baseDirectory = null,
        ILoggerFactory? loggerFactory = null,
        Func<IChatClient>? chatClient = null,
        IPromptRegistry? prompts = null,
        IGraphEvidenceSink? graphSink = null,
        IGraphContextSource? graphSource = null,
        IGraphGlobalSearch? globalSearch = null,
        IRagReranker? reranker = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(embedder);
        Name = name;
        Options = options;
        _store = store;
        _embedder = embedder;
        _sources = new KnowledgeSources(options.Sources, baseDirectory ?? Directory.GetCurrentDirectory());
        _chatClient = chatClient;
        _prompts = prompts;
        _graphSink = graphSink;
        _graphSource = graphSource;
        _globalSearch = globalSearch;
        _reranker = reranker;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<KnowledgeBase>();
    }

    /// <summary>The knowledge base's name.</summary>
    public string Name { get; }

    /// <summary>Its settings.</summary>
    public KnowledgeBaseOptions Options { get; }

    /// <summary>Whether the base was given a re-ranker, so a search may ask for <see cref="RetrievalOptions.Rerank"/>.</summary>
    public bool CanRerank => _reranker is not null;

    /// <summary>
    /// Whether a search in <paramref name="mode"/> re-ranks unless told otherwise: <see cref="KnowledgeBaseOptions.Rerank"/>
    /// when set; else when the base keeps its chunks' token codes (its re-ranker's scorer encodes passages and the store
    /// keeps collections without vectors), which makes re-ranking cheap, and holds them (a base written before codes
    /// were kept has none until an ingestion run writes them), in vector and hybrid mode: keyword mode stays exact
    /// BM25. Known once the collection is open (<see cref="GetCollectionAsync"/>).
    /// </summary>
    /// <param name="mode">The search's mode.</param>
    /// <returns>True when the search re-ranks.</returns>
    public bool ReranksByDefault(RetrievalMode mode) => Options.Rerank ?? (_codes is not null && _codesWritten && mode != RetrievalMode.Keyword);

    /// <summary>The default retrieval settings: <see cref="KnowledgeBaseOptions.ToRetrievalOptions"/>, re-ranking as <see cref="ReranksByDefault"/> says for the base's mode.</summary>
    /// <param name="cancellationToken">Cancels opening the collection.</param>
    /// <returns>The retrieval options.</returns>
    public async Task<RetrievalOptions> GetRetrievalOptionsAsync(CancellationToken cancellationToken = default)
    {
        await GetCollectionAsync(cancellationToken).ConfigureAwait(false);
        return Options.ToRetrievalOptions() with { Rerank = ReranksByDefault(Options.Mode) };
    }

    // The passage encoder of a re-ranker that reads stored codes, unless re-ranking is switched off for the base.
    private IPassageEncodingScorer? Encoder => Options.Rerank != false && _reranker is IEncodedPassageReranker { Encoder: { } encoder } ? encoder : null;

    /// <summary>The collection holding its chunks.</summary>
    public string CollectionName => Options.Collection ?? Name;

    /// <summary>Where ingestion stands.</summary>
    public KnowledgeBaseStatus Status => _status;

    /// <summary>Opens the chunk collection (creating it when missing), sized for the embedding model.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The collection.</returns>
    public async Task<VectorStoreCollection<Guid, RagChunkRecord>> GetCollectionAsync(CancellationToken cancellationToken = default)
    {
        if (_collection is { } open)
        {
            return open;
        }

        await _openLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_collection is { } opened)
            {
                return opened;
            }

            var collection = await RagChunkStore.OpenAsync(_store, CollectionName, _embedder, cancellationToken).ConfigureAwait(false);
            if (Options.PassageWords > 0)
            {
                _passages = await RagChunkStore.OpenPassagesAsync(_store, CollectionName, _embedder, cancellationToken).ConfigureAwait(false);
            }

            if (Encoder is not null)
            {
                try
                {
                    _codes = await RagChunkStore.OpenCodesAsync(_store, CollectionName, cancellationToken).ConfigureAwait(false);

                    // Codes are written with their chunks: a base with chunks and no codes was written before codes
                    // were kept, and re-ranking it would run the model over every candidate until it is ingested again.
                    _codesWritten = await _codes.GetAsync(c => c.Source != "", 1, cancellationToken: cancellationToken).AnyAsync(cancellationToken).ConfigureAwait(false)
                        || !await collection.GetAsync(r => r.ChunkIndex == 0, 1, cancellationToken: cancellationToken).AnyAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (NotSupportedException e)
                {
                    Log.NoCodes(_logger, Name, e.Message);
                }
            }

            return _collection = collection;
        }
        finally
        {
            _openLock.Release();
        }
    }

    /// <summary>Whether the collection exists and holds at least one document, without creating it.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>True when there is something to search.</returns>
    public async Task<bool> HasDocumentsAsync(CancellationToken cancellationToken = default)
    {
        if (_collection is null && !await _store.CollectionExistsAsync(CollectionName, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        var collection = await GetCollectionAsync(cancellationToken).ConfigureAwait(false);
        return await collection.GetAsync(r => r.ChunkIndex == 0, 1, cancellationToken: cancellationToken).AnyAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The retriever over the collection.</summary>
    /// <param name="cancellationToken">Cancels opening the collection.</param>
    /// <returns>The retriever.</returns>
    public async Task<RagRetriever> GetRetrieverAsync(CancellationToken cancellationToken = default) =>
        _retriever ??= new RagRetriever(await GetCollectionAsync(cancellationToken).ConfigureAwait(false), _embedder, _reranker, _graphSource, _passages, _codes);

    /// <summary>Finds the chunks that best match a query.</summary>
    /// <param name="query">The query.</param>
    /// <param name="options">Retrieval settings; the base's (<see cref="GetRetrievalOptionsAsync"/>) when null.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <returns>The chunks, best first.</returns>
    public async Task<IReadOnlyList<RetrievedChunk>> SearchAsync(string query, RetrievalOptions? options = null, CancellationToken cancellationToken = default)
    {
        var retriever = await GetRetrieverAsync(cancellationToken).ConfigureAwait(false);
        return await retriever.RetrieveAsync(query, options ?? await GetRetrievalOptionsAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>An answerer over this base with a given chat model and prompts.</summary>
    /// <param name="chatClient">Writes the answers.</param>
    /// <param name="prompts">Holds the answer prompt.</param>
    /// <param name="options">Mode, prompt and retrieval settings; the base's (<see cref="KnowledgeBaseOptions.AnswerMode"/> and its retrieval settings) when null.</param>
    /// <param name="cancellationToken">Cancels opening the collection.</param>
    /// <returns>The answerer, with the base's graph global search when it has one.</returns>
    /// <exception cref="ArgumentException">The mode is <see cref="RagAnswerMode.Global"/> and the base has no graph global search.</exception>
    public async Task<RagAnswerer> CreateAnswererAsync(IChatClient chatClient, IPromptRegistry prompts, RagAnswererOptions? options = null, CancellationToken cancellationToken = default) =>
        new(await GetRetrieverAsync(cancellationToken).ConfigureAwait(false), chatClient, prompts, options ?? new RagAnswererOptions { Mode = Options.AnswerMode, Retrieval = await GetRetrievalOptionsAsync(cancellationToken).ConfigureAwait(false) }, _globalSearch);

    /// <summary>
    /// Answers a question from the base with its chat model (<see cref="KnowledgeBaseOptions.ChatModel"/>), citing
    /// passages; in <see cref="KnowledgeBaseOptions.AnswerMode"/> <see cref="RagAnswerMode.Global"/>, from the graph's
    /// community summaries, citing the chunks behind them.
    /// </summary>
    /// <param name="question">The question.</param>
    /// <param name="chatOptions">Chat options whose set values win over the prompt's.</param>
    /// <param name="cancellationToken">Cancels retrieval and generation.</param>
    /// <returns>The answer with its citations.</returns>
    /// <exception cref="InvalidOperationException">The base was created without a chat model or prompts.</exception>
    public async Task<RagAnswer> AnswerAsync(string question, ChatOptions? chatOptions = null, CancellationToken cancellationToken = default)
    {
        if (_chatClient is null || _prompts is null)
        {
            throw new InvalidOperationException($"The knowledge base '{Name}' has no chat model or prompt registry to answer with; use CreateAnswererAsync.");
        }

        var answerer = await CreateAnswererAsync(_chatClient(), _prompts, cancellationToken: cancellationToken).ConfigureAwait(false);
        return await answerer.AnswerAsync(question, chatOptions, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Ingests the sources: new and changed files are (re-)embedded, unchanged ones skipped, and files gone from a
    /// source have their chunks deleted. Runs one at a time per base.
    /// </summary>
    /// <param name="progress">Told after each file.</param>
    /// <param name="cancellationToken">Stops the run between files or batches; what was written stays.</param>
    /// <returns>The report: one entry per file, removals last.</returns>
    /// <exception cref="KnowledgeSourceException">A source does not exist, or the sources hold more than <see cref="KnowledgeBaseOptions.MaxFiles"/> files.</exception>
    public async Task<IngestionReport> IngestAsync(IProgress<IngestionProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        await _ingestLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        var started = Stopwatch.GetTimestamp();
        try
        {
            _status = _status with { State = KnowledgeIngestionState.Ingesting, Error = null };
            var files = _sources.Expand(Math.Max(1, Options.MaxFiles));
            Log.Started(_logger, Name, files.Count);
            var collection = await GetCollectionAsync(cancellationToken).ConfigureAwait(false);
            var ingestor = new RagIngestor(
                collection, _embedder, Options.ToIngestionOptions(), logger: _loggerFactory.CreateLogger<RagIngestor>(), graph: _graphSink, passages: _passages,
                codes: _codes, encoder: _codes is null ? null : Encoder);
            var report = await ingestor.IngestFilesAsync(files, progress, cancellationToken).ConfigureAwait(false);
            var removed = await RemoveVanishedAsync(collection, ingestor, files, cancellationToken).ConfigureAwait(false);
            report = new IngestionReport([.. report.Files, .. removed], Stopwatch.GetElapsedTime(started));
            _codesWritten |= _codes is not null;
            _status = new KnowledgeBaseStatus(KnowledgeIngestionState.Ready, report);
            RagTelemetry.RecordIngestion(Name, report, "ok");
            return report;
        }
        catch (Exception e)
        {
            var reason = e is OperationCanceledException ? "cancelled" : e.Message;
            _status = _status with { State = KnowledgeIngestionState.Failed, Error = reason };
            RagTelemetry.RecordIngestion(Name, new IngestionReport([], Stopwatch.GetElapsedTime(started)), e is OperationCanceledException ? "cancelled" : "error");
            if (e is not OperationCanceledException)
            {
                Log.Failed(_logger, Name, reason);
            }

            throw;
        }
        finally
        {
            _firstRun.TrySetResult();
            _ingestLock.Release();
        }
    }

    /// <summary>Completes when the first ingestion run in this process has ended, whether it succeeded or not.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task.</returns>
    public Task WhenIngestedAsync(CancellationToken cancellationToken = default) => _firstRun.Task.WaitAsync(cancellationToken);

    /// <inheritdoc/>
    public void Dispose()
    {
        _collection?.Dispose();
        _passages?.Dispose();
        _codes?.Dispose();
        _openLock.Dispose();
        _ingestLock.Dispose();
    }

    private async Task<List<FileIngestionResult>> RemoveVanishedAsync(
        VectorStoreCollection<Guid, RagChunkRecord> collection, RagIngestor ingestor, List<string> files, CancellationToken cancellationToken)
    {
        var present = files.ToHashSet(StringComparer.Ordinal);
        var vanished = new List<string>();
        await foreach (var first in collection.GetAsync(r => r.ChunkIndex == 0, Math.Max(1, Options.MaxFiles) * 2, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (!present.Contains(first.Source) && _sources.Covers(first.Source))
            {
                vanished.Add(first.Source);
            }
        }

        var removed = new List<FileIngestionResult>(vanished.Count);
        foreach (var source in vanished)
        {
            var deleted = await ingestor.RemoveFileAsync(source, cancellationToken).ConfigureAwait(false);
            removed.Add(new FileIngestionResult(source, FileIngestionStatus.Removed, deleted));
            Log.Removed(_logger, Name, source, deleted);
        }

        return removed;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "Knowledge base '{Name}': ingesting {Files} files")]
        public static partial void Started(ILogger logger, string name, int files);

        [LoggerMessage(EventId = 21, Level = LogLevel.Information, Message = "Knowledge base '{Name}': removed '{Path}' ({Chunks} chunks), gone from its sources")]
        public static partial void Removed(ILogger logger, string name, string path, int chunks);

        [LoggerMessage(EventId = 22, Level = LogLevel.Error, Message = "Knowledge base '{Name}': ingestion failed: {Reason}")]
        public static partial void Failed(ILogger logger, string name, string reason);

        [LoggerMessage(EventId = 23, Level = LogLevel.Information, Message = "Knowledge base '{Name}': chunk codes are not kept, so searches do not re-rank by default: {Reason}")]
        public static partial void NoCodes(ILogger logger, string name, string reason);
    }
}
