using System.Diagnostics;
using System.Runtime.CompilerServices;
using AgentKit.LlamaCpp.Generation;
using AgentKit.LlamaCpp.Sampling;

namespace AgentKit.LlamaCpp;

public sealed partial class LlamaContext
{
    /// <summary>
    /// <see cref="GenerateAsync"/> with speculative decoding: each decode takes the last sampled token and a draft of
    /// the next ones, with logits for every position; the sampler then draws row by row and keeps drafted tokens while
    /// its draw equals the draft, so the first draw that differs (or the draw after a fully accepted draft) is the next
    /// token. The draws are the ones the plain loop makes, in the same order and on the same logits, so the output
    /// (and, with a seed, the exact sampled text) is the plain loop's. Rejected draft tokens leave the KV cache.
    /// </summary>
    private async IAsyncEnumerable<LlamaGenerationUpdate> GenerateSpeculativeAsync(
        IReadOnlyList<LlamaToken> prompt,
        LlamaGenerationOptions options,
        LlamaSpeculationOptions speculation,
        int seq,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var draftContext = speculation.DraftContext;
        if (draftContext is not null)
        {
            if (ReferenceEquals(draftContext, this))
            {
                throw new ArgumentException("LlamaSpeculationOptions.DraftContext must be another context than the one generating.", nameof(options));
            }

            DraftVocabulary.EnsureCompatible(Model, draftContext.Model);
        }

        using var scope = Enter();
        using var draftScope = draftContext?.Enter();
        using var sampler = LlamaSampler.Create(Model, options.Sampling);
        var decoded = await OffCallerAsync(() => EvaluateCore(seq, prompt, cancellationToken), cancellationToken).ConfigureAwait(false);
        var usage = new LlamaUsage(prompt.Count, prompt.Count - decoded, 0);

        var text = new TokenTextDecoder(Model.Vocabulary, options.RenderSpecialTokens);
        var stops = new StopSequenceMatcher(options.StopSequences);
        var drafter = new SpeculativeDrafter(speculation);
        var tokens = SequenceTokens(seq);
        var history = new List<LlamaToken>(prompt.Count + Math.Min(options.MaxTokens, SequenceCapacity));
        history.AddRange(prompt);

        // Rows firstRow.. of the last decode hold the logits for the next token and after each of `draft`'s tokens.
        var firstRow = BatchCount - 1;
        IReadOnlyList<LlamaToken> draft = [];
        // Tokens the plain loop's KV cache would hold when sampling the current row.
        var committed = tokens.Count;
        var generated = 0;
        LlamaFinishReason? finish = null;
        string tail = "";

        while (finish is null)
        {
            var accepted = 0;
            var next = LlamaToken.Null;
            for (var i = 0; i <= draft.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var row = firstRow + i;
                var token = sampler.Sample(this, row);
                float? logProbability = options.LogProbabilities ? LogProbabilityOf(row, token) : null;
                if (Model.Vocabulary.IsEndOfGeneration(token))
                {
                    finish = LlamaFinishReason.Stop;
                    tail = stops.Push(text.Flush()).Emit + stops.Flush();
                    break;
                }

                generated++;
                usage = usage with { GeneratedTokens = generated, DraftTokens = drafter.Drafted + draft.Count, AcceptedDraftTokens = drafter.Accepted + accepted };
                var (emit, stopped) = stops.Push(text.Append(token));
                if (stopped)
                {
                    finish = LlamaFinishReason.Stop;
                    tail = emit;
                    break;
                }

                yield return new LlamaGenerationUpdate(emit, token, null, usage) { LogProbability = logProbability };

                if (generated == options.MaxTokens || committed + 1 >= SequenceCapacity)
                {
                    finish = LlamaFinishReason.Length;
                    tail = stops.Push(text.Flush()).Emit + stops.Flush();
                    break;
                }

                committed++;
                history.Add(token);
                if (i < draft.Count && token == draft[i])
                {
                    accepted++;
                    continue;
                }

                next = token;
                break;
            }

            // Keep what the plain loop would hold: everything up to the last accepted draft token.
            TruncateSequence(seq, committed - (finish is null ? 1 : 0));
            drafter.Record(draft.Count, accepted);
            if (finish is not null)
            {
                break;
            }

            // Never draft past the token limit or the sequence's capacity: the last row's draw is the limit's token.
            var limit = Math.Min(options.MaxTokens - generated - 1, SequenceCapacity - tokens.Count - 2);
            var step = next;
            draft = await OffCallerAsync(() =>
            {
                var proposal = drafter.Draft(history, limit, cancellationToken);
                ClearBatch();
                AddToBatch(step, tokens.Count, seq, wantLogits: true);
                for (var j = 0; j < proposal.Count; j++)
                {
                    AddToBatch(proposal[j], tokens.Count + 1 + j, seq, wantLogits: true);
                }

                var start = Stopwatch.GetTimestamp();
                Decode(cancellationToken, seq);
                drafter.RecordVerify(proposal.Count + 1, Stopwatch.GetElapsedTime(start).TotalSeconds);
                tokens.Add(step);
                tokens.AddRange(proposal);
                return proposal;
            }, cancellationToken).ConfigureAwait(false);
            firstRow = 0;
        }

        usage = usage with { DraftTokens = drafter.Drafted, AcceptedDraftTokens = drafter.Accepted };
        yield return new LlamaGenerationUpdate(tail, LlamaToken.Null, finish, usage);
    }
}
