using AgentKit.Rag.Chunking;
using AgentKit.Rag.Embeddings;
using AgentKit.Rag.Ingestion;
using AgentKit.Rag.Retrieval;
using AgentKit.Rag.Tests.Support;
using Microsoft.Extensions.VectorData;

namespace AgentKit.Rag.Tests.Ingestion;

/// <summary>
/// Passages: each chunk also embedded as overlapping windows of words, in a collection beside the chunks, kept in
/// step with them by incremental ingestion, and used by vector search to score a chunk by its best passage.
/// </summary>
public sealed class PassageTests : IAsyncLifetime
{
    // A long chunk whose one sentence answers the question, among filler that shares none of its words.
    private static readonly string Filler = string.Join(' ', Enumerable.Range(0, 150).Select(i => $"garden{i % 75}"));
    private static readonly string LongSection = $"# Maintenance\n\n{Filler} The turbine bearing overheats whenever the lubricant level runs low. {Filler}";
    private const string ShortSection = "# Catalogue\n\nBearing catalogue with part numbers for every turbine model we ship.";
    private const string Question = "turbine bearing overheats lubricant level low";

    private readonly TempFolder _folder = new();
    private readonly HashingEmbeddingGenerator _embedder = new();
    private SqliteChunkStore _store = null!;
    private VectorStoreCollection<Guid, RagPassageRecord> _passages = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _store = await SqliteChunkStore.OpenAsync(_embedder, Token);
        _passages = await RagChunkStore.OpenPassagesAsync(_store.Store, RagChunkStore.DefaultName, _embedder, Token);
    }

    public async ValueTask DisposeAsync()
    {
        _passages.Dispose();
        await _store.DisposeAsync();
        _folder.Dispose();
        _embedder.Dispose();
    }

    private static RagIngestionOptions Options => new() { PassageWords = 48, PassageStrideWords = 24, Chunking = new ChunkingOptions { MaxTokens = 1024, OverlapTokens = 0 } };

    private RagIngestor Ingestor(bool passages = true) => new(_store.Collection, _embedder, Options, passages: passages ? _passages : null);

    private async Task<List<RagPassageRecord>> PassagesAsync() =>
        await _passages.GetAsync(p => p.Source != "", 100_000, new() { IncludeVectors = true }, Token).ToListAsync(Token);

    [Fact]
    public void PassageTexts_CoverEveryWord_InOverlappingWindows_EachAfterTheHeadingPath()
    {
        var words = Enumerable.Range(0, 100).Select(i => $"w{i}").ToArray();
        var chunk = new DocumentChunk("/doc.md", "doc", null, ["Guide", "Setup"], string.Join("  \n", words), 0, 100);

        var passages = chunk.PassageTexts(48, 24);

        // Windows start at 0, 24, 48 and 72; the one at 72 ends with the text.
        Assert.Equal(4, passages.Count);
        Assert.All(passages, p => Assert.StartsWith("Guide > Setup\n\n", p, StringComparison.Ordinal));
        Assert.Equal(string.Join(' ', words[..48]), passages[0]["Guide > Setup\n\n".Length..]);
        Assert.Equal(string.Join(' ', words[72..]), passages[3]["Guide > Setup\n\n".Length..]);
        Assert.Equal(words.ToHashSet(), passages.SelectMany(p => p["Guide > Setup\n\n".Length..].Split(' ')).ToHashSet());
    }

    [Fact]
    public void PassageTexts_OfAShortChunk_IsItsEmbeddingText_AndBadSizesAreRefused()
    {
        var chunk = new DocumentChunk("/doc.md", "doc", null, ["Guide"], "Only a few words here.", 0, 6);

        Assert.Equal([chunk.EmbeddingText], chunk.PassageTexts(48, 24));
        Assert.Throws<ArgumentOutOfRangeException>(() => chunk.PassageTexts(0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => chunk.PassageTexts(10, 11));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RagIngestionOptions { PassageWords = 1001 }.Validate());
        var stride = Assert.Throws<ArgumentOutOfRangeException>(() => new RagIngestionOptions { PassageWords = 10, PassageStrideWords = 11 }.Validate());
        Assert.Equal("PassageStrideWords", stride.ParamName);
    }

    [Fact]
    public async Task Ingest_WritesEveryChunksPassages_AndAOneWindowChunkKeepsItsOwnVector()
    {
        var path = _folder.Write("manual.md", LongSection + "\n\n" + ShortSection);

        await Ingestor().IngestDirectoryAsync(_folder.Root, cancellationToken: Token);

        var chunks = await _store.Collection.GetAsync(r => r.ChunkIndex >= 0, 100, new() { IncludeVectors = true }, Token).ToListAsync(Token);
        var passages = await PassagesAsync();
        var longChunk = Assert.Single(chunks, c => c.Text.Contains("turbine bearing overheats", StringComparison.Ordinal));
        var shortChunk = Assert.Single(chunks, c => c.Text.StartsWith("Bearing catalogue", StringComparison.Ordinal));
        var words = longChunk.Text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
        Assert.Equal(((words - 48 + 23) / 24) + 1, passages.Count(p => p.ChunkId == longChunk.Id));
        var own = Assert.Single(passages, p => p.ChunkId == shortChunk.Id);
        Assert.Equal(shortChunk.Vector.ToArray(), own.Vector.ToArray());
        Assert.All(passages, p => Assert.Equal((path, longChunk.FileHash), (p.Source, p.FileHash)));
        Assert.Equal(passages.Count, passages.Select(p => p.Id).Distinct().Count());
    }

    [Fact]
    public async Task ChangedAndRemovedFiles_TakeTheirPassagesWithThem_AndUnchangedFilesAreNotRewritten()
    {
        _folder.Write("manual.md", LongSection);
        _folder.Write("other.md", ShortSection);
        await Ingestor().IngestDirectoryAsync(_folder.Root, cancellationToken: Token);
        var before = await PassagesAsync();

        _folder.Write("manual.md", "# Maintenance\n\nNow a short page.");
        _folder.Delete("other.md");
        var report = await Ingestor().IngestDirectoryAsync(_folder.Root, cancellationToken: Token);

        Assert.Equal([FileIngestionStatus.Updated, FileIngestionStatus.Removed], report.Files.Select(f => f.Status));
        var after = Assert.Single(await PassagesAsync());
        var chunk = Assert.Single(await _store.RecordsAsync());
        Assert.Equal((chunk.Id, chunk.FileHash), (after.ChunkId, after.FileHash));
        Assert.True(before.Count > 3);

        var generation = _store.WriteGeneration();
        var again = await Ingestor().IngestDirectoryAsync(_folder.Root, cancellationToken: Token);
        Assert.Equal(FileIngestionStatus.Unchanged, Assert.Single(again.Files).Status);
        Assert.Single(await PassagesAsync());
        Assert.Equal(generation, _store.WriteGeneration());
    }

    [Fact]
    public async Task AFileIngestedWithoutPassages_GetsThemOnTheNextRun_ThenStaysUnchanged()
    {
        _folder.Write("manual.md", LongSection);
        await Ingestor(passages: false).IngestDirectoryAsync(_folder.Root, cancellationToken: Token);
        Assert.Empty(await PassagesAsync());

        var backfill = await Ingestor().IngestDirectoryAsync(_folder.Root, cancellationToken: Token);
        var next = await Ingestor().IngestDirectoryAsync(_folder.Root, cancellationToken: Token);

        Assert.Equal(FileIngestionStatus.Updated, Assert.Single(backfill.Files).Status);
        Assert.NotEmpty(await PassagesAsync());
        Assert.Equal(FileIngestionStatus.Unchanged, Assert.Single(next.Files).Status);
    }

    [Fact]
    public async Task VectorSearch_ScoresAChunkByItsBestPassage_WithinTheSourceScope()
    {
        var manual = _folder.Write("manual.md", LongSection);
        var catalogue = _folder.Write("catalogue.md", ShortSection);
        await Ingestor().IngestDirectoryAsync(_folder.Root, cancellationToken: Token);

        var chunksOnly = await new RagRetriever(_store.Collection, _embedder).RetrieveAsync(Question, new RetrievalOptions { Mode = RetrievalMode.Vector, Top = 2 }, Token);
        var withPassages = await new RagRetriever(_store.Collection, _embedder, passages: _passages).RetrieveAsync(Question, new RetrievalOptions { Mode = RetrievalMode.Vector, Top = 2 }, Token);
        var scoped = await new RagRetriever(_store.Collection, _embedder, passages: _passages).RetrieveAsync(Question, new RetrievalOptions { Mode = RetrievalMode.Vector, Top = 2, Source = catalogue }, Token);

        // The whole long chunk is mostly filler, so its own vector loses to the short catalogue entry; its passage
        // around the answering sentence wins.
        Assert.Equal([catalogue, manual], chunksOnly.Select(c => c.Source));
        Assert.Equal([manual, catalogue], withPassages.Select(c => c.Source));
        Assert.True(withPassages[0].Score > chunksOnly[1].Score);
        Assert.Equal([catalogue], scoped.Select(c => c.Source));
    }
}
