using AgentKit.LlamaCpp;
using AgentKit.Rag.Chunking;
using AgentKit.Rag.Embeddings;
using AgentKit.Rag.Ingestion;
using AgentKit.Testing;

namespace AgentKit.Rag.Tests.Chunking;

public sealed class TokenCounterTests
{
    [Theory]
    [InlineData("", 0)]
    [InlineData("   ", 0)]
    [InlineData("hello", 1)]
    [InlineData("hello world", 2)]
    [InlineData("hello, world!", 4)]
    [InlineData("internationalization", 5)] // 20 letters: 1 + ceil(14 / 4)
    [InlineData("日本語", 3)]
    public void Estimated_CountsWordPieces(string text, int expected) =>
        Assert.Equal(expected, EstimatedTokenCounter.Instance.CountTokens(text));

    [Fact]
    public void Ingestor_HashingGenerator_CountsWithTheEstimate()
    {
        using var generator = new HashingEmbeddingGenerator();

        Assert.Same(EstimatedTokenCounter.Instance, RagIngestor.TokenCounterFor(generator));
    }

    [Fact]
    public async Task Ingestor_LlamaEmbeddingGenerator_CountsWithTheModelTokenizer()
    {
        using var model = await LlamaModel.LoadAsync(TestModelFactory.GetOrCreate(TestModelFactory.TinyBert), new LlamaModelOptions(), null, TestContext.Current.CancellationToken);
        using var generator = new AgentKit.LlamaCpp.Embeddings.LlamaEmbeddingGenerator(model);

        var counter = RagIngestor.TokenCounterFor(generator);

        Assert.IsType<LlamaTokenCounter>(counter);
        var text = "Tokens from the embedding model's own vocabulary.";
        Assert.Equal(model.Vocabulary.Tokenize(text, addSpecial: false).Length, counter.CountTokens(text));
    }
}
