using AgentKit.LlamaCpp.Generation;
using AgentKit.LlamaCpp.Models;
using AgentKit.LlamaCpp.Sampling;
using AgentKit.LlamaCpp.Tests.Engine;

namespace AgentKit.LlamaCpp.Tests.Models;

public sealed class QuantizerTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("agentkit-quantize-").FullName;

    [Theory]
    [InlineData("q8_0", LlamaQuantizationType.Q8_0)]
    [InlineData("Q4_0", LlamaQuantizationType.Q4_0)]
    public async Task QuantizeAsync_WritesALoadableModelOfTheType_ThatDraftsForItsSource(string name, LlamaQuantizationType type)
    {
        var output = Path.Combine(_folder, $"tiny-{name}.gguf");

        await LlamaQuantizer.QuantizeAsync(SharedModels.Qwen2Path, output, LlamaQuantizer.ParseType(name), threads: 1, TestContext.Current.CancellationToken);

        Assert.True(new FileInfo(output).Length < new FileInfo(SharedModels.Qwen2Path).Length);
        Assert.Empty(Directory.GetFiles(_folder, "*.partial-*"));
        using var quantized = await LlamaModel.LoadAsync(output);
        Assert.Equal(((int)type).ToString(System.Globalization.CultureInfo.InvariantCulture), quantized.Metadata.Values["general.file_type"]);

        // A quantized copy is a valid draft: same vocabulary, and the target's output is unchanged.
        var model = await SharedModels.Qwen2;
        var prompt = model.Vocabulary.Tokenize("Hello there, how are you?");
        using var target = model.CreateContext(SharedModels.SmallContext);
        using var draft = quantized.CreateContext(SharedModels.SmallContext with { MaxSequences = 1 });
        var options = new LlamaGenerationOptions { MaxTokens = 24, Sampling = LlamaSamplingOptions.Greedy };
        var plain = await target.CompleteAsync(prompt, options, cancellationToken: TestContext.Current.CancellationToken);
        target.Clear();
        var fast = await target.CompleteAsync(prompt, options with { Speculation = new LlamaSpeculationOptions { PromptLookup = false, DraftContext = draft } }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(plain.Tokens, fast.Tokens);
        Assert.True(fast.Usage.DraftTokens > 0);
    }

    [Theory]
    [InlineData("q3_0")]
    [InlineData("7")]
    [InlineData("")]
    public void ParseType_UnknownName_ListsTheTypes(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => LlamaQuantizer.ParseType(name));

        Assert.Contains("q4_0", error.Message, StringComparison.Ordinal);
        Assert.Contains("q8_0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QuantizeAsync_MissingInput_FailsNamingTheFile()
    {
        var missing = Path.Combine(_folder, "nope.gguf");

        var error = await Assert.ThrowsAsync<LlamaModelLoadException>(() => LlamaQuantizer.QuantizeAsync(missing, Path.Combine(_folder, "out.gguf"), LlamaQuantizationType.Q8_0));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QuantizeAsync_OutputFolderMissingOrSameAsInput_FailsBeforeNativeWork()
    {
        var noFolder = Path.Combine(_folder, "absent", "out.gguf");

        var folderError = await Assert.ThrowsAsync<ArgumentException>(() => LlamaQuantizer.QuantizeAsync(SharedModels.Qwen2Path, noFolder, LlamaQuantizationType.Q8_0));
        var sameError = await Assert.ThrowsAsync<ArgumentException>(() => LlamaQuantizer.QuantizeAsync(SharedModels.Qwen2Path, SharedModels.Qwen2Path, LlamaQuantizationType.Q8_0));

        Assert.Contains("does not exist", folderError.Message, StringComparison.Ordinal);
        Assert.Contains("is the input", sameError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QuantizeAsync_NotAModel_FailsTyped()
    {
        var text = Path.Combine(_folder, "notes.gguf");
        await File.WriteAllTextAsync(text, "not a model", TestContext.Current.CancellationToken);

        await Assert.ThrowsAsync<LlamaModelLoadException>(() => LlamaQuantizer.QuantizeAsync(text, Path.Combine(_folder, "out.gguf"), LlamaQuantizationType.Q4_0));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
