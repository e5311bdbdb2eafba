using AgentKit.Rag.Retrieval;

namespace AgentKit.Rag.Tests.Retrieval;

public sealed class FusionTests
{
    private static RetrievedChunk Chunk(string name, double score) => new()
    {
        Id = Guid.NewGuid(),
        Text = name,
        Source = "/docs/" + name,
        Title = name,
        Section = "",
        ContentHash = name,
        Score = score,
    };

    /// <summary>
    /// The case from the semantic-retrieval issue: BM25 ranks an exact-term page first, far above the rest of its list,
    /// while the vector side has 50 middling hits without it.
    /// </summary>
    private static (List<RetrievedChunk> Vector, List<RetrievedChunk> Keyword, RetrievedChunk Exact) StrongKeywordHitAbsentFromVectors()
    {
        var vector = Enumerable.Range(0, 50).Select(i => Chunk($"v{i}.pdf", 0.45 - (i * 0.002))).ToList();
        var exact = Chunk("exact.pdf", 14.0);
        // The keyword side's others are vector hits too (lower in BM25), so RRF sees them in both lists.
        var keyword = new List<RetrievedChunk> { exact };
        keyword.AddRange(vector.Skip(10).Take(30).Select((c, i) => c with { Score = 4.0 - (i * 0.05) }));
        return (vector, keyword, exact);
    }

    [Fact]
    public void ZScore_StrongKeywordHitAbsentFromVectorList_StaysFirst()
    {
        var (vector, keyword, exact) = StrongKeywordHitAbsentFromVectors();

        var fused = Fusion.ZScore(vector, keyword, 0.5);

        Assert.Equal(exact.Id, fused[0].Id);
    }

    [Fact]
    public void ReciprocalRank_StrongKeywordHitAbsentFromVectorList_IsBuriedByChunksInBothLists()
    {
        var (vector, keyword, exact) = StrongKeywordHitAbsentFromVectors();

        var fused = Fusion.ReciprocalRank(vector, keyword);

        Assert.True(fused.FindIndex(c => c.Id == exact.Id) >= 5, "equal-weight RRF ranks a chunk found by one side only below chunks found by both");
    }

    [Fact]
    public void ZScore_StrongVectorHitAbsentFromKeywordList_StaysFirst()
    {
        var best = Chunk("best.pdf", 0.82);
        var vector = new List<RetrievedChunk> { best };
        vector.AddRange(Enumerable.Range(0, 49).Select(i => Chunk($"v{i}.pdf", 0.40 - (i * 0.002))));
        var keyword = vector.Skip(5).Take(20).Select((c, i) => c with { Score = 3.0 - (i * 0.1) }).ToList();

        var fused = Fusion.ZScore(vector, keyword, 0.5);

        Assert.Equal(best.Id, fused[0].Id);
    }

    [Fact]
    public void ZScore_ChunkInBothLists_KeepsTheCopyCarryingItsVector()
    {
        var plain = Chunk("a.pdf", 2.0);
        var withVector = plain with { Score = 0.9, Vector = new float[] { 1, 0 } };

        var fused = Fusion.ZScore([withVector, Chunk("b.pdf", 0.1)], [plain, Chunk("c.pdf", 1.0)], 0.5);

        Assert.Equal(plain.Id, fused[0].Id);
        Assert.False(fused[0].Vector.IsEmpty);
    }

    [Fact]
    public void ZScore_OneSideEmpty_RanksByTheOtherSide()
    {
        var vector = new List<RetrievedChunk> { Chunk("a.pdf", 0.9), Chunk("b.pdf", 0.5), Chunk("c.pdf", 0.7) };

        var fused = Fusion.ZScore(vector, [], 0.5);

        Assert.Equal(["a.pdf", "c.pdf", "b.pdf"], fused.Select(c => c.Title));
    }

    [Fact]
    public void ZScore_FlatScores_DoNotMoveTheOtherSidesOrder()
    {
        var keyword = new List<RetrievedChunk> { Chunk("a.pdf", 9), Chunk("b.pdf", 5), Chunk("c.pdf", 1) };
        var vector = keyword.Select(c => c with { Score = 0.5 }).Reverse().ToList();

        var fused = Fusion.ZScore(vector, keyword, 0.5);

        Assert.Equal(["a.pdf", "b.pdf", "c.pdf"], fused.Select(c => c.Title));
    }
}
