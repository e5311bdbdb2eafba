using AgentKit.Abstractions.Text;

namespace AgentKit.Abstractions.Evidence;

/// <summary>
/// Finds where pieces of evidence disagree: two statements from different pieces that read as the same thing (their
/// stemmed content words overlap, values taken out) but state different values of one kind — dates, amounts of
/// money, percentages, numbers with the same unit word ("30 days" / "14 days") — or the same thing with opposite
/// polarity ("is refundable" / "is not refundable"). Each conflict names the side the documented rule prefers: the
/// newer, when both are dated and the dates differ.
/// </summary>
/// <remarks>
/// Lexical by design (no model call, microseconds per pair, the same answer every time): it finds the common case —
/// an old and a new version of a document, a tool and a document, two tools reporting one field — and misses
/// contradictions phrased in unrelated words or without values or negation. A statement is a sentence; structured
/// tool results are read one field per statement (see <see cref="EvidenceText.FromToolResult"/>).
/// </remarks>
public sealed class EvidenceConflictDetector
{
    private readonly EvidenceConflictOptions _options;

    /// <summary>Creates a detector.</summary>
    /// <param name="options">Thresholds and bounds; defaults when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of its range (the message names it).</exception>
    public EvidenceConflictDetector(EvidenceConflictOptions? options = null)
    {
        _options = options ?? new EvidenceConflictOptions();
        _options.Validate();
    }

    /// <summary>The conflicts among <paramref name="evidence"/>: at most one per pair of pieces (their most similar statements), most similar first.</summary>
    /// <param name="evidence">The evidence, in the order it was given.</param>
    public IReadOnlyList<EvidenceConflict> Detect(IReadOnlyList<Evidence> evidence)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        var statements = new List<(int Piece, Statement Statement)>();
        for (var piece = 0; piece < evidence.Count && statements.Count < _options.MaxStatements; piece++)
        {
            var text = evidence[piece].Text;
            foreach (var (start, end) in SentenceSplitter.Split(text))
            {
                if (statements.Count >= _options.MaxStatements)
                {
                    break;
                }

                if (end - start <= _options.MaxStatementLength)
                {
                    var statement = Statement.Parse(text[start..end]);
                    if (statement.Words.Count > 0 && (statement.Values.Count > 0 || statement.Negated || HasPolarityPartner(statement)))
                    {
                        statements.Add((piece, statement));
                    }
                }
            }
        }

        var best = new Dictionary<(int, int), (double Similarity, Statement A, Statement B)>();
        for (var i = 0; i < statements.Count; i++)
        {
            for (var j = i + 1; j < statements.Count; j++)
            {
                var (pieceA, a) = statements[i];
                var (pieceB, b) = statements[j];
                if (pieceA == pieceB || Conflict(a, b) is not { } similarity)
                {
                    continue;
                }

                var key = (pieceA, pieceB);
                if (!best.TryGetValue(key, out var current) || similarity > current.Similarity)
                {
                    best[key] = (similarity, a, b);
                }
            }
        }

        return [.. best
            .OrderByDescending(p => p.Value.Similarity)
            .ThenBy(p => p.Key.Item1)
            .ThenBy(p => p.Key.Item2)
            .Take(_options.MaxConflicts)
            .Select(p => Describe(evidence[p.Key.Item1], p.Value.A, evidence[p.Key.Item2], p.Value.B))];
    }

    /// <summary>Every sentence with content words may meet a negated twin, so un-negated sentences without values stay in.</summary>
    private static bool HasPolarityPartner(Statement statement) => statement.Words.Count >= 3;

    /// <summary>The similarity of two statements that disagree; null when they do not (or are not about the same thing).</summary>
    private double? Conflict(Statement a, Statement b)
    {
        var shared = a.Words.Count(b.Words.Contains);
        var sameFields = shared == a.Words.Count && shared == b.Words.Count;
        if (shared < _options.MinSharedWords && !sameFields)
        {
            return null;
        }

        var similarity = (double)shared / (a.Words.Count + b.Words.Count - shared);
        if (similarity >= _options.ValueSimilarity && DifferInAValue(a, b) && !(a.IsOnlyADateLabel && b.IsOnlyADateLabel))
        {
            return similarity;
        }

        return similarity >= _options.NegationSimilarity && a.Negated != b.Negated && SameValues(a, b) ? similarity : null;
    }

    /// <summary>Whether some kind of value appears in both with different values.</summary>
    private static bool DifferInAValue(Statement a, Statement b)
    {
        foreach (var (kind, values) in a.Values)
        {
            if (b.Values.TryGetValue(kind, out var other) && !values.SetEquals(other))
            {
                return true;
            }
        }

        return false;
    }

    private static bool SameValues(Statement a, Statement b) =>
        a.Values.Count == b.Values.Count && a.Values.All(p => b.Values.TryGetValue(p.Key, out var other) && p.Value.SetEquals(other));

    private static EvidenceConflict Describe(Evidence first, Statement a, Evidence second, Statement b)
    {
        var preferred = first.Time is { } t1 && second.Time is { } t2 && t1 != t2 ? (t1 > t2 ? first : second) : null;
        return new EvidenceConflict(first, a.Text, second, b.Text, preferred);
    }
}
