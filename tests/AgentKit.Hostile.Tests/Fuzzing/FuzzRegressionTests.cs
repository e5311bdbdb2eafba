using System.Linq.Expressions;
using AgentKit.VectorStores.Qdrant;
using AgentKit.VectorStores.Qdrant.Filters;
using AgentKit.VectorStores.Qdrant.Mapping;
using AgentKit.VectorStores.Qdrant.Tests;

namespace AgentKit.Hostile.Tests.Fuzzing;

/// <summary>Inputs the fuzzers found, kept as plain tests once their bug was fixed.</summary>
public sealed class FuzzRegressionTests
{
    private static readonly QdrantCollectionLayout Layout =
        QdrantCollectionLayout.Create(typeof(Hotel), typeof(ulong), null, null, new QdrantVectorStoreOptions());

    private static readonly double NotANumber = double.NaN;

    public static TheoryData<Expression<Func<Hotel, bool>>> NonFiniteComparisons => new()
    {
        // Found by QdrantFilterTranslator fuzzing (seed 20261123, rounds 44 and 52): translated, then the REST request
        // failed to serialize (JSON has no NaN or infinity); Qdrant's ranges take finite numbers over gRPC too.
        h => 5 > h.Rating && h.Price <= double.PositiveInfinity,
        h => h.Price >= NotANumber,
        h => h.Price == double.NegativeInfinity,
    };

    [Theory]
    [MemberData(nameof(NonFiniteComparisons))]
    public void QdrantFilter_NaNOrInfinity_IsNotSupported_NamingIt(Expression<Func<Hotel, bool>> filter)
    {
        var error = Assert.Throws<NotSupportedException>(() => new QdrantFilterTranslator().Translate(filter, Layout.Model));

        Assert.Contains("NaN or infinity", error.Message, StringComparison.Ordinal);
    }
}
