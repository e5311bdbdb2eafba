namespace AgentKit.LlamaCpp.Generation;

/// <summary>
/// Chooses how many tokens a draft model should propose, from what drafting and verifying have cost so far in this
/// generation: the length d maximises the expected tokens per round, (1 − q^(d+1)) / (1 − q) for a per-token acceptance
/// q, over the round's time, d draft decodes plus one verify decode of d + 1 tokens. d = 0 (a plain decode) wins when the
/// draft is too slow or too often wrong, so a poor pair falls back to plain speed instead of losing to it.
/// </summary>
internal sealed class DraftCostModel
{
    // Weight of the past in the running estimates: recent rounds count most, so a change of load is followed.
    private const double Decay = 0.7;

    private readonly double[] _verify;
    private double _draftPerToken = double.NaN;

    /// <param name="maxDraft">The longest draft (verify batches hold up to maxDraft + 1 tokens).</param>
    public DraftCostModel(int maxDraft)
    {
        _verify = new double[maxDraft + 2];
        Array.Fill(_verify, double.NaN);
    }

    /// <summary>True once a draft round has been timed (before that there is nothing to weigh).</summary>
    public bool HasDraftCost => !double.IsNaN(_draftPerToken);

    /// <summary>Records a draft round: <paramref name="decodes"/> draft-model decodes took <paramref name="seconds"/>.</summary>
    public void RecordDraft(int decodes, double seconds)
    {
        if (decodes <= 0 || seconds < 0)
        {
            return;
        }

        var perToken = seconds / decodes;
        _draftPerToken = double.IsNaN(_draftPerToken) ? perToken : (_draftPerToken * Decay) + (perToken * (1 - Decay));
    }

    /// <summary>Records a verify decode of <paramref name="tokens"/> tokens that took <paramref name="seconds"/>.</summary>
    public void RecordVerify(int tokens, double seconds)
    {
        if (tokens <= 0 || tokens >= _verify.Length || seconds < 0)
        {
            return;
        }

        var old = _verify[tokens];
        _verify[tokens] = double.IsNaN(old) ? seconds : (old * Decay) + (seconds * (1 - Decay));
    }

    /// <summary>
    /// The estimated time of a verify decode of <paramref name="tokens"/> tokens: measured, else interpolated between
    /// the nearest measured sizes, else extended from the two nearest on one side (never below zero), else the one
    /// measured size's time (flat), else NaN.
    /// </summary>
    public double Verify(int tokens)
    {
        if (!double.IsNaN(_verify[tokens]))
        {
            return _verify[tokens];
        }

        int below = Nearest(tokens, -1), above = Nearest(tokens, +1);
        if (below > 0 && above > 0)
        {
            return Line(below, above, tokens);
        }

        var first = below > 0 ? below : above;
        if (first <= 0)
        {
            return double.NaN;
        }

        var second = Nearest(first, below > 0 ? -1 : +1);
        return second > 0 ? Math.Max(0, Line(first, second, tokens)) : _verify[first];
    }

    /// <summary>
    /// The best draft length for acceptance <paramref name="acceptance"/> (0: do not draft), at most
    /// <paramref name="maxLength"/>; null while no draft round has been timed; 0 while no single-token decode has been
    /// timed (the baseline every length is weighed against is measured, never guessed). A verify of several tokens is
    /// never taken as cheaper than a single-token decode (a busy machine can make one measurement look so).
    /// </summary>
    public int? BestLength(double acceptance, int maxLength)
    {
        if (!HasDraftCost)
        {
            return null;
        }

        var single = _verify[1];
        if (double.IsNaN(single))
        {
            return 0;
        }

        var best = 0;
        var bestRate = 1 / Math.Max(single, 1e-9);
        for (var d = 1; d <= maxLength; d++)
        {
            var rate = ExpectedTokens(acceptance, d) / Math.Max((d * _draftPerToken) + Math.Max(Verify(d + 1), single), 1e-9);
            if (rate > bestRate)
            {
                best = d;
                bestRate = rate;
            }
        }

        return best;
    }

    /// <summary>Expected tokens a round yields with a draft of <paramref name="length"/>: the accepted run plus one.</summary>
    public static double ExpectedTokens(double acceptance, int length)
    {
        var q = Math.Clamp(acceptance, 0, 1);
        return q >= 1 ? length + 1 : (1 - Math.Pow(q, length + 1)) / (1 - q);
    }

    private int Nearest(int from, int direction)
    {
        for (var n = from + direction; n > 0 && n < _verify.Length; n += direction)
        {
            if (!double.IsNaN(_verify[n]))
            {
                return n;
            }
        }

        return 0;
    }

    private double Line(int a, int b, int at) => _verify[a] + ((_verify[b] - _verify[a]) * (at - a) / (b - a));
}
