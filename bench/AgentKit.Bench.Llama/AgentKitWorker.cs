using System.Diagnostics;
using AgentKit.LlamaCpp;
using AgentKit.LlamaCpp.Generation;
using AgentKit.LlamaCpp.Sampling;

namespace AgentKit.Bench.Llama;

/// <summary>
/// Runs one workload through AgentKit's public engine API in this process (started as a child with
/// <c>--worker</c>, so its peak RSS is its own) and prints one JSON line. It mirrors baseline.c step by step:
/// same context parameters, same warm-up, greedy sampling with end-of-generation tokens banned.
/// </summary>
internal static class AgentKitWorker
{
    public static async Task<WorkerResult> RunAsync(string workload, string modelPath, int threads, IReadOnlyList<LlamaToken> prompt)
    {
        using var model = await LlamaModel.LoadAsync(modelPath, new LlamaModelOptions { GpuLayerCount = 0 }).ConfigureAwait(false);
        using var context = model.CreateContext(new LlamaContextOptions
        {
            ContextSize = Workload.ContextSize,
            BatchSize = Workload.BatchSize,
            MicroBatchSize = Workload.BatchSize,
            MaxSequences = Workload.Sequences(workload),
            Threads = threads,
            BatchThreads = threads,
        });

        var generation = new LlamaGenerationOptions { MaxTokens = Workload.GeneratedTokens, Sampling = GreedyWithoutEnd(model) };

        // Warm-up, identical to baseline.c: the prompt in one batch, then a few single-token steps.
        await DrainAsync(context.GenerateAsync(prompt, generation with { MaxTokens = Workload.WarmupSteps + 1 }), WorkerResult.ChecksumSeed).ConfigureAwait(false);
        context.Clear();

        var checksum = WorkerResult.ChecksumSeed;
        int tokens;
        var clock = new Stopwatch();
        switch (workload)
        {
            case Workload.PromptProcessing:
                for (var repeat = 0; repeat < Workload.PromptRepeats; repeat++)
                {
                    context.Clear();
                    clock.Start();
                    context.Evaluate(LlamaSeqId.Zero, prompt);
                    clock.Stop();
                }

                tokens = Workload.PromptRepeats * prompt.Count;
                break;

            case Workload.Generation:
                var shortPrompt = prompt.Take(Math.Min(Workload.ShortPromptTokens, prompt.Count)).ToArray();
                // The prompt is cached first, so the timed call decodes its last token again and then generates.
                context.Evaluate(LlamaSeqId.Zero, shortPrompt[..^1]);
                clock.Start();
                checksum = await DrainAsync(context.GenerateAsync(shortPrompt, generation), checksum).ConfigureAwait(false);
                clock.Stop();
                tokens = Workload.GeneratedTokens;
                break;

            case Workload.Sequential:
                clock.Start();
                for (var i = 0; i < Workload.Completions; i++)
                {
                    context.Clear();
                    checksum = await DrainAsync(context.GenerateAsync(prompt, generation), checksum).ConfigureAwait(false);
                }

                clock.Stop();
                tokens = Workload.Completions * Workload.GeneratedTokens;
                break;

            case Workload.Multi:
                var prompts = Enumerable.Repeat(prompt, Workload.Completions).ToArray();
                clock.Start();
                await foreach (var update in context.GenerateManyAsync(prompts, [generation]).ConfigureAwait(false))
                {
                    if (update.Update.Token != LlamaToken.Null)
                    {
                        checksum = WorkerResult.Mix(checksum, update.Update.Token.Value);
                    }
                }

                clock.Stop();
                tokens = Workload.Completions * Workload.GeneratedTokens;
                break;

            default:
                throw new ArgumentException($"Unknown workload '{workload}' (expected {string.Join(", ", Workload.All)}).", nameof(workload));
        }

        return new WorkerResult("agentkit", workload, tokens, clock.Elapsed.TotalSeconds, WorkerResult.PeakRssKb(), WorkerResult.FormatChecksum(checksum));
    }

    /// <summary>Greedy, with every end-of-generation token banned, so each generation runs to its token count.</summary>
    private static LlamaSamplingOptions GreedyWithoutEnd(LlamaModel model)
    {
        var banned = new Dictionary<LlamaToken, float>();
        for (var id = 0; id < model.Vocabulary.Count; id++)
        {
            if (model.Vocabulary.IsEndOfGeneration(new LlamaToken(id)))
            {
                banned[new LlamaToken(id)] = float.NegativeInfinity;
            }
        }

        return LlamaSamplingOptions.Greedy with { LogitBias = banned };
    }

    private static async Task<ulong> DrainAsync(IAsyncEnumerable<LlamaGenerationUpdate> updates, ulong checksum)
    {
        await foreach (var update in updates.ConfigureAwait(false))
        {
            if (update.Token != LlamaToken.Null)
            {
                checksum = WorkerResult.Mix(checksum, update.Token.Value);
            }
        }

        return checksum;
    }
}
