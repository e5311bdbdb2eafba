using System.Text;

namespace AgentKit.VectorStores.Qdrant.Hybrid;

/// <summary>
/// Turns text into the sparse vectors of BM25-style keyword search. Terms are lower-cased runs of letters and digits,
/// hashed (FNV-1a, 32 bits, stable across processes and machines) to indices. A document's weights are BM25's
/// saturated term frequencies (k1 = 1.2, b = 0.75, average length 256 terms); a query's are 1 per distinct term.
/// The inverse document frequency comes from Qdrant, whose sparse vector is configured with <c>modifier: idf</c>,
/// so the dot product Qdrant computes is the BM25 score.
/// </summary>
internal static class Bm25SparseEncoder
{
    private const double K1 = 1.2;
    private const double B = 0.75;
    private const double AverageLength = 256;

    public static SparseTerms EncodeDocument(string? text)
    {
        var terms = Tokenize(text ?? string.Empty);
        var counts = new Dictionary<uint, int>();
        foreach (var term in terms)
        {
            var index = Hash(term);
            counts[index] = counts.GetValueOrDefault(index) + 1;
        }

        var norm = K1 * (1 - B + (B * terms.Count / AverageLength));
        return ToVector(counts.Select(kv => (kv.Key, (float)(kv.Value * (K1 + 1) / (kv.Value + norm)))));
    }

    public static SparseTerms EncodeQuery(IEnumerable<string> keywords)
    {
        var indices = new HashSet<uint>();
        foreach (var keyword in keywords)
        {
            foreach (var term in Tokenize(keyword ?? string.Empty))
            {
                indices.Add(Hash(term));
            }
        }

        return ToVector(indices.Select(i => (i, 1f)));
    }

    internal static List<string> Tokenize(string text)
    {
        var terms = new List<string>();
        var current = new StringBuilder();
        foreach (var rune in text.EnumerateRunes())
        {
            if (Rune.IsLetterOrDigit(rune))
            {
                current.Append(Rune.ToLowerInvariant(rune).ToString());
            }
            else if (current.Length > 0)
            {
                terms.Add(current.ToString());
                current.Clear();
            }
        }

        if (current.Length > 0)
        {
            terms.Add(current.ToString());
        }

        return terms;
    }

    internal static uint Hash(string term)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(term))
        {
            hash = unchecked((hash ^ b) * 16777619u);
        }

        return hash;
    }

    private static SparseTerms ToVector(IEnumerable<(uint Index, float Weight)> entries)
    {
        var sorted = entries.OrderBy(e => e.Index).ToArray();
        return new SparseTerms([.. sorted.Select(e => e.Index)], [.. sorted.Select(e => e.Weight)]);
    }
}

/// <summary>A sparse vector: distinct indices in ascending order with their weights.</summary>
internal sealed record SparseTerms(uint[] Indices, float[] Values);
