using System.Numerics.Tensors;
using AgentKit.Rag.Embeddings;
using Microsoft.Extensions.AI;

namespace AgentKit.Rag.Tests.Embeddings;

public sealed class HashingEmbeddingGeneratorTests
{
    private static readonly HashingEmbeddingGenerator Generator = new();

    private static float Cosine(string a, string b) => TensorPrimitives.CosineSimilarity(Generator.Embed(a), Generator.Embed(b));

    [Fact]
    public void Ctor_HasExpectedDefaults()
    {
        Assert.Equal(384, Generator.Dimensions);
        var metadata = Generator.GetService<EmbeddingGeneratorMetadata>()!;
        Assert.Equal(384, metadata.DefaultModelDimensions);
        Assert.Equal("agentkit-hashing-384-bigrams", metadata.DefaultModelId);
    }

    [Theory]
    [InlineData("The quick brown fox")]
    [InlineData("")]
    [InlineData("!!! ???")]
    public void Embed_IsUnitLength(string text) =>
        Assert.Equal(1f, TensorPrimitives.Norm(Generator.Embed(text)), 4);

    [Fact]
    public void Embed_IsDeterministicAndCaseInsensitive()
    {
        Assert.Equal(Generator.Embed("Reverse Proxy setup"), new HashingEmbeddingGenerator().Embed("reverse proxy SETUP"));
    }

    [Fact]
    public void Embed_SharedWordsScoreHigherThanUnrelatedText()
    {
        var related = Cosine("configure the nginx reverse proxy", "nginx reverse proxy configuration guide");
        var unrelated = Cosine("configure the nginx reverse proxy", "baking sourdough bread at home");

        Assert.True(related > 0.3f, $"related {related}");
        Assert.True(unrelated < 0.15f, $"unrelated {unrelated}");
    }

    [Fact]
    public void Embed_Bigrams_DistinguishWordOrder()
    {
        var unigramsOnly = new HashingEmbeddingGenerator(new HashingEmbeddingGeneratorOptions { IncludeBigrams = false });

        Assert.Equal(1f, TensorPrimitives.CosineSimilarity(unigramsOnly.Embed("dog bites man"), unigramsOnly.Embed("man bites dog")), 4);
        Assert.True(Cosine("dog bites man", "man bites dog") < 0.99f);
    }

    [Fact]
    public void Embed_RepeatedWord_IsLogScaledNotLinear()
    {
        // "alpha" x 10 plus "beta" once: with linear counts alpha would dominate ~10:1; log scaling gives (1 + ln 10):1.
        var vector = new HashingEmbeddingGenerator(new HashingEmbeddingGeneratorOptions { IncludeBigrams = false }).Embed(string.Join(" ", Enumerable.Repeat("alpha", 10)) + " beta");
        var nonZero = vector.Where(v => v != 0).Select(MathF.Abs).OrderDescending().ToArray();

        Assert.Equal(2, nonZero.Length);
        Assert.Equal(1f + MathF.Log(10), nonZero[0] / nonZero[1], 3);
    }

    [Fact]
    public void Embed_SignedHashing_UsesBothSigns()
    {
        var vector = Generator.Embed(string.Join(" ", Enumerable.Range(0, 200).Select(i => $"word{i}")));

        Assert.Contains(vector, v => v > 0);
        Assert.Contains(vector, v => v < 0);
    }

    [Fact]
    public async Task GenerateAsync_ReturnsOneEmbeddingPerInputWithDimensions()
    {
        using var generator = new HashingEmbeddingGenerator(new HashingEmbeddingGeneratorOptions { Dimensions = 64 });

        var embeddings = await generator.GenerateAsync(["one", "two", "three"], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(3, embeddings.Count);
        Assert.All(embeddings, e => Assert.Equal(64, e.Vector.Length));
        Assert.Equal(generator.Embed("two"), embeddings[1].Vector.ToArray());
    }

    [Theory]
    [InlineData(8)]
    [InlineData(100_000)]
    public void Ctor_DimensionsOutOfRange_Throws(int dimensions) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new HashingEmbeddingGenerator(new HashingEmbeddingGeneratorOptions { Dimensions = dimensions }));
}
