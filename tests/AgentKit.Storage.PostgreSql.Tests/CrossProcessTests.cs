using AgentKit.Sessions.Conformance;
using AgentKit.Storage.PostgreSql.Sessions;
using Microsoft.Extensions.AI;

namespace AgentKit.Storage.PostgreSql.Tests;

/// <summary>Two stores with their own connection pools on one schema, as two AgentKit processes would be.</summary>
public sealed class CrossProcessTests(PostgreSqlServerFixture server) : IAsyncLifetime
{
    private PostgreSqlSessionStore? _a;
    private PostgreSqlSessionStore? _b;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private PostgreSqlSessionStore A => _a!;

    private PostgreSqlSessionStore B => _b!;

    public ValueTask InitializeAsync()
    {
        if (server.SkipReason is null)
        {
            var schema = PostgreSqlServerFixture.NewSchema();
            _a = new PostgreSqlSessionStore(server.NewOptions(schema, "replica-a-" + schema));
            _b = new PostgreSqlSessionStore(server.NewOptions(schema, "replica-b-" + schema));
        }

        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        if (_a is not null)
        {
            await _a.DisposeAsync();
            await _b!.DisposeAsync();
        }
    }

    [Fact]
    public async Task ConcurrentAppends_FromTwoProcesses_LoseNothing_AndNeverInterleaveABatch()
    {
        server.SkipIfUnavailable();
        var session = await A.CreateAsync("shop", Ct);
        const int writersPerStore = 8;
        const int batches = 10;

        await Task.WhenAll(new[] { A, B }.SelectMany((store, s) => Enumerable.Range(0, writersPerStore).Select(w => Task.Run(async () =>
        {
            for (var b = 0; b < batches; b++)
            {
                await store.AppendMessagesAsync(session.Id, [new ChatMessage(ChatRole.User, $"{s}.{w}/{b}/0"), new ChatMessage(ChatRole.Assistant, $"{s}.{w}/{b}/1")], Ct);
            }
        }, Ct))));

        await SessionStoreConformanceTests.AssertBatchesIntactAsync(B, session.Id, 2 * writersPerStore * batches);
    }

    [Fact]
    public async Task ReplaceInOneProcess_AndAppendInTheOther_AreSerialised()
    {
        server.SkipIfUnavailable();
        var session = await A.CreateAsync("shop", Ct);
        await A.AppendMessagesAsync(session.Id, [new ChatMessage(ChatRole.User, "old/0/0"), new ChatMessage(ChatRole.User, "old/0/1")], Ct);

        await Task.WhenAll(
            Task.Run(async () =>
            {
                for (var i = 0; i < 20; i++)
                {
                    await A.ReplaceMessagesAsync(session.Id, [new ChatMessage(ChatRole.System, $"r{i}/0/0"), new ChatMessage(ChatRole.System, $"r{i}/0/1")], Ct);
                }
            }, Ct),
            Task.Run(async () =>
            {
                for (var i = 0; i < 20; i++)
                {
                    await B.AppendMessagesAsync(session.Id, [new ChatMessage(ChatRole.User, $"a{i}/0/0"), new ChatMessage(ChatRole.User, $"a{i}/0/1")], Ct);
                }
            }, Ct));

        // Whatever the order, the history is the last replacement followed by the appends after it, batches whole,
        // with contiguous sequence numbers (the count matches the rows).
        var texts = (await B.LoadMessagesAsync(session.Id, Ct)).Select(m => m.Text).ToList();
        Assert.Equal((await A.GetAsync(session.Id, Ct))!.MessageCount, texts.Count);
        Assert.Matches("^r\\d+/0/0$", texts[0]);
        await SessionStoreConformanceTests.AssertBatchesIntactAsync(A, session.Id, texts.Count / 2);
    }

    [Fact]
    public async Task RunLock_HeldInOneProcess_IsBusyInTheOther_UntilReleased()
    {
        server.SkipIfUnavailable();
        var session = await A.CreateAsync("shop", Ct);
        var other = await A.CreateAsync("shop", Ct);

        var held = await A.TryAcquireAsync(session.Id, Ct);
        Assert.NotNull(held);
        Assert.Null(await B.TryAcquireAsync(session.Id, Ct));
        var otherLock = await B.TryAcquireAsync(other.Id, Ct);
        Assert.NotNull(otherLock);

        await held.DisposeAsync();
        var taken = await B.TryAcquireAsync(session.Id, Ct);
        Assert.NotNull(taken);
        Assert.Null(await A.TryAcquireAsync(session.Id, Ct));
        await taken.DisposeAsync();
        await otherLock.DisposeAsync();
    }

    [Fact]
    public async Task RunLock_OfAProcessWhoseConnectionDies_IsFreedForTheOther()
    {
        server.SkipIfUnavailable();
        var session = await A.CreateAsync("shop", Ct);
        var held = await A.TryAcquireAsync(session.Id, Ct);
        Assert.NotNull(held);

        // What the server sees when a replica is killed with SIGKILL: its connections drop.
        var application = (string)(await server.ScalarAsync($"SELECT application_name FROM pg_stat_activity WHERE application_name LIKE 'replica-a-%' AND pid IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory') LIMIT 1"))!;
        Assert.Equal(true, await server.ScalarAsync($"SELECT bool_and(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = '{application}'"));

        var taken = await RetryAsync(() => B.TryAcquireAsync(session.Id, Ct));
        Assert.NotNull(taken);
        await taken.DisposeAsync();
        await held.DisposeAsync();
    }

    private static async Task<IAsyncDisposable?> RetryAsync(Func<ValueTask<IAsyncDisposable?>> attempt)
    {
        // pg_terminate_backend signals the backend; its locks go when it has exited, a moment later.
        for (var i = 0; i < 50; i++)
        {
            if (await attempt() is { } taken)
            {
                return taken;
            }

            await Task.Delay(100, Ct);
        }

        return null;
    }
}
