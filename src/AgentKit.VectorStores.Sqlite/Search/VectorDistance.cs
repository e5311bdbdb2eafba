using System.Numerics.Tensors;
using Microsoft.Extensions.VectorData;

namespace AgentKit.VectorStores.Sqlite.Search;

/// <summary>The distance functions the store computes.</summary>
internal enum DistanceKind
{
    CosineSimilarity,
    CosineDistance,
    DotProductSimilarity,
    NegativeDotProductSimilarity,
    EuclideanDistance,
    EuclideanSquaredDistance,
    ManhattanDistance,
}

/// <summary>
/// A distance function: the score reported to callers (with its direction) and a "rank" that orders candidates
/// (lower is nearer) cheaply from one dot product and a per-vector constant computed when the vector is stored.
/// </summary>
internal sealed class VectorDistance
{
    private VectorDistance(DistanceKind kind, string name)
    {
        Kind = kind;
        Name = name;
    }

    internal DistanceKind Kind { get; }

    internal string Name { get; }

    /// <summary>Whether a higher score means a nearer vector (similarities) rather than a lower one (distances).</summary>
    internal bool HigherIsBetter => Kind is DistanceKind.CosineSimilarity or DistanceKind.DotProductSimilarity;

    internal bool IsCosine => Kind is DistanceKind.CosineSimilarity or DistanceKind.CosineDistance;

    internal bool IsEuclidean => Kind is DistanceKind.EuclideanDistance or DistanceKind.EuclideanSquaredDistance;

    /// <summary>The distance functions this store supports, by their <see cref="DistanceFunction"/> names.</summary>
    internal static IReadOnlyList<string> SupportedNames { get; } =
    [
        DistanceFunction.CosineSimilarity, DistanceFunction.CosineDistance, DistanceFunction.DotProductSimilarity,
        DistanceFunction.NegativeDotProductSimilarity, DistanceFunction.EuclideanDistance,
        DistanceFunction.EuclideanSquaredDistance, DistanceFunction.ManhattanDistance,
    ];

    internal static VectorDistance Parse(string? name, string propertyName) => name switch
    {
        null or DistanceFunction.CosineSimilarity => new(DistanceKind.CosineSimilarity, DistanceFunction.CosineSimilarity),
        DistanceFunction.CosineDistance => new(DistanceKind.CosineDistance, name),
        DistanceFunction.DotProductSimilarity => new(DistanceKind.DotProductSimilarity, name),
        DistanceFunction.NegativeDotProductSimilarity => new(DistanceKind.NegativeDotProductSimilarity, name),
        DistanceFunction.EuclideanDistance => new(DistanceKind.EuclideanDistance, name),
        DistanceFunction.EuclideanSquaredDistance => new(DistanceKind.EuclideanSquaredDistance, name),
        DistanceFunction.ManhattanDistance => new(DistanceKind.ManhattanDistance, name),
        _ => throw new NotSupportedException(
            $"The vector property '{propertyName}' asks for the distance function '{name}', which the SQLite vector store does not support. Supported: {string.Join(", ", SupportedNames)}."),
    };

    /// <summary>The exact score reported for a result.</summary>
    internal double Score(ReadOnlySpan<float> query, ReadOnlySpan<float> vector) => Kind switch
    {
        DistanceKind.CosineSimilarity => Cosine(query, vector),
        DistanceKind.CosineDistance => 1 - Cosine(query, vector),
        DistanceKind.DotProductSimilarity => TensorPrimitives.Dot(query, vector),
        DistanceKind.NegativeDotProductSimilarity => -TensorPrimitives.Dot(query, vector),
        DistanceKind.EuclideanDistance => TensorPrimitives.Distance(query, vector),
        DistanceKind.EuclideanSquaredDistance => Squared(TensorPrimitives.Distance(query, vector)),
        _ => Manhattan(query, vector),
    };

    /// <summary>Whether a score passes a threshold: at least it for similarities, at most it for distances.</summary>
    internal bool Passes(double score, double threshold) => HigherIsBetter ? score >= threshold : score <= threshold;

    /// <summary>
    /// The per-vector constant of <see cref="Rank"/>: the inverse norm for cosine, the squared norm for Euclidean,
    /// unused (0) otherwise.
    /// </summary>
    internal float Auxiliary(ReadOnlySpan<float> vector)
    {
        if (IsCosine)
        {
            var norm = TensorPrimitives.Norm(vector);
            return norm > 0 ? 1f / norm : 0f;
        }

        return IsEuclidean ? TensorPrimitives.Dot(vector, vector) : 0f;
    }

    /// <summary>
    /// Prepares a query for <see cref="Rank"/>: cosine queries are normalized; the returned constant is the squared
    /// norm for Euclidean functions.
    /// </summary>
    internal float PrepareQuery(ReadOnlySpan<float> query, Span<float> prepared)
    {
        query.CopyTo(prepared);
        if (IsCosine)
        {
            var norm = TensorPrimitives.Norm(query);
            if (norm > 0)
            {
                TensorPrimitives.Divide(prepared, norm, prepared);
            }

            return 0f;
        }

        return IsEuclidean ? TensorPrimitives.Dot(query, query) : 0f;
    }

    /// <summary>
    /// Orders candidates, lower is nearer: 1 − cosine, 1 − dot, or the squared Euclidean distance (from the dot
    /// product and the two squared norms), the Manhattan distance. A proper non-negative distance for the metrics,
    /// so that the HNSW neighbour heuristic can compare values from different queries.
    /// </summary>
    internal float Rank(ReadOnlySpan<float> preparedQuery, float queryAuxiliary, ReadOnlySpan<float> vector, float vectorAuxiliary) => Kind switch
    {
        DistanceKind.CosineSimilarity or DistanceKind.CosineDistance => 1f - (TensorPrimitives.Dot(preparedQuery, vector) * vectorAuxiliary),
        DistanceKind.DotProductSimilarity or DistanceKind.NegativeDotProductSimilarity => 1f - TensorPrimitives.Dot(preparedQuery, vector),
        DistanceKind.EuclideanDistance or DistanceKind.EuclideanSquaredDistance
            => MathF.Max(0f, queryAuxiliary + vectorAuxiliary - (2f * TensorPrimitives.Dot(preparedQuery, vector))),
        _ => (float)Manhattan(preparedQuery, vector),
    };

    private static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var na = TensorPrimitives.Norm(a);
        var nb = TensorPrimitives.Norm(b);
        return na == 0 || nb == 0 ? 0 : TensorPrimitives.Dot(a, b) / ((double)na * nb);
    }

    private static double Squared(float value) => (double)value * value;

    internal static double Manhattan(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        Span<float> difference = a.Length <= 1024 ? stackalloc float[a.Length] : new float[a.Length];
        TensorPrimitives.Subtract(a, b, difference);
        return TensorPrimitives.SumOfMagnitudes(difference);
    }
}
