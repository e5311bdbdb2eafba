using AgentKit.LlamaCpp.Generation;
using AgentKit.LlamaCpp.Sampling;

namespace AgentKit.LlamaCpp.Tests.Engine;

public sealed class MultiSequenceAndStateTests
{
    private static LlamaGenerationOptions Seeded(uint seed, int maxTokens = 16) => new()
    {
        MaxTokens = maxTokens,
        Sampling = new LlamaSamplingOptions { Seed = seed, Temperature = 1.2f, TopK = 0, TopP = 1, MinP = 0 },
    };

    private static async Task<(string[] Texts, LlamaUsage[] Usage)> RunManyAsync(LlamaContext context, IReadOnlyList<IReadOnlyList<LlamaToken>> prompts, IReadOnlyList<LlamaGenerationOptions> options)
    {
        var texts = new System.Text.StringBuilder[prompts.Count];
        var usage = new LlamaUsage[prompts.Count];
        for (var i = 0; i < prompts.Count; i++)
        {
            texts[i] = new();
        }

        var finished = 0;
        await foreach (var (index, update) in context.GenerateManyAsync(prompts, options))
        {
            texts[index].Append(update.Text);
            if (update.FinishReason is not null)
            {
                usage[index] = update.Usage;
                finished++;
            }
        }

        Assert.Equal(prompts.Count, finished);
        return (texts.Select(t => t.ToString()).ToArray(), usage);
    }

    [Fact]
    public async Task GenerateMany_SamePromptFourTimes_MatchesSequentialRunsWithTheSameSeeds()
    {
        var model = await SharedModels.Qwen2;
        var prompt = model.Vocabulary.Tokenize("Once upon a time");
        using var context = model.CreateContext(SharedModels.SmallContext with { MaxSequences = 4 });
        var options = Enumerable.Range(0, 4).Select(i => Seeded((uint)(100 + i))).ToArray();

        var (batched, usage) = await RunManyAsync(context, Enumerable.Repeat<IReadOnlyList<LlamaToken>>(prompt, 4).ToArray(), options);

        using var single = model.CreateContext(SharedModels.SmallContext);
        for (var i = 0; i < 4; i++)
        {
            single.Clear();
            var sequential = await single.CompleteAsync(prompt, options[i]);
            // Batched decoding changes float summation order, so compare the first tokens, which the draw decides.
            Assert.Equal(Prefix(sequential.Text, 8), Prefix(batched[i], 8));
            Assert.Equal(prompt.Length, usage[i].PromptTokens);
        }

        Assert.True(batched.Distinct().Count() > 1);
    }

    [Fact]
    public async Task GenerateMany_SiblingPrompts_SharePrefixAndEachFinish()
    {
        var model = await SharedModels.Qwen2;
        var shared = "A long shared instruction that every branch of the search tree starts with. ";
        IReadOnlyList<LlamaToken>[] prompts = [.. new[] { "Branch A", "Branch B goes further", "C" }.Select(s => (IReadOnlyList<LlamaToken>)model.Vocabulary.Tokenize(shared + s))];
        using var context = model.CreateContext(SharedModels.SmallContext with { MaxSequences = 3 });

        var (texts, usage) = await RunManyAsync(context, prompts, [Seeded(1, 8)]);

        Assert.Equal(3, texts.Length);
        Assert.All(usage, u => Assert.InRange(u.GeneratedTokens, 1, 8));
        Assert.All(Enumerable.Range(1, 2), i => Assert.Empty(context.GetSequenceTokens(new LlamaSeqId(i))));
        Assert.NotEmpty(context.GetSequenceTokens(LlamaSeqId.Zero));
    }

    [Fact]
    public async Task GenerateMany_MorePromptsThanSequences_Throws()
    {
        var model = await SharedModels.Qwen2;
        using var context = model.CreateContext(SharedModels.SmallContext with { MaxSequences = 2 });
        var prompt = model.Vocabulary.Tokenize("x");
        await Assert.ThrowsAsync<LlamaContextOverflowException>(() => RunManyAsync(context, [prompt, prompt, prompt], [Seeded(1)]));
    }

    [Fact]
    public async Task SaveAndRestoreSequence_ContinuesIdenticallyInAnotherContext()
    {
        var model = await SharedModels.Qwen2;
        var prompt = model.Vocabulary.Tokenize("The conversation so far is long enough to matter.");
        using var original = model.CreateContext(SharedModels.SmallContext);
        original.Evaluate(LlamaSeqId.Zero, prompt);
        var state = original.SaveSequenceState(LlamaSeqId.Zero);

        using var buffer = new MemoryStream();
        await state.WriteToAsync(buffer);
        buffer.Position = 0;
        var loaded = await LlamaSequenceState.ReadFromAsync(buffer);

        using var restored = model.CreateContext(SharedModels.SmallContext);
        restored.RestoreSequenceState(loaded, LlamaSeqId.Zero);
        var greedy = new LlamaGenerationOptions { MaxTokens = 10, Sampling = LlamaSamplingOptions.Greedy };
        var fromRestored = await restored.CompleteAsync(prompt, greedy);
        var fromOriginal = await original.CompleteAsync(prompt, greedy);

        Assert.Equal(prompt, loaded.Tokens);
        Assert.Equal(prompt.Length - 1, fromRestored.Usage.ReusedPromptTokens);
        Assert.Equal(fromOriginal.Tokens, fromRestored.Tokens);
    }

    [Fact]
    public async Task ReadSequenceState_CorruptData_ThrowsTypedError()
    {
        await Assert.ThrowsAsync<LlamaException>(() => LlamaSequenceState.ReadFromAsync(new MemoryStream("nope, not a state"u8.ToArray())));

        var model = await SharedModels.Qwen2;
        using var context = model.CreateContext(SharedModels.SmallContext);
        context.Evaluate(LlamaSeqId.Zero, model.Vocabulary.Tokenize("hello"));
        using var buffer = new MemoryStream();
        await context.SaveSequenceState(LlamaSeqId.Zero).WriteToAsync(buffer);
        var truncated = buffer.ToArray().AsSpan(0, (int)buffer.Length - 10).ToArray();
        var error = await Assert.ThrowsAsync<LlamaException>(() => LlamaSequenceState.ReadFromAsync(new MemoryStream(truncated)));
        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
    }

    private static string Prefix(string text, int length) => text.Length <= length ? text : text[..length];
}
