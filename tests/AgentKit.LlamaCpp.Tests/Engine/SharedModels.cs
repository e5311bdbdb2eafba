using AgentKit.Testing;

namespace AgentKit.LlamaCpp.Tests.Engine;

/// <summary>Generated models, loaded once per test run and shared (a model is thread-safe; contexts are per test).</summary>
internal static class SharedModels
{
    private static readonly Lazy<Task<LlamaModel>> Qwen2Lazy = new(() => LlamaModel.LoadAsync(TestModelFactory.GetOrCreate(TestModelFactory.TinyQwen2)));
    private static readonly Lazy<Task<LlamaModel>> BertLazy = new(() => LlamaModel.LoadAsync(TestModelFactory.GetOrCreate(TestModelFactory.TinyBert)));

    public static Task<LlamaModel> Qwen2 => Qwen2Lazy.Value;

    public static Task<LlamaModel> Bert => BertLazy.Value;

    public static string Qwen2Path => TestModelFactory.GetOrCreate(TestModelFactory.TinyQwen2);

    public static LlamaContextOptions SmallContext { get; } = new() { ContextSize = 1024, BatchSize = 256, MicroBatchSize = 256 };
}
