using System.Numerics.Tensors;
using AgentKit.Abstractions.Diagnostics;
using AgentKit.Abstractions.Text;
using AgentKit.Embeddings.MiniLM;
using AgentKit.Testing;
using Microsoft.Extensions.AI;

namespace AgentKit.Embeddings.Tests;

public sealed class MiniLMEmbeddingGeneratorTests(MiniLMFixture fixture) : IClassFixture<MiniLMFixture>
{
    // Each of these is one word piece, so n of them are exactly n word pieces.
    private static readonly string[] s_words = ["apple", "river", "table", "green", "house", "music", "paper", "stone", "cloud", "horse"];

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private MiniLMEmbeddingGenerator Generator => fixture.Generator;

    [Fact]
    public async Task Generate_ReturnsUnitLengthVectorsOf384Dimensions()
    {
        var result = await Generator.GenerateAsync(["The parcel arrived damaged.", "", "🙂"], cancellationToken: Token);

        Assert.Equal(3, result.Count);
        Assert.All(result, e =>
        {
            Assert.Equal(MiniLMEmbeddingGenerator.Dimensions, e.Vector.Length);
            Assert.Equal(1f, TensorPrimitives.Norm(e.Vector.Span), 1e-4f);
            Assert.Equal("all-MiniLM-L6-v2", e.ModelId);
        });
        Assert.True(result.Usage?.InputTokenCount >= 3 * 2);
    }

    [Fact]
    public async Task Generate_ParaphraseIsCloserThanUnrelatedText()
    {
        var result = await Generator.GenerateAsync(
            ["How do I send back an item I bought?", "Our return policy: products can be returned within 30 days.", "The weather in Lisbon is sunny today."],
            cancellationToken: Token);

        var related = TensorPrimitives.CosineSimilarity(result[0].Vector.Span, result[1].Vector.Span);
        var unrelated = TensorPrimitives.CosineSimilarity(result[0].Vector.Span, result[2].Vector.Span);
        Assert.True(related > unrelated + 0.2f, $"related {related}, unrelated {unrelated}");
    }

    [Fact]
    public async Task Generate_InABatch_EqualsEachInputAlone()
    {
        string[] texts = ["short", "a somewhat longer sentence about the refund of order 455", Words(200), "ça coûte 12,50 €", ""];
        using var small = new MiniLMEmbeddingGenerator(new MiniLMEmbeddingGeneratorOptions { BatchSize = 2 });

        var batched = await Generator.GenerateAsync(texts, cancellationToken: Token);
        var smallBatches = await small.GenerateAsync(texts, cancellationToken: Token);
        for (var i = 0; i < texts.Length; i++)
        {
            var alone = await Generator.GenerateAsync([texts[i]], cancellationToken: Token);
            Assert.True(TensorPrimitives.CosineSimilarity(alone[0].Vector.Span, batched[i].Vector.Span) > 0.99999f, $"input {i} batched");
            Assert.True(TensorPrimitives.CosineSimilarity(alone[0].Vector.Span, smallBatches[i].Vector.Span) > 0.99999f, $"input {i} in batches of 2");
        }
    }

    [Fact]
    public async Task Generate_LongInput_KeepsItsFirst254WordPieces()
    {
        var result = await Generator.GenerateAsync([Words(400), Words(254), Words(253)], cancellationToken: Token);

        Assert.True(TensorPrimitives.CosineSimilarity(result[0].Vector.Span, result[1].Vector.Span) > 0.99999f, "400 words must embed as their first 254");
        Assert.True(TensorPrimitives.CosineSimilarity(result[0].Vector.Span, result[2].Vector.Span) < 0.99999f, "the 254th word piece must still count");
        Assert.Equal(256 + 256 + 255, result.Usage?.InputTokenCount);
    }

    [Fact]
    public async Task Generate_LongInput_WithTruncationOff_IsRefusedNamingInputAndLength()
    {
        using var strict = new MiniLMEmbeddingGenerator(new MiniLMEmbeddingGeneratorOptions { TruncateLongInputs = false });

        var accepted = await strict.GenerateAsync([Words(254)], cancellationToken: Token);
        var error = await Assert.ThrowsAsync<EmbeddingInputTooLongException>(() => strict.GenerateAsync(["fine", Words(300)], cancellationToken: Token));

        Assert.Single(accepted);
        Assert.Equal(1, error.Index);
        Assert.Equal(302, error.Tokens);
        Assert.Equal(256, error.Limit);
        Assert.Contains("input 1 is 302 tokens", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_NullInput_IsRefusedNamingItsIndex()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Generator.GenerateAsync(["a", null!], cancellationToken: Token));
        Assert.Contains("input 1 is null", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentNullException>(() => Generator.GenerateAsync(null!, cancellationToken: Token));
    }

    [Fact]
    public async Task Generate_MoreInputsThanTheLimit_IsRefusedBeforeAnyWork()
    {
        using var limited = new MiniLMEmbeddingGenerator(new MiniLMEmbeddingGeneratorOptions { MaxInputsPerRequest = 3 });

        var error = await Assert.ThrowsAsync<ArgumentException>(() => limited.GenerateAsync(Endless(), cancellationToken: Token));

        Assert.Contains("More than 3 inputs", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, (await limited.GenerateAsync(["a", "b", "c"], cancellationToken: Token)).Count);

        static IEnumerable<string> Endless()
        {
            while (true)
            {
                yield return "again";
            }
        }
    }

    [Fact]
    public async Task Generate_CancelledBeforeStart_Throws()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Generator.GenerateAsync(["text"], cancellationToken: cancelled.Token));
    }

    [Fact]
    public async Task Generate_CancelledWhileRunning_StopsWithinTheCurrentBatch()
    {
        var texts = Enumerable.Repeat(Words(250), 400).ToArray();
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(Token);
        cancellation.CancelAfter(TimeSpan.FromMilliseconds(300));
        var started = System.Diagnostics.Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Generator.GenerateAsync(texts, cancellationToken: cancellation.Token));

        // 400 inputs of 250 tokens take far longer than this on any machine; the run stopped early.
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(20), $"took {started.Elapsed}");
    }

    [Fact]
    public void GetService_TokenCounter_CountsWordPiecesWithoutSpecialTokens()
    {
        var counter = Generator.GetService<ITokenCounter>();

        Assert.NotNull(counter);
        Assert.Equal(0, counter.CountTokens(""));
        Assert.Equal(3, counter.CountTokens("unaffable"));  // un ##aff ##able
        Assert.Equal(254, counter.CountTokens(Words(254)));
    }

    [Fact]
    public async Task GetService_InputLimit_IsExactlyWhatTheModelReadsWhole()
    {
        var limit = Generator.GetService<ModelInputLimit>();
        using var strict = new MiniLMEmbeddingGenerator(new MiniLMEmbeddingGeneratorOptions { TruncateLongInputs = false });

        Assert.NotNull(limit);
        Assert.Equal(MiniLMEmbeddingGenerator.MaxInputTokens - 2, limit.MaxTokens);
        Assert.Single(await strict.GenerateAsync([Words(limit.MaxTokens)], cancellationToken: Token));
        await Assert.ThrowsAsync<EmbeddingInputTooLongException>(() => strict.GenerateAsync([Words(limit.MaxTokens + 1)], cancellationToken: Token));
    }

    [Fact]
    public async Task TooLong_WhenTheLimitFallsInsideAWordOfSeveralPieces_IsStillRefused_OrCutAtExactlyTheLimit()
    {
        // "filler" is two word pieces: 127 of them fill the 254 pieces the model reads, and the 128th does not fit.
        var text = string.Join(' ', Enumerable.Repeat("filler", 600));
        using var strict = new MiniLMEmbeddingGenerator(new MiniLMEmbeddingGeneratorOptions { TruncateLongInputs = false });

        await Assert.ThrowsAsync<EmbeddingInputTooLongException>(() => strict.GenerateAsync([text], cancellationToken: Token));
        var cut = await Generator.GenerateAsync([text], cancellationToken: Token);
        Assert.Equal(MiniLMEmbeddingGenerator.MaxInputTokens, cut.Usage?.InputTokenCount);
    }

    [Fact]
    public void GetService_Metadata_NamesModelAndDimensions()
    {
        var metadata = Generator.GetService<EmbeddingGeneratorMetadata>();

        Assert.NotNull(metadata);
        Assert.Equal("all-MiniLM-L6-v2", metadata.DefaultModelId);
        Assert.Equal(384, metadata.DefaultModelDimensions);
        Assert.Equal("onnxruntime", metadata.ProviderName);
        Assert.Same(Generator, Generator.GetService<MiniLMEmbeddingGenerator>());
        Assert.Null(Generator.GetService<EmbeddingGeneratorMetadata>("key"));
    }

    [Fact]
    public async Task ModelId_Configured_IsReportedInMetadataAndEachEmbedding()
    {
        using var generator = new MiniLMEmbeddingGenerator(new MiniLMEmbeddingGeneratorOptions { ModelId = "minilm-pinned" });

        var embedding = await generator.GenerateAsync("Where is my parcel?", cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("minilm-pinned", generator.GetService<EmbeddingGeneratorMetadata>()!.DefaultModelId);
        Assert.Equal("minilm-pinned", embedding.ModelId);
    }

    [Fact]
    public async Task Generate_ReportsSpanAndMetrics()
    {
        using var spans = new ActivityCollector(AgentKitTelemetry.EmbeddingsSourceName);
        using var metrics = new MeasurementCollector(AgentKitTelemetry.EmbeddingsSourceName);

        await Generator.GenerateAsync(["telemetry probe", Words(300)], cancellationToken: Token);

        var span = Assert.Single(spans.Stopped, a => a.OperationName == "embeddings all-MiniLM-L6-v2");
        Assert.Equal("embeddings", span.GetTagItem(TelemetryAttributes.OperationName));
        Assert.InRange((int)span.GetTagItem(TelemetryAttributes.InputTokens)!, 256 + 3, 256 + 10);
        Assert.Contains(metrics.Of("agentkit.embeddings.inputs"), m => m.Value == 2);
        Assert.Contains(metrics.Of("agentkit.embeddings.truncated"), m => m.Value == 1);
        Assert.NotEmpty(metrics.Of("gen_ai.client.operation.duration"));
    }

    [Theory]
    [InlineData(0, null, 1)]
    [InlineData(257, null, 1)]
    [InlineData(32, 0, 1)]
    [InlineData(32, null, 0)]
    public void Ctor_OutOfRangeOption_IsRefused(int batchSize, int? threads, int maxInputs)
    {
        Assert.ThrowsAny<ArgumentException>(() => new MiniLMEmbeddingGenerator(new MiniLMEmbeddingGeneratorOptions { BatchSize = batchSize, Threads = threads, MaxInputsPerRequest = maxInputs }));
    }

    [Fact]
    public async Task Generate_AfterDispose_Throws()
    {
        var generator = new MiniLMEmbeddingGenerator();
        await generator.GenerateAsync(["load"], cancellationToken: Token);
        generator.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => generator.GenerateAsync(["again"], cancellationToken: Token));
    }

    private static string Words(int count) => string.Join(' ', Enumerable.Range(0, count).Select(i => s_words[i % s_words.Length]));
}
