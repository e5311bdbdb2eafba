using AgentKit.VectorStores.Qdrant.Hybrid;

namespace AgentKit.VectorStores.Qdrant.Tests.Unit;

public sealed class Bm25SparseEncoderTests
{
    [Fact]
    public void Tokenize_LowercasesAndSplitsOnNonAlphanumerics()
    {
        Assert.Equal(["café", "au", "lait", "2024", "ünïcode"], Bm25SparseEncoder.Tokenize("Café-au-LAIT, 2024! Ünïcode"));
    }

    [Fact]
    public void Hash_IsFnv1a32_StableAcrossRuns()
    {
        Assert.Equal(0x811c9dc5u, Bm25SparseEncoder.Hash(string.Empty));
        Assert.Equal(0xe40c292cu, Bm25SparseEncoder.Hash("a"));
        Assert.Equal(0xbf9cf968u, Bm25SparseEncoder.Hash("foobar"));
    }

    [Fact]
    public void Document_WeightsSaturateWithTermFrequency()
    {
        var vector = Bm25SparseEncoder.EncodeDocument("sea sea sea view");
        var sea = Array.IndexOf(vector.Indices, Bm25SparseEncoder.Hash("sea"));
        var view = Array.IndexOf(vector.Indices, Bm25SparseEncoder.Hash("view"));

        Assert.Equal(2, vector.Indices.Length);
        Assert.True(vector.Values[sea] > vector.Values[view]);
        Assert.True(vector.Values[sea] < 3 * vector.Values[view], "BM25 saturates: three occurrences weigh less than three times one");
        Assert.True(vector.Values[sea] < 2.2f, "bounded by k1 + 1");
        Assert.Equal(vector.Indices.Order(), vector.Indices);
    }

    [Fact]
    public void Query_OneWeightPerDistinctTerm_EmptyForNoTerms()
    {
        var query = Bm25SparseEncoder.EncodeQuery(["Sea view", "SEA", "  "]);

        Assert.Equal(2, query.Indices.Length);
        Assert.All(query.Values, v => Assert.Equal(1f, v));
        Assert.Empty(Bm25SparseEncoder.EncodeQuery(["--", string.Empty]).Indices);
        Assert.Empty(Bm25SparseEncoder.EncodeDocument(null).Indices);
    }
}
