using AgentKit.LlamaCpp.Tests.Engine;
using AgentKit.Testing;

namespace AgentKit.LlamaCpp.Tests.Speculative;

/// <summary>Draft models for the speculative tests: another seed of the tiny Qwen2 shape (same vocabulary, other weights) and the Llama-vocabulary model.</summary>
internal static class SpeculativeModels
{
    private static readonly Lazy<Task<LlamaModel>> OtherWeightsLazy = new(() => LlamaModel.LoadAsync(TestModelFactory.GetOrCreate(TestModelFactory.TinyQwen2 with { Seed = 2 })));
    private static readonly Lazy<Task<LlamaModel>> SameWeightsLazy = new(() => LlamaModel.LoadAsync(SharedModels.Qwen2Path));
    private static readonly Lazy<Task<LlamaModel>> LlamaVocabLazy = new(() => LlamaModel.LoadAsync(TestModelFactory.GetOrCreate(TestModelFactory.TinyLlama)));

    /// <summary>Same vocabulary, different random weights: drafts are mostly rejected.</summary>
    public static Task<LlamaModel> OtherWeights => OtherWeightsLazy.Value;

    /// <summary>The target's own file loaded a second time: a draft that agrees with the target wherever the numerics do.</summary>
    public static Task<LlamaModel> SameWeights => SameWeightsLazy.Value;

    /// <summary>A 32k-token SentencePiece vocabulary: not a valid draft for a Qwen2 target.</summary>
    public static Task<LlamaModel> LlamaVocabulary => LlamaVocabLazy.Value;

    /// <summary>A prompt that repeats itself, so prompt lookup has matches to propose.</summary>
    public const string RepetitivePrompt = "The order 4412 shipped on Monday. The order 4412 shipped on Monday. The order 4412 shipped on Monday. The order";
}
