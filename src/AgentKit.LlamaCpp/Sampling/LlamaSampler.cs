using System.Text;
using AgentKit.LlamaCpp.Native;

namespace AgentKit.LlamaCpp.Sampling;

/// <summary>A native llama.cpp sampler chain built from <see cref="LlamaSamplingOptions"/>. One per sequence being generated.</summary>
internal sealed class LlamaSampler : IDisposable
{
    private readonly SafeLlamaSamplerHandle _chain;

    private LlamaSampler(SafeLlamaSamplerHandle chain) => _chain = chain;

    public static unsafe LlamaSampler Create(LlamaModel model, LlamaSamplingOptions options)
    {
        options.Validate();
        var vocab = model.Vocabulary;
        var chainParams = NativeMethods.llama_sampler_chain_default_params();
        chainParams.no_perf = 1;
        var chain = new SafeLlamaSamplerHandle(NativeMethods.llama_sampler_chain_init(chainParams));
        try
        {
            var pointer = chain.DangerousGetHandle();
            if (options.LogitBias is { Count: > 0 } bias)
            {
                var entries = bias.Select(kv =>
                {
                    if (kv.Key.Value >= vocab.Count)
                    {
                        throw new ArgumentOutOfRangeException(nameof(options), kv.Key.Value, $"LlamaSamplingOptions.LogitBias names token {kv.Key.Value}, but the vocabulary has {vocab.Count} tokens.");
                    }

                    return new LlamaLogitBiasNative { token = kv.Key.Value, bias = kv.Value };
                }).ToArray();
                fixed (LlamaLogitBiasNative* e = entries)
                {
                    Add(pointer, NativeMethods.llama_sampler_init_logit_bias(vocab.Count, entries.Length, e));
                }
            }

            if (options.RepetitionPenalty != 1f || options.FrequencyPenalty != 0f || options.PresencePenalty != 0f)
            {
                Add(pointer, NativeMethods.llama_sampler_init_penalties(vocab.Count, options.PenaltyLastN, options.RepetitionPenalty, options.FrequencyPenalty, options.PresencePenalty));
            }

            if (options.Grammar is { } grammar)
            {
                var text = Encoding.UTF8.GetBytes(grammar.Text + "\0");
                var root = Encoding.UTF8.GetBytes(grammar.Root + "\0");
                LastErrorCapture.Begin();
                nint sampler;
                fixed (byte* t = text)
                fixed (byte* r = root)
                {
                    sampler = NativeMethods.llama_sampler_init_grammar(vocab.Pointer, t, r);
                }

                if (sampler == nint.Zero)
                {
                    throw new LlamaGrammarException($"llama.cpp rejected the grammar: {LastErrorCapture.Describe()}");
                }

                Add(pointer, sampler);
            }

            if (options.Temperature <= 0f)
            {
                Add(pointer, NativeMethods.llama_sampler_init_greedy());
            }
            else
            {
                if (options.TopK > 0)
                {
                    Add(pointer, NativeMethods.llama_sampler_init_top_k(options.TopK));
                }

                if (options.TypicalP < 1f)
                {
                    Add(pointer, NativeMethods.llama_sampler_init_typical(options.TypicalP, 1));
                }

                if (options.TopP < 1f)
                {
                    Add(pointer, NativeMethods.llama_sampler_init_top_p(options.TopP, 1));
                }

                if (options.MinP > 0f)
                {
                    Add(pointer, NativeMethods.llama_sampler_init_min_p(options.MinP, 1));
                }

                Add(pointer, NativeMethods.llama_sampler_init_temp(options.Temperature));
                Add(pointer, NativeMethods.llama_sampler_init_dist(options.Seed));
            }

            return new LlamaSampler(chain);
        }
        catch
        {
            chain.Dispose();
            throw;
        }

        static void Add(nint chain, nint sampler)
        {
            if (sampler == nint.Zero)
            {
                throw new LlamaException("llama.cpp could not create a sampler.");
            }

            NativeMethods.llama_sampler_chain_add(chain, sampler);
        }
    }

    /// <summary>Samples from the logits of batch row <paramref name="batchIndex"/> and accepts the token into the chain's state (grammar, penalties).</summary>
    public LlamaToken Sample(LlamaContext context, int batchIndex) =>
        new(NativeMethods.llama_sampler_sample(_chain.DangerousGetHandle(), context.Pointer, batchIndex));

    public void Dispose() => _chain.Dispose();
}
