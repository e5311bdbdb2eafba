using AgentKit.Rag.Embeddings;
using AgentKit.Rag.Ingestion;
using AgentKit.Rag.Retrieval;
using AgentKit.Rag.Tests.Support;

namespace AgentKit.Rag.Tests.Retrieval;

/// <summary>Keyword retrieval on the SQLite store: exact BM25 over the store's full-text index, in step with ingestion.</summary>
public sealed class KeywordIndexTests : IAsyncLifetime
{
    private readonly TempFolder _folder = new();
    private readonly HashingEmbeddingGenerator _embedder = new();
    private SqliteChunkStore _store = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _store = await SqliteChunkStore.OpenAsync(_embedder, Token);

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        _folder.Dispose();
        _embedder.Dispose();
    }

    private Task<IReadOnlyList<RetrievedChunk>> KeywordAsync(string query, int top = 5) =>
        new RagRetriever(_store.Collection, _embedder).RetrieveAsync(query, new RetrievalOptions { Mode = RetrievalMode.Keyword, Top = top }, Token);

    [Fact]
    public async Task Keyword_CommonWord_FindsTheRightFileAmongMoreThan200Matches()
    {
        // 300 files mention the pump once in passing; the one about it comes last in ingestion order, so a ranker
        // that reads only the first 200 matches of a word never sees it.
        for (var i = 0; i < 300; i++)
        {
            _folder.Write($"note{i:D3}.md", $"# Note {i}\n\nThe site visit on day {i} checked the fence, the gate, the pump house roof and the drainage ditch along the road.");
        }

        _folder.Write("zz-pump.md", "# Pump\n\nPump priming: fill the pump with water before starting the pump.");
        await new RagIngestor(_store.Collection, _embedder).IngestDirectoryAsync(_folder.Root, cancellationToken: Token);

        var keyword = await KeywordAsync("pump", 3);
        var hybrid = await new RagRetriever(_store.Collection, _embedder).RetrieveAsync("pump", new RetrievalOptions { Top = 3 }, Token);

        Assert.Equal("zz-pump.md", Path.GetFileName(keyword[0].Source));
        Assert.Equal("zz-pump.md", Path.GetFileName(hybrid[0].Source));
    }

    [Fact]
    public async Task Keyword_AfterChangedAndDeletedFiles_FindsOnlyWhatTheFilesNowSay()
    {
        var ingestor = new RagIngestor(_store.Collection, _embedder);
        _folder.Write("animals.md", "# Animals\n\nThe walrus lives on sea ice.");
        _folder.Write("other.md", "# Other\n\nNothing about animals here.");
        await ingestor.IngestDirectoryAsync(_folder.Root, cancellationToken: Token);
        Assert.Equal("animals.md", Path.GetFileName(Assert.Single(await KeywordAsync("walrus")).Source));

        _folder.Write("animals.md", "# Animals\n\nThe narwhal lives in arctic water.");
        await ingestor.IngestDirectoryAsync(_folder.Root, cancellationToken: Token);
        Assert.Empty(await KeywordAsync("walrus"));
        Assert.Equal("animals.md", Path.GetFileName(Assert.Single(await KeywordAsync("narwhal")).Source));

        _folder.Delete("animals.md");
        await ingestor.IngestDirectoryAsync(_folder.Root, cancellationToken: Token);
        Assert.Empty(await KeywordAsync("narwhal"));
    }

    [Fact]
    public async Task Keyword_MatchesOtherFormsOfAWord()
    {
        _folder.Write("setup.md", "# Setup\n\nInstalling the packages takes a minute.");
        _folder.Write("other.md", "# Other\n\nNothing related.");
        await new RagIngestor(_store.Collection, _embedder).IngestDirectoryAsync(_folder.Root, cancellationToken: Token);

        Assert.Equal("setup.md", Path.GetFileName(Assert.Single(await KeywordAsync("how is a package installed")).Source));
    }
}
