using System.Runtime.CompilerServices;
using AgentKit.LlamaCpp.Generation;
using AgentKit.LlamaCpp.Sampling;

namespace AgentKit.LlamaCpp;

public sealed partial class LlamaContext
{
    /// <summary>
    /// Generates from several prompts at once. The longest prefix the prompts share is decoded once (reusing
    /// what sequence 0 already holds) and forked into one sequence per prompt; the differing tails are decoded
    /// together, and then every step advances all unfinished sequences in a single batch, each with its own
    /// sampler (and grammar). Pass the same prompt N times to draw N completions of it (self-consistency);
    /// pass sibling prompts to expand them on their parent's cache (Tree-of-Thoughts).
    /// </summary>
    /// <param name="prompts">One prompt per sequence; at most <see cref="MaxSequences"/>.</param>
    /// <param name="options">One options object for all sequences, or one per prompt.</param>
    /// <param name="cancellationToken">Stops all sequences.</param>
    /// <returns>Updates tagged with the prompt's index; each sequence ends with an update that carries its finish reason.</returns>
    /// <exception cref="LlamaContextOverflowException">More prompts than sequences, or the prompts do not fit in the context.</exception>
    public async IAsyncEnumerable<LlamaSequenceUpdate> GenerateManyAsync(
        IReadOnlyList<IReadOnlyList<LlamaToken>> prompts,
        IReadOnlyList<LlamaGenerationOptions> options,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(options);
        var n = prompts.Count;
        if (n == 0)
        {
            throw new ArgumentException("At least one prompt is needed.", nameof(prompts));
        }

        if (n > MaxSequences)
        {
            throw new LlamaContextOverflowException($"{n} prompts need {n} sequences but the context holds {MaxSequences} (LlamaContextOptions.MaxSequences).");
        }

        if (options.Count != 1 && options.Count != n)
        {
            throw new ArgumentException($"Give one options object for all prompts or one per prompt ({n}); got {options.Count}.", nameof(options));
        }

        var perSequence = Enumerable.Range(0, n).Select(i => options[options.Count == 1 ? 0 : i]).ToArray();
        foreach (var o in perSequence)
        {
            o.Validate();
        }

        for (var i = 0; i < n; i++)
        {
            if (prompts[i] is null || prompts[i].Count == 0)
            {
                throw new ArgumentException($"Prompt {i} is empty: at least one token is needed.", nameof(prompts));
            }
        }

        // Every tail keeps at least one token so that each sequence gets logits of its own last prompt token.
        var shared = prompts[0].Count;
        for (var i = 1; i < n; i++)
        {
            shared = Math.Min(shared, CommonPrefixLength(prompts[0], prompts[i]));
        }

        shared = Math.Min(shared, prompts.Min(p => p.Count) - 1);
        var cellsNeeded = shared + prompts.Sum(p => p.Count - shared);
        if (cellsNeeded + n > ContextSize)
        {
            throw new LlamaContextOverflowException(cellsNeeded + n, ContextSize, $"{n} prompts sharing {shared} tokens");
        }

        using var scope = Enter();
        var samplers = new LlamaSampler[n];
        try
        {
            for (var i = 0; i < n; i++)
            {
                samplers[i] = LlamaSampler.Create(Model, perSequence[i].Sampling);
            }

            var reused = await OffCallerAsync(() => PrepareSequences(prompts, shared, cancellationToken), cancellationToken).ConfigureAwait(false);

            var states = new SequenceState[n];
            for (var i = 0; i < n; i++)
            {
                states[i] = new SequenceState(
                    new TokenTextDecoder(Model.Vocabulary, perSequence[i].RenderSpecialTokens),
                    new StopSequenceMatcher(perSequence[i].StopSequences))
                {
                    LogitsRow = i,
                    Usage = new LlamaUsage(prompts[i].Count, i == 0 ? reused : shared, 0),
                };
            }

            // Distinct KV cells in use: the shared prefix once, plus every sequence's own tokens.
            var cellsInUse = shared + prompts.Sum(p => p.Count - shared);
            var active = n;
            var pending = new List<LlamaSequenceUpdate>(n);
            var touched = new int[n];
            while (active > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                pending.Clear();
                ClearBatch();
                for (var i = 0; i < n; i++)
                {
                    var state = states[i];
                    if (state.Finished)
                    {
                        continue;
                    }

                    var token = samplers[i].Sample(this, state.LogitsRow);
                    string? tail = null;
                    if (Model.Vocabulary.IsEndOfGeneration(token))
                    {
                        tail = state.Stops.Push(state.Text.Flush()).Emit + state.Stops.Flush();
                        state.Finish = LlamaFinishReason.Stop;
                    }
                    else
                    {
                        state.Usage = state.Usage with { GeneratedTokens = state.Usage.GeneratedTokens + 1 };
                        var (emit, stopped) = state.Stops.Push(state.Text.Append(token));
                        if (stopped)
                        {
                            tail = emit;
                            state.Finish = LlamaFinishReason.Stop;
                        }
                        else
                        {
                            pending.Add(new LlamaSequenceUpdate(i, new LlamaGenerationUpdate(emit, token, null, state.Usage)));
                            var sequenceTokens = SequenceTokens(i);
                            if (state.Usage.GeneratedTokens >= perSequence[i].MaxTokens
                                || cellsInUse + BatchCount + 1 > ContextSize
                                || sequenceTokens.Count + 1 >= SequenceCapacity)
                            {
                                tail = state.Stops.Push(state.Text.Flush()).Emit + state.Stops.Flush();
                                state.Finish = LlamaFinishReason.Length;
                            }
                            else
                            {
                                state.LogitsRow = BatchCount;
                                AddToBatch(token, sequenceTokens.Count, i, wantLogits: true);
                                state.PendingToken = token;
                            }
                        }
                    }

                    if (state.Finish is { } reason)
                    {
                        state.Finished = true;
                        active--;
                        pending.Add(new LlamaSequenceUpdate(i, new LlamaGenerationUpdate(tail ?? "", LlamaToken.Null, reason, state.Usage)));
                    }
                }

                foreach (var update in pending)
                {
                    yield return update;
                }

                if (BatchCount > 0)
                {
                    var touchedCount = 0;
                    for (var i = 0; i < n; i++)
                    {
                        if (!states[i].Finished)
                        {
                            touched[touchedCount++] = i;
                        }
                    }

                    await OffCallerAsync(() => Decode(cancellationToken, touched.AsSpan(0, touchedCount)), cancellationToken).ConfigureAwait(false);
                    cellsInUse += BatchCount;
                    for (var i = 0; i < n; i++)
                    {
                        if (!states[i].Finished)
                        {
                            SequenceTokens(i).Add(states[i].PendingToken);
                        }
                    }
                }
            }
        }
        finally
        {
            foreach (var sampler in samplers)
            {
                sampler?.Dispose();
            }

            // Sequence 0 keeps its prompt and continuation for prefix reuse; the forks are released.
            for (var i = 1; i < n; i++)
            {
                RemoveSequenceCore(i);
            }
        }
    }

    /// <summary>Decodes the shared prefix on sequence 0, forks it, then decodes all tails in shared batches.</summary>
    /// <returns>Shared prefix tokens sequence 0 already held.</returns>
    private int PrepareSequences(IReadOnlyList<IReadOnlyList<LlamaToken>> prompts, int shared, CancellationToken cancellationToken)
    {
        var n = prompts.Count;
        var zero = SequenceTokens(0);
        var reused = Math.Min(CommonPrefixLength(zero, prompts[0]), shared);
        TruncateSequence(0, reused);
        reused = zero.Count;
        for (var i = 1; i < n; i++)
        {
            RemoveSequenceCore(i);
        }

        var all = Enumerable.Range(0, n).ToArray();
        for (var position = reused; position < shared;)
        {
            ClearBatch();
            var count = Math.Min(BatchSize, shared - position);
            for (var k = 0; k < count; k++)
            {
                AddToBatch(prompts[0][position + k], position + k, 0, wantLogits: false);
            }

            Decode(cancellationToken, 0);
            for (var k = 0; k < count; k++)
            {
                zero.Add(prompts[0][position + k]);
            }

            position += count;
        }

        for (var i = 1; i < n; i++)
        {
            CopySequenceCore(0, i);
        }

        // Tails: token j of every sequence, in rounds that fit a batch; the last token of each tail wants logits.
        // Rows of the final batch are arranged so that sequence i's last token lands on row i.
        var tails = Enumerable.Range(0, n).Select(i => prompts[i].Count - shared).ToArray();
        var longest = tails.Max();
        var queue = new List<(int Sequence, int Index)>();
        for (var j = 0; j < longest - 1; j++)
        {
            for (var i = 0; i < n; i++)
            {
                if (j < tails[i] - 1)
                {
                    queue.Add((i, shared + j));
                }
            }
        }

        for (var start = 0; start < queue.Count;)
        {
            ClearBatch();
            var count = Math.Min(BatchSize, queue.Count - start);
            for (var k = 0; k < count; k++)
            {
                var (sequence, index) = queue[start + k];
                AddToBatch(prompts[sequence][index], index, sequence, wantLogits: false);
            }

            Decode(cancellationToken, all);
            for (var k = 0; k < count; k++)
            {
                var (sequence, index) = queue[start + k];
                SequenceTokens(sequence).Add(prompts[sequence][index]);
            }

            start += count;
        }

        ClearBatch();
        for (var i = 0; i < n; i++)
        {
            var last = prompts[i].Count - 1;
            AddToBatch(prompts[i][last], last, i, wantLogits: true);
        }

        Decode(cancellationToken, all);
        for (var i = 0; i < n; i++)
        {
            SequenceTokens(i).Add(prompts[i][^1]);
        }

        return reused;
    }

    private sealed class SequenceState(TokenTextDecoder text, StopSequenceMatcher stops)
    {
        public TokenTextDecoder Text { get; } = text;

        public StopSequenceMatcher Stops { get; } = stops;

        public int LogitsRow { get; set; }

        public LlamaUsage Usage { get; set; }

        public LlamaToken PendingToken { get; set; }

        public LlamaFinishReason? Finish { get; set; }

        public bool Finished { get; set; }
    }

    internal static int CommonPrefixLength(IReadOnlyList<LlamaToken> a, IReadOnlyList<LlamaToken> b)
    {
        var n = Math.Min(a.Count, b.Count);
        var i = 0;
        while (i < n && a[i] == b[i])
        {
            i++;
        }

        return i;
    }
}

/// <summary>An update of one sequence in <see cref="LlamaContext.GenerateManyAsync"/>.</summary>
/// <param name="Index">The index of the prompt this update belongs to.</param>
/// <param name="Update">The update.</param>
public readonly record struct LlamaSequenceUpdate(int Index, LlamaGenerationUpdate Update);
