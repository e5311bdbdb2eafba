using System.Numerics.Tensors;
using AgentKit.Abstractions.Text;
using AgentKit.LlamaCpp.Embeddings;
using Microsoft.Extensions.AI;

namespace AgentKit.LlamaCpp.Tests.Engine;

public sealed class EmbeddingTests
{
    public static TheoryData<string> Models => ["qwen2", "bert"];

    private static Task<LlamaModel> Model(string name) => name == "bert" ? SharedModels.Bert : SharedModels.Qwen2;

    [Theory]
    [MemberData(nameof(Models))]
    public async Task Generate_ManyInputs_UnitLengthAndSameAsOneByOne(string name)
    {
        using var generator = new LlamaEmbeddingGenerator(await Model(name), new LlamaEmbeddingGeneratorOptions { BatchSize = 256, MaxInputsPerBatch = 4 });
        string[] inputs = ["return policy for jeans", "how do I track my parcel", "refund timeline", "a fourth input", "and a fifth one"];

        var batch = await generator.GenerateAsync(inputs);

        Assert.Equal(inputs.Length, batch.Count);
        for (var i = 0; i < inputs.Length; i++)
        {
            var vector = batch[i].Vector;
            Assert.Equal(generator.Dimensions, vector.Length);
            Assert.Equal(1f, TensorPrimitives.Norm(vector.Span), 3);
            var alone = (await generator.GenerateAsync([inputs[i]]))[0].Vector;
            Assert.True(TensorPrimitives.CosineSimilarity(vector.Span, alone.Span) > 0.999f, $"input {i} differs between batched and single decoding");
        }

        Assert.True(TensorPrimitives.CosineSimilarity(batch[0].Vector.Span, batch[1].Vector.Span) < 0.9999f);
    }

    [Fact]
    public async Task Generate_InputLongerThanBatch_ThrowsNamingTheInput()
    {
        using var generator = new LlamaEmbeddingGenerator(await SharedModels.Qwen2, new LlamaEmbeddingGeneratorOptions { BatchSize = 32 });
        var error = await Assert.ThrowsAsync<LlamaContextOverflowException>(() => generator.GenerateAsync(["short", string.Join(' ', Enumerable.Repeat("token", 100))]));
        Assert.Contains("input 1", error.Message, StringComparison.Ordinal);
        Assert.Equal(32, error.Limit);
    }

    [Fact]
    public async Task Pooling_ComesFromModelMetadata()
    {
        using var bert = new LlamaEmbeddingGenerator(await SharedModels.Bert);
        using var qwen = new LlamaEmbeddingGenerator(await SharedModels.Qwen2);
        Assert.Equal(LlamaPoolingType.Mean, bert.Pooling);
        Assert.Equal(LlamaPoolingType.Mean, qwen.Pooling);
        Assert.NotNull(bert.GetService<EmbeddingGeneratorMetadata>());
    }

    [Fact]
    public async Task GetService_TokenCounter_CountsWithTheModelTokenizer()
    {
        var model = await SharedModels.Bert;
        using var generator = new LlamaEmbeddingGenerator(model);
        var text = "Tokens from the embedding model's own vocabulary.";

        var counter = generator.GetService<ITokenCounter>();

        Assert.IsType<LlamaTokenCounter>(counter);
        Assert.Equal(model.Vocabulary.Tokenize(text, addSpecial: false).Length, counter.CountTokens(text));
    }
}
