using System.Numerics.Tensors;

namespace AgentKit.LlamaCpp.Generation;

/// <summary>
/// Proposes the next tokens of a speculative generation (prompt lookup first, then the draft model) and adapts how
/// many to the acceptance seen so far.
/// </summary>
internal sealed class SpeculativeDrafter
{
    // Weight of the past in the acceptance estimate: recent rounds count most, so the length follows the text.
    private const double Decay = 0.7;
    private const double MaxEstimate = 0.95;

    private readonly LlamaSpeculationOptions _options;
    private readonly LlamaContext? _draft;
    private readonly List<LlamaToken> _buffer = [];
    private double _successes;
    private double _trials;

    public SpeculativeDrafter(LlamaSpeculationOptions options)
    {
        _options = options;
        _draft = options.DraftContext;
    }

    /// <summary>Draft tokens proposed, all generation long.</summary>
    public int Drafted { get; private set; }

    /// <summary>Draft tokens the target accepted.</summary>
    public int Accepted { get; private set; }

    /// <summary>
    /// The draft length for the next round: the expected run of accepted tokens p/(1-p) plus one, p being the recent
    /// probability that a draft token is accepted (optimistic before the first round).
    /// </summary>
    public int NextLength()
    {
        var p = _trials > 0 ? Math.Min(_successes / _trials, MaxEstimate) : 0.75;
        var length = (int)Math.Ceiling(p / (1 - p)) + 1;
        return Math.Clamp(length, 1, _options.MaxDraftTokens);
    }

    /// <summary>Drafts up to <paramref name="length"/> tokens to follow <paramref name="history"/> (the prompt and everything generated).</summary>
    public IReadOnlyList<LlamaToken> Draft(IReadOnlyList<LlamaToken> history, int length, CancellationToken cancellationToken)
    {
        _buffer.Clear();
        if (length <= 0)
        {
            return _buffer;
        }

        if (_options.PromptLookup)
        {
            Lookup(history, length);
        }

        if (_buffer.Count == 0 && _draft is not null)
        {
            DraftWithModel(history, length, cancellationToken);
        }

        return _buffer;
    }

    /// <summary>Records how a round went: <paramref name="accepted"/> of <paramref name="drafted"/> tokens were kept.</summary>
    public void Record(int drafted, int accepted)
    {
        if (drafted == 0)
        {
            return;
        }

        Drafted += drafted;
        Accepted += accepted;
        // Each accepted token is a success; the first rejected one (if any) is the one failure the round saw.
        _successes = (_successes * Decay) + accepted;
        _trials = (_trials * Decay) + accepted + (accepted < drafted ? 1 : 0);
    }

    /// <summary>
    /// The latest earlier occurrence of the history's last n tokens (longest n first) and what followed it. A match
    /// that runs into the present continues with its own proposal, so a repeating pattern is extended periodically.
    /// </summary>
    private void Lookup(IReadOnlyList<LlamaToken> history, int length)
    {
        var n = history.Count;
        for (var ngram = Math.Min(_options.LookupMaxNgram, n - 1); ngram >= _options.LookupMinNgram; ngram--)
        {
            for (var start = n - ngram - 1; start >= 0; start--)
            {
                if (!Matches(history, start, n - ngram, ngram))
                {
                    continue;
                }

                for (var j = 0; j < length; j++)
                {
                    var index = start + ngram + j;
                    _buffer.Add(index < n ? history[index] : _buffer[index - n]);
                }

                return;
            }
        }

        static bool Matches(IReadOnlyList<LlamaToken> history, int a, int b, int count)
        {
            for (var i = 0; i < count; i++)
            {
                if (history[a + i] != history[b + i])
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>Greedy continuation by the draft model, its KV cache reused across rounds like a prompt's prefix.</summary>
    private void DraftWithModel(IReadOnlyList<LlamaToken> history, int length, CancellationToken cancellationToken)
    {
        var draft = _draft!;
        if (history.Count + length >= draft.SequenceCapacity)
        {
            return;
        }

        draft.EvaluateCore(0, history, cancellationToken);
        var held = draft.SequenceTokens(0);
        var row = draft.BatchCount - 1;
        for (var j = 0; j < length; j++)
        {
            var token = new LlamaToken(TensorPrimitives.IndexOfMax(draft.GetLogits(row)));
            _buffer.Add(token);
            if (j == length - 1 || draft.Model.Vocabulary.IsEndOfGeneration(token))
            {
                return;
            }

            draft.ClearBatch();
            draft.AddToBatch(token, held.Count, 0, wantLogits: true);
            draft.Decode(cancellationToken, 0);
            held.Add(token);
            row = 0;
        }
    }
}
