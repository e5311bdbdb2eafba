using AgentKit.Hosting.Admission;

namespace AgentKit.Hosting.Tests;

public sealed class ModelAdmissionTests
{
    [Fact]
    public async Task Enter_BeyondCapacityAndQueue_IsRefusedAtOnce_NamingTheLimit()
    {
        using var admission = new ModelAdmission("tiny", new ModelAdmissionOptions { Capacity = 1, MaxQueuedRequests = 1, QueueTimeout = TimeSpan.FromSeconds(30) });
        var ct = TestContext.Current.CancellationToken;
        using var first = await admission.EnterAsync(ct);
        var queued = admission.EnterAsync(ct).AsTask();
        Assert.False(queued.IsCompleted);
        Assert.Equal(1, admission.Waiting);

        var busy = await Assert.ThrowsAsync<ModelBusyException>(() => admission.EnterAsync(ct).AsTask());
        Assert.Equal("tiny", busy.ModelName);
        Assert.Contains("MaxQueuedRequests", busy.Message, StringComparison.Ordinal);
        Assert.InRange(busy.RetryAfter!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));

        first.Dispose();
        using var second = await queued.WaitAsync(TimeSpan.FromSeconds(10), ct);
        Assert.Equal((1, 0, 2L, 1L), (admission.InUse, admission.Waiting, admission.Admitted, admission.Refused));
    }

    [Fact]
    public async Task Enter_NoSlotWithinQueueTimeout_IsRefused_AndLeavesTheQueue()
    {
        using var admission = new ModelAdmission("tiny", new ModelAdmissionOptions { Capacity = 1, MaxQueuedRequests = 4, QueueTimeout = TimeSpan.FromMilliseconds(50) });
        var ct = TestContext.Current.CancellationToken;
        using var held = await admission.EnterAsync(ct);

        var busy = await Assert.ThrowsAsync<ModelBusyException>(() => admission.EnterAsync(ct).AsTask());
        Assert.Contains("QueueTimeout", busy.Message, StringComparison.Ordinal);
        Assert.Equal(0, admission.Waiting);
    }

    [Fact]
    public async Task Run_HoldsOneSlot_CallsInsideTakeNone_WorkAfterItTakesItsOwn()
    {
        using var admission = new ModelAdmission("tiny", new ModelAdmissionOptions { Capacity = 1, MaxQueuedRequests = 0 });
        var ct = TestContext.Current.CancellationToken;
        Task<int>? outliving = null;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var inside = await admission.RunAsync(
            async token =>
            {
                using var nested = await admission.EnterAsync(token);
                outliving = Task.Run(async () =>
                {
                    await release.Task;
                    using var own = await admission.EnterAsync(ct);
                    return admission.InUse;
                }, ct);
                return admission.InUse;
            },
            ct);

        Assert.Equal(1, inside);
        Assert.Equal(0, admission.InUse);

        // Started inside the run, it runs after the run's slot is freed: the released lease does not cover it.
        release.SetResult();
        Assert.Equal(1, await outliving!.WaitAsync(TimeSpan.FromSeconds(10), ct));
        Assert.Equal((2L, 0L), (admission.Admitted, admission.Refused));
    }

    [Fact]
    public void Options_OutOfRange_AreRejectedByName()
    {
        Assert.Equal("Capacity", Assert.Throws<ArgumentOutOfRangeException>(() => new ModelAdmission("m", new ModelAdmissionOptions { Capacity = 0 })).ParamName);
        Assert.Equal("MaxQueuedRequests", Assert.Throws<ArgumentOutOfRangeException>(() => new ModelAdmission("m", new ModelAdmissionOptions { MaxQueuedRequests = -1 })).ParamName);
        Assert.Equal("QueueTimeout", Assert.Throws<ArgumentOutOfRangeException>(() => new ModelAdmission("m", new ModelAdmissionOptions { QueueTimeout = TimeSpan.Zero })).ParamName);
    }
}
