using AgentKit.Rag.Answers;
using AgentKit.Rag.Chunking;
using AgentKit.Rag.Retrieval;

namespace AgentKit.Rag.Knowledge;

/// <summary>
/// One named knowledge base: what it reads, how it chunks, where its chunks live and how it is searched. Bound from
/// <c>AgentKit:Knowledge:&lt;name&gt;</c> or set in code with <c>AddAgentKitKnowledge(name, …)</c>.
/// </summary>
public sealed class KnowledgeBaseOptions
{
    /// <summary>
    /// What to ingest: folders (read recursively, hidden files left out), files, or glob patterns such as
    /// <c>docs/**/*.md</c>. Relative paths resolve against the content root. Files that vanish from a source have
    /// their chunks deleted at the next ingestion. At least one is required unless the base only searches what was
    /// ingested elsewhere (<see cref="IngestOnStart"/> false).
    /// </summary>
    public List<string> Sources { get; set; } = [];

    /// <summary>The collection holding the chunks. Default: the knowledge base's name.</summary>
    public string? Collection { get; set; }

    /// <summary>
    /// The embedding model: a key under <c>AgentKit:Models</c> (or of a keyed <c>IEmbeddingGenerator</c> registered in
    /// code). Default: the default embedding model (the unkeyed <c>IEmbeddingGenerator</c>).
    /// </summary>
    public string? EmbeddingModel { get; set; }

    /// <summary>The key of a keyed <c>VectorStore</c>. Default: the unkeyed one (<c>AgentKit:VectorStore</c>).</summary>
    public string? VectorStore { get; set; }

    /// <summary>The chat model <see cref="KnowledgeBase.AnswerAsync"/> writes answers with. Default: the default chat model.</summary>
    public string? ChatModel { get; set; }

    /// <summary>
    /// Whether the base feeds the host's knowledge graph (<c>AgentKit:Graph</c>) as it ingests, and fuses the graph's
    /// context into its searches. Extraction costs one model call per new or changed chunk. Default: false.
    /// </summary>
    public bool UseGraph { get; set; }

    /// <summary>
    /// How <see cref="KnowledgeBase.AnswerAsync"/> answers: <see cref="RagAnswerMode.Passages"/> (retrieved passages) or
    /// <see cref="RagAnswerMode.Global"/> (the knowledge graph's community summaries, for questions about the whole
    /// corpus; needs <c>AgentKit:Graph</c>). Default: <see cref="RagAnswerMode.Passages"/>.
    /// </summary>
    public RagAnswerMode AnswerMode { get; set; } = RagAnswerMode.Passages;

    /// <summary>How chunks are ranked by default. Default: <see cref="RetrievalMode.Hybrid"/>.</summary>
    public RetrievalMode Mode { get; set; } = RetrievalMode.Hybrid;

    /// <summary>How many chunks a search returns by default. Default: 5; from 1 to 100.</summary>
    public int Top { get; set; } = 5;

    /// <summary>Maximal marginal relevance λ for searches (see <see cref="RetrievalOptions.MmrLambda"/>). Default: off.</summary>
    public double? MmrLambda { get; set; }

    /// <summary>
    /// Whether searches re-rank their 20 best candidates with the embedding model's token-level relevance scorer
    /// (<see cref="RelevanceScorerReranker"/>; the default all-MiniLM-L6-v2 offers one): higher Recall@5 on both
    /// benchmark question sets (docs/rag.md). Default (null): yes for vector and hybrid searches (keyword mode stays
    /// exact BM25) when the base keeps its chunks' token codes, which
    /// ingestion writes when the scorer encodes passages (all-MiniLM-L6-v2) and the store keeps collections without
    /// vectors (SQLite; not Qdrant): a re-ranked search then costs one model run over the query. True: always (chunks
    /// without codes cost a model run each at query time); a model without a scorer fails the host's start. False:
    /// never by default, and no codes are written.
    /// </summary>
    public bool? Rerank { get; set; }

    /// <summary>The most tokens a chunk may have. Default: 256; at least 16.</summary>
    public int ChunkTokens { get; set; } = new ChunkingOptions().MaxTokens;

    /// <summary>Tokens repeated between consecutive chunks of a section. Default: 32; less than half of <see cref="ChunkTokens"/>.</summary>
    public int ChunkOverlapTokens { get; set; } = new ChunkingOptions().OverlapTokens;

    /// <summary>
    /// Words per passage: when above 0, chunks are also embedded as overlapping windows of this many words (in the
    /// collection <c>NAME_passages</c>) and vector search mixes each chunk's best passage into its score (about twice
    /// the embedding work at ingestion). Default: 0 (off): 48 lifted vector mode on both benchmark question sets but
    /// lowered hybrid Recall@5 on the held-out one (docs/rag.md). At most 1,000.
    /// </summary>
    public int PassageWords { get; set; }

    /// <summary>The largest file read, in bytes; larger ones are skipped. Default: 64 MiB.</summary>
    public long MaxFileBytes { get; set; } = new Ingestion.RagIngestionOptions().MaxFileBytes;

    /// <summary>The most chunks one file may make; a file that makes more is skipped. Default: 10,000.</summary>
    public int MaxChunksPerFile { get; set; } = new Ingestion.RagIngestionOptions().MaxChunksPerFile;

    /// <summary>The most files one ingestion run takes from the sources; more fail the run with a message saying so. Default: 100,000.</summary>
    public int MaxFiles { get; set; } = 100_000;

    /// <summary>Texts per call to the embedding model. Default: 32; from 1 to 4096.</summary>
    public int EmbeddingBatchSize { get; set; } = new Ingestion.RagIngestionOptions().EmbeddingBatchSize;

    /// <summary>Whether the host ingests the sources when it starts, in the background. Default: true.</summary>
    public bool IngestOnStart { get; set; } = true;

    /// <summary>When set, the host ingests again at this interval (only what changed is re-embedded). Default: never.</summary>
    public TimeSpan? RefreshInterval { get; set; }

    /// <summary>
    /// Checks every setting and that each source exists (a glob's folder before its first wildcard); each failure
    /// names its key under <paramref name="key"/> (for example <c>AgentKit:Knowledge:docs:Top</c>).
    /// </summary>
    /// <param name="key">The configuration key of these options.</param>
    /// <param name="baseDirectory">Relative sources resolve against it.</param>
    /// <returns>The failures; empty when the options are valid.</returns>
    public IReadOnlyList<string> Validate(string key, string baseDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentException.ThrowIfNullOrWhiteSpace(baseDirectory);
        var failures = new List<string>();
        if (Sources is not { Count: > 0 } && (IngestOnStart || RefreshInterval is not null))
        {
            failures.Add($"{key}:Sources: name at least one folder, file or glob pattern to ingest (or set IngestOnStart to false for a base filled elsewhere).");
        }

        for (var i = 0; i < (Sources?.Count ?? 0); i++)
        {
            var source = Sources![i];
            if (string.IsNullOrWhiteSpace(source))
            {
                failures.Add($"{key}:Sources:{i}: must not be empty.");
            }
            else if (KnowledgeSources.ExistingPart(source, baseDirectory) is var path && !Directory.Exists(path) && (KnowledgeSources.IsGlob(source) || !File.Exists(path)))
            {
                failures.Add($"{key}:Sources:{i}: '{path}' does not exist.");
            }
        }

        if (Collection is not null && string.IsNullOrWhiteSpace(Collection))
        {
            failures.Add($"{key}:Collection: must not be blank when set.");
        }

        if (!Enum.IsDefined(Mode))
        {
            failures.Add($"{key}:Mode: '{Mode}' is not a mode; use Vector, Keyword or Hybrid.");
        }

        Range(failures, $"{key}:Top", Top, 1, 100);
        if (MmrLambda is { } lambda && (double.IsNaN(lambda) || lambda is < 0 or > 1))
        {
            failures.Add($"{key}:MmrLambda: {lambda} is outside 0..1.");
        }

        Range(failures, $"{key}:ChunkTokens", ChunkTokens, 16, 1 << 20);
        if (ChunkOverlapTokens < 0 || ChunkOverlapTokens * 2L >= ChunkTokens)
        {
            failures.Add($"{key}:ChunkOverlapTokens: {ChunkOverlapTokens} must be at least 0 and less than half of ChunkTokens ({ChunkTokens}).");
        }

        Range(failures, $"{key}:PassageWords", PassageWords, 0, 1000);
        if (MaxFileBytes < 1)
        {
            failures.Add($"{key}:MaxFileBytes: {MaxFileBytes} must be positive.");
        }

        Range(failures, $"{key}:MaxChunksPerFile", MaxChunksPerFile, 1, int.MaxValue);
        Range(failures, $"{key}:MaxFiles", MaxFiles, 1, 10_000_000);
        Range(failures, $"{key}:EmbeddingBatchSize", EmbeddingBatchSize, 1, 4096);
        if (RefreshInterval is { } interval && (interval < TimeSpan.FromSeconds(1) || interval > TimeSpan.FromDays(7)))
        {
            failures.Add($"{key}:RefreshInterval: {interval} must be between 00:00:01 and 7.00:00:00.");
        }

        return failures;
    }

    private static void Range(List<string> failures, string key, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            failures.Add($"{key}: {value} is outside {min}..{max}.");
        }
    }

    /// <summary>The ingestion settings these options stand for.</summary>
    /// <returns>The ingestor's options.</returns>
    public Ingestion.RagIngestionOptions ToIngestionOptions() => new()
    {
        MaxFileBytes = MaxFileBytes,
        MaxChunksPerFile = MaxChunksPerFile,
        MaxFiles = Math.Max(MaxFiles, 1),
        EmbeddingBatchSize = EmbeddingBatchSize,
        Chunking = new ChunkingOptions { MaxTokens = ChunkTokens, OverlapTokens = ChunkOverlapTokens },
        PassageWords = PassageWords,
        PassageStrideWords = Math.Max(1, PassageWords / 2),
    };

    /// <summary>The default retrieval settings these options stand for, re-ranking only when <see cref="Rerank"/> is true (a knowledge base decides the default: <see cref="KnowledgeBase.GetRetrievalOptionsAsync"/>).</summary>
    /// <returns>The retrieval options.</returns>
    public RetrievalOptions ToRetrievalOptions() => new() { Mode = Mode, Top = Top, MmrLambda = MmrLambda, Rerank = Rerank == true };
}
