using System.Runtime.CompilerServices;
using System.Text;
using AgentKit.LlamaCpp.Batching;
using AgentKit.LlamaCpp.Diagnostics;
using AgentKit.LlamaCpp.Generation;

namespace AgentKit.LlamaCpp.Chat;

public sealed partial class LlamaChatClient
{
    private readonly LlamaBatchScheduler? _scheduler;

    /// <summary>The continuous-batching scheduler when <see cref="LlamaChatClientOptions.Batching"/> is set; else null (context pool).</summary>
    public LlamaBatchScheduler? BatchScheduler => _scheduler;

    /// <summary>One request's generation: a sequence of the batch scheduler, or a pooled context of its own.</summary>
    private async IAsyncEnumerable<LlamaGenerationUpdate> GenerateOneAsync(
        LlamaToken[] prompt,
        LlamaGenerationOptions options,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (_scheduler is not null)
        {
            // The scheduler drafts by prompt lookup (a draft model needs a pooled context: Validate refuses the pair).
            await foreach (var update in _scheduler.GenerateAsync(prompt, WithSpeculation(options, null), cancellationToken).ConfigureAwait(false))
            {
                yield return update;
            }

            yield break;
        }

        using var lease = await _pool.RentAsync(prompt, cancellationToken).ConfigureAwait(false);
        using var draftLease = await RentDraftAsync(prompt, cancellationToken).ConfigureAwait(false);
        await foreach (var update in lease.Context.GenerateAsync(prompt, WithSpeculation(options, draftLease), LlamaSeqId.Zero, cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }
    }

    /// <summary>
    /// Several prompts at once: in one pooled context's sequences (<see cref="LlamaContext.GenerateManyAsync"/>), or as
    /// concurrent requests of the batch scheduler (whose prefix cache shares their common prompt).
    /// </summary>
    private async Task CollectManyAsync(IReadOnlyList<LlamaToken>[] prompts, PreparedRequest request, StringBuilder[] texts, LlamaGenerationUpdate[] finals, CancellationToken cancellationToken)
    {
        var speed = new GenerationSpeed(_metadata.DefaultModelId);
        if (_scheduler is not null)
        {
            var scheduler = _scheduler;
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var tasks = Enumerable.Range(0, prompts.Length).Select(async i =>
            {
                try
                {
                    await foreach (var update in scheduler.GenerateAsync(prompts[i], request.Generation[i], linked.Token).ConfigureAwait(false))
                    {
                        speed.OnToken();
                        texts[i].Append(update.Text);
                        if (update.FinishReason is not null)
                        {
                            finals[i] = update;
                        }
                    }
                }
                catch
                {
                    // One failure ends the others too: the caller gets all answers or an error.
                    await linked.CancelAsync().ConfigureAwait(false);
                    throw;
                }
            }).ToArray();
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        else
        {
            using var lease = await _pool.RentAsync(prompts[0], cancellationToken).ConfigureAwait(false);
            await foreach (var (index, update) in lease.Context.GenerateManyAsync(prompts, request.Generation, cancellationToken).ConfigureAwait(false))
            {
                speed.OnToken();
                texts[index].Append(update.Text);
                if (update.FinishReason is not null)
                {
                    finals[index] = update;
                }
            }
        }

        speed.Record(new LlamaUsage(finals.Sum(f => f.Usage.PromptTokens), finals.Sum(f => f.Usage.ReusedPromptTokens), finals.Sum(f => f.Usage.GeneratedTokens)));
    }
}
