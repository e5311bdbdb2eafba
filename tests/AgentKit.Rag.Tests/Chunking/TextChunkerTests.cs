using AgentKit.Abstractions.Text;
using AgentKit.Rag.Chunking;
using AgentKit.Rag.Documents;

namespace AgentKit.Rag.Tests.Chunking;

public sealed class TextChunkerTests
{
    /// <summary>Counts whitespace-separated words, so sizes in the tests are easy to reason about.</summary>
    private sealed class WordCounter : ITokenCounter
    {
        public int CountTokens(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
    }

    private static RagDocument Doc(params DocumentSection[] sections) => new("/kb/a.md", "A", sections);

    private static string Sentences(int count, int words, string prefix = "S") =>
        string.Join(" ", Enumerable.Range(1, count).Select(i => string.Join(" ", Enumerable.Range(1, words - 1).Select(w => $"{prefix}{i}w{w}")) + $" end{i}."));

    [Fact]
    public void Chunk_RespectsMaxTokensAndKeepsWholeSentences()
    {
        var text = Sentences(count: 10, words: 6);
        var chunker = new TextChunker(new WordCounter(), new ChunkingOptions { MaxTokens = 20, OverlapTokens = 0 });

        var chunks = chunker.Chunk(Doc(new DocumentSection([], text)), TestContext.Current.CancellationToken);

        Assert.All(chunks, c => Assert.True(new WordCounter().CountTokens(c.Text) <= 20, c.Text));
        Assert.All(chunks, c => Assert.EndsWith(".", c.Text, StringComparison.Ordinal));
        Assert.All(chunks, c => Assert.StartsWith("S", c.Text, StringComparison.Ordinal));
        Assert.Equal(18, chunks[0].TokenCount); // three 6-word sentences; a fourth would pass 20
        Assert.Equal(text, string.Join(" ", chunks.Select(c => c.Text)));
        Assert.Equal(Enumerable.Range(0, chunks.Count), chunks.Select(c => c.Index));
    }

    [Fact]
    public void Chunk_Overlap_RepeatsTrailingSentencesWithinBudget()
    {
        var text = Sentences(count: 8, words: 5);
        var chunker = new TextChunker(new WordCounter(), new ChunkingOptions { MaxTokens = 20, OverlapTokens = 6 });

        var chunks = chunker.Chunk(Doc(new DocumentSection([], text)), TestContext.Current.CancellationToken);

        Assert.True(chunks.Count >= 3);
        for (var i = 1; i < chunks.Count; i++)
        {
            var previousLast = chunks[i - 1].Text.Split(". ")[^1].TrimEnd('.');
            Assert.StartsWith(previousLast, chunks[i].Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Chunk_Sections_AreNeverMergedAndKeepPathAndPage()
    {
        var chunker = new TextChunker(new WordCounter(), new ChunkingOptions { MaxTokens = 100, OverlapTokens = 0 });

        var chunks = chunker.Chunk(new RagDocument("/r.pdf", "Report",
        [
            new DocumentSection(["Intro"], "Short one.", 1),
            new DocumentSection(["Intro", "Scope"], "Short two.", 2),
        ]), TestContext.Current.CancellationToken);

        Assert.Equal(2, chunks.Count);
        Assert.Equal(("Intro", 1), (chunks[0].SectionPath, chunks[0].Page!.Value));
        Assert.Equal(("Intro > Scope", 2), (chunks[1].SectionPath, chunks[1].Page!.Value));
        Assert.All(chunks, c => Assert.Equal(("/r.pdf", "Report"), (c.SourcePath, c.Title)));
    }

    [Fact]
    public void Chunk_SentenceLongerThanLimit_IsCutBetweenWords()
    {
        var text = string.Join(" ", Enumerable.Range(1, 45).Select(i => $"w{i}")) + ".";
        var chunker = new TextChunker(new WordCounter(), new ChunkingOptions { MaxTokens = 20, OverlapTokens = 0 });

        var chunks = chunker.Chunk(Doc(new DocumentSection([], text)), TestContext.Current.CancellationToken);

        Assert.Equal([20, 20, 5], chunks.Select(c => new WordCounter().CountTokens(c.Text)));
        Assert.Equal(text, string.Join(" ", chunks.Select(c => c.Text)));
    }

    [Fact]
    public void Chunk_ContentHash_IsSha256OfText()
    {
        var chunk = Assert.Single(new TextChunker(new WordCounter()).Chunk(Doc(new DocumentSection([], "abc")), TestContext.Current.CancellationToken));

        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", chunk.ContentHash);
    }

    [Fact]
    public void Chunk_SameTextTwice_SameHash_DifferentText_DifferentHash()
    {
        var chunker = new TextChunker(new WordCounter());
        var a = chunker.Chunk(Doc(new DocumentSection([], "Same text.")), TestContext.Current.CancellationToken)[0];
        var b = chunker.Chunk(Doc(new DocumentSection(["x"], "Same text.")), TestContext.Current.CancellationToken)[0];
        var c = chunker.Chunk(Doc(new DocumentSection([], "Same text!")), TestContext.Current.CancellationToken)[0];

        Assert.Equal(a.ContentHash, b.ContentHash);
        Assert.NotEqual(a.ContentHash, c.ContentHash);
    }

    [Theory]
    [InlineData(8, 0)]
    [InlineData(64, 32)]
    [InlineData(64, -1)]
    public void Ctor_OptionsOutOfRange_Throw(int max, int overlap) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new TextChunker(new WordCounter(), new ChunkingOptions { MaxTokens = max, OverlapTokens = overlap }));

    [Fact]
    public void Chunk_WithEstimatedCounter_StaysUnderLimitOnProse()
    {
        var prose = string.Concat(Enumerable.Repeat("The maintenance interval depends on the operating temperature and humidity. ", 60));
        var chunks = new TextChunker(EstimatedTokenCounter.Instance, new ChunkingOptions { MaxTokens = 64, OverlapTokens = 8 })
            .Chunk(Doc(new DocumentSection([], prose)), TestContext.Current.CancellationToken);

        Assert.True(chunks.Count > 10);
        Assert.All(chunks, c => Assert.InRange(EstimatedTokenCounter.Instance.CountTokens(c.Text), 1, 64));
    }
}
