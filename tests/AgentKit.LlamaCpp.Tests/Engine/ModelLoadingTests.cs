using AgentKit.Testing;

namespace AgentKit.LlamaCpp.Tests.Engine;

public sealed class ModelLoadingTests
{
    [Fact]
    public async Task LoadAsync_GeneratedQwen2_ReadsMetadata()
    {
        var model = await SharedModels.Qwen2;

        Assert.Equal("qwen2", model.Metadata.Architecture);
        Assert.Equal(TestModelFactory.TinyQwen2.EmbeddingLength, model.Metadata.EmbeddingLength);
        Assert.Equal(TestModelFactory.TinyQwen2.Layers, model.Metadata.LayerCount);
        Assert.True(model.Metadata.ParameterCount > 0);
        Assert.True(model.Metadata.SizeBytes > 0);
        Assert.Contains("<|im_start|>", model.Metadata.ChatTemplate, StringComparison.Ordinal);
        Assert.Equal("qwen2", model.Metadata.Values["general.architecture"]);
        Assert.NotEqual(LlamaToken.Null, model.Metadata.SpecialTokens.Eos);
    }

    [Fact]
    public async Task LoadAsync_ReportsProgressUpToOne()
    {
        var reported = new List<float>();
        using var model = await LlamaModel.LoadAsync(SharedModels.Qwen2Path, progress: new SynchronousProgress(reported.Add));

        Assert.NotEmpty(reported);
        Assert.Equal(1f, reported[^1]);
        Assert.All(reported, p => Assert.InRange(p, 0f, 1f));
    }

    [Fact]
    public async Task LoadAsync_CancelledToken_Throws()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => LlamaModel.LoadAsync(SharedModels.Qwen2Path, cancellationToken: cts.Token));
    }

    [Fact]
    public async Task LoadAsync_VocabOnly_TokenizesButCannotCreateContext()
    {
        using var model = await LlamaModel.LoadAsync(LlamaSourceAssets.VocabFile("qwen2"), new LlamaModelOptions { VocabOnly = true });

        Assert.NotEmpty(model.Vocabulary.Tokenize("hello world"));
        var error = Assert.Throws<LlamaException>(() => model.CreateContext());
        Assert.Contains("VocabOnly", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_MissingFile_ThrowsNamingThePath()
    {
        var path = Path.Combine(Path.GetTempPath(), "agentkit-missing-" + Guid.NewGuid() + ".gguf");
        var error = await Assert.ThrowsAsync<LlamaModelLoadException>(() => LlamaModel.LoadAsync(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_NotGguf_Throws()
    {
        using var file = TempFile.WithBytes("this is not a model, just text"u8.ToArray());
        var error = await Assert.ThrowsAsync<LlamaModelLoadException>(() => LlamaModel.LoadAsync(file.Path));
        Assert.Contains("not a GGUF file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_TruncatedGguf_ThrowsBeforeNativeCode()
    {
        var bytes = await File.ReadAllBytesAsync(SharedModels.Qwen2Path);
        using var file = TempFile.WithBytes(bytes.AsSpan(0, bytes.Length / 2).ToArray());
        var error = await Assert.ThrowsAsync<LlamaModelLoadException>(() => LlamaModel.LoadAsync(file.Path));
        Assert.Contains("truncated", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task LoadAsync_UnknownArchitecture_Throws()
    {
        var writer = TestModelFactory.Build(TestModelFactory.TinyQwen2);
        writer.Set("general.architecture", "nosuch-arch");
        using var file = TempFile.Empty();
        writer.Write(file.Path);
        var error = await Assert.ThrowsAsync<LlamaModelLoadException>(() => LlamaModel.LoadAsync(file.Path));
        Assert.Contains("'nosuch-arch'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateContext_OutOfRangeOptions_ThrowNamingTheOption()
    {
        var model = await SharedModels.Qwen2;
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => model.CreateContext(new LlamaContextOptions { Threads = 0 }));
        Assert.Equal("Threads", error.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.CreateContext(new LlamaContextOptions { MaxSequences = 1000 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.CreateContext(new LlamaContextOptions { BatchSize = 64, MicroBatchSize = 128 }));
    }

    [Fact]
    public async Task ApplyChatTemplate_UsesModelTemplate()
    {
        var model = await SharedModels.Qwen2;
        var prompt = model.ApplyChatTemplate([new("system", "Be brief."), new("user", "Hi")]);
        Assert.Equal("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", prompt);
    }

    private sealed class SynchronousProgress(Action<float> report) : IProgress<float>
    {
        public void Report(float value) => report(value);
    }
}

internal sealed class TempFile : IDisposable
{
    private TempFile(string path) => Path = path;

    public string Path { get; }

    public static TempFile Empty() => new(System.IO.Path.Combine(System.IO.Path.GetTempPath(), "agentkit-test-" + Guid.NewGuid().ToString("N") + ".gguf"));

    public static TempFile WithBytes(byte[] bytes)
    {
        var file = Empty();
        File.WriteAllBytes(file.Path, bytes);
        return file;
    }

    public void Dispose()
    {
        if (File.Exists(Path))
        {
            File.Delete(Path);
        }
    }
}
