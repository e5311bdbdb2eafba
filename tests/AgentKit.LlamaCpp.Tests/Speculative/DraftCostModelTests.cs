using AgentKit.LlamaCpp.Generation;

namespace AgentKit.LlamaCpp.Tests.Speculative;

/// <summary>The draft length the cost model picks from measured draft and verify times and the acceptance.</summary>
public sealed class DraftCostModelTests
{
    [Fact]
    public void NothingMeasured_HasNoOpinion()
    {
        var model = new DraftCostModel(8);

        Assert.Null(model.BestLength(0.9, 8));
        model.RecordVerify(5, 0.010);
        Assert.Null(model.BestLength(0.9, 8));
    }

    [Fact]
    public void NoSingleDecodeTimed_DecodesPlainlyFirst()
    {
        var model = new DraftCostModel(8);
        model.RecordDraft(4, 0.004);
        model.RecordVerify(5, 0.030);

        Assert.Equal(0, model.BestLength(0.9, 8));
    }

    [Fact]
    public void AVerifyMeasuredCheaperThanASingleDecode_IsNotTakenAsCheaper()
    {
        // Noise on a busy machine: the 9-token verify was timed faster than a single decode.
        var model = new DraftCostModel(8);
        model.RecordDraft(2, 0.010);
        model.RecordVerify(1, 0.030);
        model.RecordVerify(9, 0.015);

        Assert.Equal(0, model.BestLength(0.07, 8));
    }

    [Fact]
    public void CheapDraft_FlatVerify_HighAcceptance_DraftsTheMost()
    {
        var model = new DraftCostModel(8);
        model.RecordDraft(4, 0.004);
        model.RecordVerify(1, 0.030);
        model.RecordVerify(9, 0.032);

        Assert.Equal(8, model.BestLength(0.9, 8));
    }

    [Fact]
    public void DraftAsCostlyAsTheTarget_DecodesPlainly()
    {
        var model = new DraftCostModel(8);
        model.RecordDraft(4, 0.120);
        model.RecordVerify(1, 0.030);
        model.RecordVerify(5, 0.060);

        Assert.Equal(0, model.BestLength(0.8, 8));
    }

    [Fact]
    public void LowAcceptance_DecodesPlainly_EvenWithACheapDraft()
    {
        var model = new DraftCostModel(8);
        model.RecordDraft(2, 0.006);
        model.RecordVerify(1, 0.030);
        model.RecordVerify(3, 0.040);

        Assert.Equal(0, model.BestLength(0.05, 8));
    }

    [Fact]
    public void VerifyCostThatGrowsWithTheBatch_ShortensTheDraft()
    {
        // Verify time 30 ms + 10 ms per extra token: long drafts pay more verification than their accepted run returns.
        var model = new DraftCostModel(8);
        model.RecordDraft(1, 0.003);
        model.RecordVerify(1, 0.030);
        model.RecordVerify(9, 0.110);

        var best = model.BestLength(0.7, 8);

        Assert.InRange(best!.Value, 1, 4);
    }

    [Fact]
    public void Verify_InterpolatesAndExtendsMeasuredSizes()
    {
        var model = new DraftCostModel(8);
        Assert.True(double.IsNaN(model.Verify(3)));

        model.RecordVerify(5, 0.050);
        Assert.Equal(0.050, model.Verify(1), 9);
        Assert.Equal(0.050, model.Verify(9), 9);

        model.RecordVerify(3, 0.030);
        Assert.Equal(0.040, model.Verify(4), 9);
        Assert.Equal(0.010, model.Verify(1), 9);
        Assert.Equal(0.090, model.Verify(9), 9);

        model.RecordVerify(9, 0.200);
        Assert.Equal(0.050 + (0.150 / 4), model.Verify(6), 9);
    }

    [Fact]
    public void Estimates_FollowRecentMeasurements()
    {
        var model = new DraftCostModel(8);
        model.RecordVerify(2, 0.100);
        for (var i = 0; i < 30; i++)
        {
            model.RecordVerify(2, 0.020);
        }

        Assert.Equal(0.020, model.Verify(2), 4);
    }

    [Theory]
    [InlineData(0.0, 4, 1.0)]
    [InlineData(1.0, 4, 5.0)]
    [InlineData(0.5, 2, 1.75)]
    [InlineData(0.9, 0, 1.0)]
    public void ExpectedTokens_IsTheAcceptedRunPlusOne(double acceptance, int length, double expected)
    {
        Assert.Equal(expected, DraftCostModel.ExpectedTokens(acceptance, length), 9);
    }
}
