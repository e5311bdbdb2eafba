using AgentKit.Agents.Tools;
using AgentKit.Plugins.Knowledge;
using AgentKit.Rag.Embeddings;
using AgentKit.Rag.Ingestion;
using AgentKit.Rag.Retrieval;
using AgentKit.VectorStores.Sqlite;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace ShopBot.Policies;

/// <summary>
/// The policy documents as a searchable knowledge base: the Markdown files and the PDF handbook printed from them,
/// ingested incrementally into a SQLite vector store file (unchanged files are skipped, so restarts are fast), and
/// offered to the agent as the Knowledge plugin's <c>search_knowledge</c> tool.
/// </summary>
public sealed partial class PolicyKnowledgeBase : IToolSource, IDisposable
{
    /// <summary>The PDF handbook's file name under the data folder.</summary>
    public const string HandbookFileName = "shopbot-policy-handbook.pdf";

    private readonly SqliteVectorStore _store;
    private readonly HashingEmbeddingGenerator _embedder;
    private readonly AIFunction _search;

    private PolicyKnowledgeBase(SqliteVectorStore store, HashingEmbeddingGenerator embedder, RagRetriever retriever, IngestionReport report, string handbookPath)
    {
        _store = store;
        _embedder = embedder;
        Retriever = retriever;
        LastIngestion = report;
        HandbookPath = handbookPath;

        // MMR: the handbook repeats the Markdown files, so near-identical passages should not crowd the results.
        _search = new KnowledgePlugin(retriever, new KnowledgePluginOptions { MaxTop = 8, MmrLambda = 0.6 }).AsAIFunction();
    }

    /// <summary>Searches the policies.</summary>
    public RagRetriever Retriever { get; }

    /// <summary>What the start-up ingestion did.</summary>
    public IngestionReport LastIngestion { get; }

    /// <summary>The generated PDF handbook.</summary>
    public string HandbookPath { get; }

    /// <summary>Prints the handbook if the sources changed, opens the store and ingests what changed.</summary>
    /// <param name="policiesDirectory">The Markdown policy documents.</param>
    /// <param name="dataDirectory">Where the vector store and the handbook live.</param>
    /// <param name="logger">Logs the ingestion summary.</param>
    /// <param name="cancellationToken">Cancels the ingestion.</param>
    /// <returns>The knowledge base.</returns>
    /// <exception cref="DirectoryNotFoundException">The policies folder does not exist.</exception>
    public static async Task<PolicyKnowledgeBase> OpenAsync(string policiesDirectory, string dataDirectory, ILogger logger, CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(policiesDirectory))
        {
            throw new DirectoryNotFoundException($"The policy documents folder '{Path.GetFullPath(policiesDirectory)}' does not exist (ShopBot:PoliciesDirectory).");
        }

        Directory.CreateDirectory(dataDirectory);
        var handbook = Path.Combine(dataDirectory, HandbookFileName);
        PolicyPdfWriter.WriteIfChanged(policiesDirectory, handbook);

        var store = new SqliteVectorStore(Path.Combine(dataDirectory, "knowledge.db"));
        var embedder = new HashingEmbeddingGenerator();
        try
        {
            var collection = await RagChunkStore.OpenAsync(store, "policies", embedder, cancellationToken).ConfigureAwait(false);
            var ingestor = new RagIngestor(collection, embedder);
            var folder = await ingestor.IngestDirectoryAsync(policiesDirectory, cancellationToken: cancellationToken).ConfigureAwait(false);
            var pdf = await ingestor.IngestFilesAsync([handbook], cancellationToken: cancellationToken).ConfigureAwait(false);
            var report = new IngestionReport([.. folder.Files, .. pdf.Files], folder.Elapsed + pdf.Elapsed);
            foreach (var skipped in report.Files.Where(f => f.Status == FileIngestionStatus.Skipped))
            {
                Log.Skipped(logger, skipped.Path, skipped.Message ?? skipped.Reason?.ToString() ?? "skipped");
            }

            var changed = report.Count(FileIngestionStatus.Added) + report.Count(FileIngestionStatus.Updated);
            var unchanged = report.Count(FileIngestionStatus.Unchanged);
            Log.Ingested(logger, report.Files.Count, changed, unchanged, report.ChunksWritten, report.Elapsed);
            return new PolicyKnowledgeBase(store, embedder, new RagRetriever(collection, embedder), report, handbook);
        }
        catch
        {
            store.Dispose();
            embedder.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<AIFunction>> GetToolsAsync(CancellationToken cancellationToken) => ValueTask.FromResult<IReadOnlyList<AIFunction>>([_search]);

    /// <inheritdoc/>
    public void Dispose()
    {
        _store.Dispose();
        _embedder.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Policies: {Files} files, {Changed} (re)ingested, {Unchanged} unchanged, {Chunks} chunks written in {Elapsed}")]
        public static partial void Ingested(ILogger logger, int files, int changed, int unchanged, int chunks, TimeSpan elapsed);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Policy file {Path} was not ingested: {Message}")]
        public static partial void Skipped(ILogger logger, string path, string message);
    }
}
