using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using AgentKit.LlamaCpp.Generation;
using AgentKit.LlamaCpp.Sampling;

namespace AgentKit.LlamaCpp;

public sealed partial class LlamaContext
{
    /// <summary>
    /// Generates text after <paramref name="prompt"/> in one sequence, streaming a step per token. The prompt's
    /// prefix already held by the sequence is reused. Cancellable between tokens (and during a long prompt decode).
    /// </summary>
    /// <param name="prompt">The prompt tokens (e.g. from <see cref="LlamaVocabulary.Tokenize"/> of a chat-template rendering).</param>
    /// <param name="options">Generation options; defaults when null.</param>
    /// <param name="sequence">The sequence to use; default 0.</param>
    /// <param name="cancellationToken">Stops the generation.</param>
    /// <returns>One update per token; the last one carries the finish reason.</returns>
    /// <exception cref="LlamaContextOverflowException">The prompt does not fit in the context.</exception>
    public async IAsyncEnumerable<LlamaGenerationUpdate> GenerateAsync(
        IReadOnlyList<LlamaToken> prompt,
        LlamaGenerationOptions? options = null,
        LlamaSeqId sequence = default,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        options ??= new LlamaGenerationOptions();
        options.Validate();
        var seq = CheckSequence(sequence);
        if (prompt.Count >= SequenceCapacity)
        {
            throw new LlamaContextOverflowException(prompt.Count + 1, SequenceCapacity, "The prompt plus one generated token");
        }

        if (options.Speculation is { } speculation)
        {
            await foreach (var update in GenerateSpeculativeAsync(prompt, options, speculation, seq, cancellationToken).ConfigureAwait(false))
            {
                yield return update;
            }

            yield break;
        }

        using var scope = Enter();
        using var sampler = LlamaSampler.Create(Model, options.Sampling);
        var decoded = await OffCallerAsync(() => EvaluateCore(seq, prompt, cancellationToken), cancellationToken).ConfigureAwait(false);
        var usage = new LlamaUsage(prompt.Count, prompt.Count - decoded, 0);

        var text = new TokenTextDecoder(Model.Vocabulary, options.RenderSpecialTokens);
        var stops = new StopSequenceMatcher(options.StopSequences);
        var tokens = SequenceTokens(seq);
        var logitsRow = BatchCount - 1;
        LlamaFinishReason finish = LlamaFinishReason.Length;
        string tail = "";

        for (var generated = 0; generated < options.MaxTokens; generated++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var token = sampler.Sample(this, logitsRow);
            float? logProbability = options.LogProbabilities ? LogProbabilityOf(logitsRow, token) : null;
            if (Model.Vocabulary.IsEndOfGeneration(token))
            {
                finish = LlamaFinishReason.Stop;
                tail = stops.Push(text.Flush()).Emit + stops.Flush();
                break;
            }

            usage = usage with { GeneratedTokens = generated + 1 };
            var (emit, stopped) = stops.Push(text.Append(token));
            if (stopped)
            {
                finish = LlamaFinishReason.Stop;
                tail = emit;
                break;
            }

            yield return new LlamaGenerationUpdate(emit, token, null, usage) { LogProbability = logProbability };

            if (generated + 1 == options.MaxTokens || tokens.Count + 1 >= SequenceCapacity)
            {
                tail = stops.Push(text.Flush()).Emit + stops.Flush();
                break;
            }

            ClearBatch();
            AddToBatch(token, tokens.Count, seq, wantLogits: true);
            await OffCallerAsync(() => Decode(cancellationToken, seq), cancellationToken).ConfigureAwait(false);
            tokens.Add(token);
            logitsRow = 0;
        }

        yield return new LlamaGenerationUpdate(tail, LlamaToken.Null, finish, usage);
    }

    /// <summary>
    /// The natural-log probability of <paramref name="token"/> under the softmax of batch row <paramref name="batchIndex"/>'s
    /// logits (the sampler works on a copy, so they are still the model's own after sampling).
    /// </summary>
    internal float LogProbabilityOf(int batchIndex, LlamaToken token)
    {
        var logits = GetLogits(batchIndex);
        var max = TensorPrimitives.Max(logits);
        var shifted = ArrayPool<float>.Shared.Rent(logits.Length);
        try
        {
            var span = shifted.AsSpan(0, logits.Length);
            TensorPrimitives.Subtract(logits, max, span);
            TensorPrimitives.Exp(span, span);
            return logits[token.Value] - max - MathF.Log(TensorPrimitives.Sum(span));
        }
        finally
        {
            ArrayPool<float>.Shared.Return(shifted);
        }
    }

    /// <summary>Generates a complete text (see <see cref="GenerateAsync"/>).</summary>
    /// <returns>The text, why it ended and the token counts.</returns>
    public async Task<LlamaCompletion> CompleteAsync(
        IReadOnlyList<LlamaToken> prompt,
        LlamaGenerationOptions? options = null,
        LlamaSeqId sequence = default,
        CancellationToken cancellationToken = default)
    {
        var builder = new System.Text.StringBuilder();
        var tokens = new List<LlamaToken>();
        LlamaGenerationUpdate last = default;
        await foreach (var update in GenerateAsync(prompt, options, sequence, cancellationToken).ConfigureAwait(false))
        {
            builder.Append(update.Text);
            if (update.Token != LlamaToken.Null)
            {
                tokens.Add(update.Token);
            }

            last = update;
        }

        return new LlamaCompletion(builder.ToString(), tokens, last.FinishReason ?? LlamaFinishReason.Length, last.Usage);
    }
}

/// <summary>The result of a complete generation.</summary>
/// <param name="Text">The generated text (without a stop sequence that ended it).</param>
/// <param name="Tokens">The generated tokens.</param>
/// <param name="FinishReason">Why it ended.</param>
/// <param name="Usage">Token counts.</param>
public sealed record LlamaCompletion(string Text, IReadOnlyList<LlamaToken> Tokens, LlamaFinishReason FinishReason, LlamaUsage Usage);
