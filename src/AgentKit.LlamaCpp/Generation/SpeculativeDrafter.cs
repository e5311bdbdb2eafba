using System.Diagnostics;
using System.Numerics.Tensors;

namespace AgentKit.LlamaCpp.Generation;

/// <summary>
/// Proposes the next tokens of a speculative generation (prompt lookup first, then the draft model) and adapts how
/// many: prompt lookup to its acceptance seen so far, the draft model to its acceptance and to the measured cost of
/// drafting and verifying (<see cref="DraftCostModel"/>).
/// </summary>
internal sealed class SpeculativeDrafter
{
    // Rounds without drafting after which the draft model drafts once anyway, so that its acceptance and cost are
    // measured again (load and text change during a generation).
    private const int ProbeInterval = 16;

    private readonly LlamaSpeculationOptions _options;
    private readonly LlamaContext? _draft;
    private readonly List<LlamaToken> _buffer = [];
    private readonly DraftCostModel _cost;
    private AcceptanceEstimate _lookupAcceptance;
    private AcceptanceEstimate _modelAcceptance;
    private bool _lastFromLookup;
    private int _roundsWithoutDraft;
    private int _roundsDrafting;

    public SpeculativeDrafter(LlamaSpeculationOptions options)
    {
        _options = options;
        _draft = options.DraftContext;
        _cost = new DraftCostModel(options.MaxDraftTokens);
    }

    /// <summary>Draft tokens proposed, all generation long.</summary>
    public int Drafted { get; private set; }

    /// <summary>Draft tokens the target accepted.</summary>
    public int Accepted { get; private set; }

    /// <summary>Verify decodes (rounds), all generation long.</summary>
    public int Rounds { get; private set; }

    /// <summary>Seconds spent in draft-model decodes.</summary>
    public double DraftSeconds { get; private set; }

    /// <summary>
    /// Drafts the tokens to follow <paramref name="history"/> (the prompt and everything generated), at most
    /// <paramref name="limit"/> (the token limit or the context's room). Prompt lookup first, with a length from its own
    /// acceptance; then the draft model, with the length <see cref="DraftCostModel"/> finds fastest (possibly none).
    /// With <see cref="LlamaSpeculationOptions.AdaptiveDraftLength"/> off, both draft <see cref="LlamaSpeculationOptions.MaxDraftTokens"/>.
    /// </summary>
    public IReadOnlyList<LlamaToken> Draft(IReadOnlyList<LlamaToken> history, int limit, CancellationToken cancellationToken)
    {
        _buffer.Clear();
        _lastFromLookup = false;
        if (limit <= 0)
        {
            return _buffer;
        }

        var adaptive = _options.AdaptiveDraftLength;
        if (_options.PromptLookup)
        {
            Lookup(history, Math.Min(limit, adaptive ? _lookupAcceptance.Length(_options.MaxDraftTokens) : _options.MaxDraftTokens));
            _lastFromLookup = _buffer.Count > 0;
        }

        if (_buffer.Count == 0 && _draft is not null)
        {
            var length = !adaptive ? _options.MaxDraftTokens
                : _cost.BestLength(_modelAcceptance.Probability, _options.MaxDraftTokens) ?? _modelAcceptance.Length(_options.MaxDraftTokens);
            if (adaptive && length == 0 && ++_roundsWithoutDraft >= ProbeInterval)
            {
                length = _modelAcceptance.Length(_options.MaxDraftTokens);
            }
            else if (adaptive && length > 0 && ++_roundsDrafting >= 2 * ProbeInterval)
            {
                // Time a plain decode again now and then: it is the baseline every draft length is weighed against.
                length = 0;
            }

            if (length == 0)
            {
                _roundsDrafting = 0;
            }
            else
            {
                _roundsWithoutDraft = 0;
                var start = Stopwatch.GetTimestamp();
                var decodes = DraftWithModel(history, Math.Min(length, limit), cancellationToken);
                var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
                DraftSeconds += seconds;
                _cost.RecordDraft(decodes, seconds);
            }
        }

        return _buffer;
    }

    /// <summary>Records the verify decode of a round: <paramref name="tokens"/> tokens in <paramref name="seconds"/>.</summary>
    public void RecordVerify(int tokens, double seconds)
    {
        Rounds++;
        _cost.RecordVerify(tokens, seconds);
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
        if (_lastFromLookup)
        {
            _lookupAcceptance.Record(drafted, accepted);
        }
        else
        {
            _modelAcceptance.Record(drafted, accepted);
        }
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

    /// <summary>
    /// Greedy continuation by the draft model, its KV cache reused across rounds like a prompt's prefix (only the
    /// tokens it has not seen are decoded: the target's last token, and the last draft token when all were accepted).
    /// Returns the number of draft decodes made.
    /// </summary>
    private int DraftWithModel(IReadOnlyList<LlamaToken> history, int length, CancellationToken cancellationToken)
    {
        var draft = _draft!;
        if (history.Count + length >= draft.SequenceCapacity)
        {
            return 0;
        }

        draft.EvaluateCore(0, history, cancellationToken);
        var decodes = 1;
        var held = draft.SequenceTokens(0);
        var row = draft.BatchCount - 1;
        for (var j = 0; j < length; j++)
        {
            var token = new LlamaToken(TensorPrimitives.IndexOfMax(draft.GetLogits(row)));
            _buffer.Add(token);
            if (j == length - 1 || draft.Model.Vocabulary.IsEndOfGeneration(token))
            {
                break;
            }

            draft.ClearBatch();
            draft.AddToBatch(token, held.Count, 0, wantLogits: true);
            draft.Decode(cancellationToken, 0);
            decodes++;
            held.Add(token);
            row = 0;
        }

        return decodes;
    }

    /// <summary>
    /// A decaying estimate of the probability that a drafted token is accepted: recent rounds count most, so it
    /// follows the text. Each accepted token is a success; the first rejected one (if any) is the round's one failure.
    /// </summary>
    private struct AcceptanceEstimate
    {
        private const double Decay = 0.7;
        private const double MaxEstimate = 0.95;
        private double _successes;
        private double _trials;

        /// <summary>The estimate; optimistic (0.75) before the first round.</summary>
        public readonly double Probability => _trials > 0 ? Math.Min(_successes / _trials, MaxEstimate) : 0.75;

        /// <summary>The expected run of accepted tokens p/(1−p), plus one, in 1…<paramref name="max"/>.</summary>
        public readonly int Length(int max)
        {
            var p = Probability;
            return Math.Clamp((int)Math.Ceiling(p / (1 - p)) + 1, 1, max);
        }

        public void Record(int drafted, int accepted)
        {
            _successes = (_successes * Decay) + accepted;
            _trials = (_trials * Decay) + accepted + (accepted < drafted ? 1 : 0);
        }
    }
}
