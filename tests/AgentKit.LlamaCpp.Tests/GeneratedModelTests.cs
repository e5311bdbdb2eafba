using AgentKit.LlamaCpp.Generation;
using AgentKit.LlamaCpp.Gguf;
using AgentKit.LlamaCpp.Native;
using AgentKit.Testing;

namespace AgentKit.LlamaCpp.Tests;

public sealed class GeneratedModelTests
{
    public static TheoryData<string> DecoderModels => ["qwen2", "llama"];

    private static TestModelSpec Spec(string name) => name switch
    {
        "qwen2" => TestModelFactory.TinyQwen2,
        "llama" => TestModelFactory.TinyLlama with { TiedOutput = false, FileType = GgmlType.F32 },
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(DecoderModels))]
    public void Generate_WritesFileTheReaderAccepts(string name)
    {
        var spec = Spec(name);
        var file = GgufReader.Read(TestModelFactory.GetOrCreate(spec));
        var vocab = GgufReader.Read(LlamaSourceAssets.VocabFile(spec.Vocab));

        Assert.Equal(spec.Architecture, file.Architecture);
        Assert.Equal(2 + (spec.TiedOutput ? 0 : 1) + spec.Layers * (9 + (name == "qwen2" ? 3 : 0)), file.Tensors.Count);
        foreach (var (key, value) in vocab.Metadata.Where(kv => kv.Key.StartsWith("tokenizer.", StringComparison.Ordinal)))
        {
            Assert.Equal(value.Value, file.Metadata[key].Value);
        }

        var embedding = file.Tensors.Single(t => t.Name == "token_embd.weight");
        Assert.Equal([spec.EmbeddingLength, vocab.Metadata["tokenizer.ggml.tokens"].Count], embedding.Shape);
        Assert.Equal(spec.FileType, embedding.Type);
    }

    [Fact]
    public void Generate_SameSpec_ProducesIdenticalBytes()
    {
        var spec = TestModelFactory.TinyLlama with { Seed = 7, Layers = 1 };
        var first = Path.Combine(Path.GetTempPath(), $"agentkit-gen-{Guid.NewGuid():N}.gguf");
        var writer = TestModelFactory.Build(spec);
        try
        {
            writer.Write(first);
            var again = File.ReadAllBytes(first);
            writer.Write(first);
            Assert.Equal(again, File.ReadAllBytes(first));
            Assert.Equal(again, File.ReadAllBytes(TestModelFactory.GetOrCreate(spec)));
        }
        finally
        {
            File.Delete(first);
        }
    }

    [Theory]
    [MemberData(nameof(DecoderModels))]
    public async Task Generated_LoadsTokenizesAndDecodes(string name)
    {
        var spec = Spec(name);
        using var model = await LlamaModel.LoadAsync(TestModelFactory.GetOrCreate(spec), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(spec.Architecture, model.Metadata.Architecture);

        using var context = model.CreateContext(new LlamaContextOptions { ContextSize = 256, Threads = 1, BatchThreads = 1 });
        var prompt = model.Vocabulary.Tokenize("The quick brown fox", addSpecial: true, parseSpecial: false);
        Assert.NotEmpty(prompt);
        Assert.Equal(prompt.Length, context.Evaluate(LlamaSeqId.Zero, prompt, TestContext.Current.CancellationToken));
        var logits = context.GetLogits(-1).ToArray();
        Assert.Equal(model.Vocabulary.Count, logits.Length);
        Assert.All(logits, l => Assert.True(float.IsFinite(l), "logits must stay finite with small random weights"));
        Assert.True(logits.Max() > logits.Min(), "random weights must give distinct logits");

        var completion = await context.CompleteAsync(prompt, new LlamaGenerationOptions { MaxTokens = 4 }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.InRange(completion.Tokens.Count, 1, 4);
    }

    [Fact]
    public async Task GeneratedBert_ProducesFiniteMeanPooledEmbedding()
    {
        var spec = TestModelFactory.TinyBert;
        using var model = await LlamaModel.LoadAsync(TestModelFactory.GetOrCreate(spec), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("bert", model.Metadata.Architecture);
        using var context = model.CreateContext(new LlamaContextOptions { ContextSize = 128, Threads = 1, BatchThreads = 1, Embeddings = true });
        var tokens = model.Vocabulary.Tokenize("hello world", addSpecial: true, parseSpecial: false);

        context.Evaluate(LlamaSeqId.Zero, tokens, TestContext.Current.CancellationToken);

        var embedding = ReadSequenceEmbedding(context, spec.EmbeddingLength);
        Assert.All(embedding, v => Assert.True(float.IsFinite(v)));
        Assert.Contains(embedding, v => v != 0f);
    }

    private static unsafe float[] ReadSequenceEmbedding(LlamaContext context, int length)
    {
        var pointer = NativeMethods.llama_get_embeddings_seq(context.Pointer, 0);
        Assert.True(pointer != null, "a pooled model must return a sequence embedding");
        return new ReadOnlySpan<float>(pointer, length).ToArray();
    }
}
