using AgentKit.Abstractions.Text;
using AgentKit.Embeddings.MiniLM;
using AgentKit.Rag.Chunking;
using AgentKit.Rag.Documents;
using AgentKit.Rag.Ingestion;
using AgentKit.Rag.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentKit.Rag.Tests.Chunking;

/// <summary>Chunks sized so that what is embedded (heading path and text) fits the real MiniLM model's input.</summary>
public sealed class ModelInputBudgetTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static RagDocument Document(params DocumentSection[] sections) => new("/docs/manual.md", "Manual", sections);

    private static string Prose(int sentences) => string.Join(" ", Enumerable.Range(0, sentences).Select(i =>
        $"Sentence {i} explains how the configuration_file option (see section {i}.{i % 7}) changes the daemon's behaviour, e.g. with --verbose or UTF-8 input like naïve café."));

    [Fact]
    public void Chunk_WithMiniLMLimit_EveryEmbeddingTextFitsTheModel()
    {
        using var model = new MiniLMEmbeddingGenerator();
        var counter = model.GetService<ITokenCounter>()!;
        var limit = model.GetService<ModelInputLimit>()!;
        var chunker = new TextChunker(counter, new ChunkingOptions(), limit);
        var document = Document(
            new DocumentSection(["Reference", "Configuration", "The daemon's options and their defaults"], Prose(60)),
            new DocumentSection([], Prose(30)),
            new DocumentSection([string.Join(" ", Enumerable.Range(0, 200).Select(i => $"heading{i}"))], Prose(20)),
            new DocumentSection(["Data"], string.Concat(Enumerable.Repeat("x9f3QzA7", 400))));

        var chunks = chunker.Chunk(document, Token);

        Assert.Equal(254, limit.MaxTokens);
        Assert.True(chunks.Count > 10);
        Assert.All(chunks, c => Assert.InRange(counter.CountTokens(c.EmbeddingText), 1, limit.MaxTokens));
        Assert.Contains(chunks, c => c.EmbeddingText.StartsWith("Reference > Configuration > The daemon's options and their defaults\n\n", StringComparison.Ordinal));

        // The over-long heading path is left out of what is embedded rather than squeezing the text out.
        var longHeading = chunks.Where(c => c.HeadingPath.Count == 1 && c.HeadingPath[0].StartsWith("heading0", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(longHeading);
        Assert.All(longHeading, c => Assert.Empty(c.EmbeddedHeadingPath));
        Assert.EndsWith(Prose(60)[^60..], chunks.Last(c => c.HeadingPath.Count == 3).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_WithMiniLMThatRefusesLongInput_EmbedsEveryChunkWhole()
    {
        // Truncation off: any chunk whose heading path and text exceed the model's input would fail the file.
        using var model = new MiniLMEmbeddingGenerator(new MiniLMEmbeddingGeneratorOptions { TruncateLongInputs = false });
        await using var store = await SqliteChunkStore.OpenAsync(model, Token);
        using var folder = new TempFolder();
        folder.Write("manual.md", "# Reference\n\n## Configuration of the daemon and of every client that talks to it\n\n" + Prose(80));

        var report = await new RagIngestor(store.Collection, model).IngestDirectoryAsync(folder.Root, cancellationToken: Token);

        var file = Assert.Single(report.Files);
        Assert.Equal(FileIngestionStatus.Added, file.Status);
        Assert.True(file.Chunks > 5);
    }
}
