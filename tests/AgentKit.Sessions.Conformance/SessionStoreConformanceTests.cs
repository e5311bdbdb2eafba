using AgentKit.Agents.Sessions;
using Microsoft.Extensions.AI;

namespace AgentKit.Sessions.Conformance;

/// <summary>
/// The behaviour every <see cref="ISessionStore"/> shares: sessions and owners, history round trips with every
/// content type, append order, replacement, listing and paging, deletion, missing sessions, and concurrent appends to
/// one session from many callers (none lost, none interleaved). A store's test project derives a class from this one
/// and supplies <see cref="CreateStore"/>.
/// </summary>
public abstract class SessionStoreConformanceTests : IAsyncLifetime
{
    private ISessionStore? _store;

    /// <summary>The store under test, created before each test.</summary>
    protected ISessionStore Store => _store ?? throw new InvalidOperationException("The store is created in InitializeAsync.");

    /// <summary>Why the store cannot run here (for example, no server), or null to run the tests.</summary>
    protected virtual string? SkipReason => null;

    /// <summary>The clock the store must use, so ordering by update time is deterministic.</summary>
    protected ManualClock Clock { get; } = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Creates an empty store for one test, on <paramref name="clock"/>.</summary>
    /// <param name="clock">The store's clock.</param>
    /// <returns>The store; disposed after the test when it is disposable.</returns>
    protected abstract ValueTask<ISessionStore> CreateStore(TimeProvider clock);

    /// <inheritdoc />
    public virtual async ValueTask InitializeAsync()
    {
        if (SkipReason is null)
        {
            _store = await CreateStore(Clock);
        }
    }

    /// <inheritdoc />
    public virtual async ValueTask DisposeAsync()
    {
        await DisposeStoreAsync(_store);
        GC.SuppressFinalize(this);
    }

    /// <summary>Disposes a store when it is disposable (a file's or a server's connections).</summary>
    internal static async ValueTask DisposeStoreAsync(object? store)
    {
        switch (store)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }

    /// <summary>Skips the test with <see cref="SkipReason"/> when set.</summary>
    protected void SkipIfUnavailable() => Assert.SkipWhen(SkipReason is not null, SkipReason ?? "");

    [Fact]
    public async Task Create_ThenGet_ReturnsTheSameInfo_WithOwner()
    {
        SkipIfUnavailable();
        var created = await Store.CreateAsync("shop", "key:alice", Ct);

        var read = await Store.GetAsync(created.Id, Ct);

        Assert.Equal(created, read);
        Assert.Equal(("shop", 0, "key:alice"), (read!.AgentName, read.MessageCount, read.Owner));
        Assert.Null((await Store.CreateAsync("shop", Ct)).Owner);
    }

    [Fact]
    public async Task Messages_RoundTripEveryContentType_InOrder()
    {
        SkipIfUnavailable();
        var session = await Store.CreateAsync("shop", Ct);
        await Store.AppendMessagesAsync(session.Id,
        [
            new ChatMessage(ChatRole.User, "Where is order 7? ünïcødé ✓"),
            new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "lookup", new Dictionary<string, object?> { ["orderId"] = 7 })]),
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("c1", "shipped")]),
        ], Ct);
        await Store.AppendMessagesAsync(session.Id, [new ChatMessage(ChatRole.Assistant, [new TextContent("It "), new TextContent("shipped.")])], Ct);

        var messages = await Store.LoadMessagesAsync(session.Id, Ct);

        Assert.Equal([ChatRole.User, ChatRole.Assistant, ChatRole.Tool, ChatRole.Assistant], messages.Select(m => m.Role));
        Assert.Equal("Where is order 7? ünïcødé ✓", messages[0].Text);
        var call = Assert.IsType<FunctionCallContent>(Assert.Single(messages[1].Contents));
        Assert.Equal(("c1", "lookup", "7"), (call.CallId, call.Name, call.Arguments!["orderId"]!.ToString()));
        Assert.Equal("shipped", Assert.IsType<FunctionResultContent>(Assert.Single(messages[2].Contents)).Result?.ToString());
        Assert.Equal("It shipped.", messages[3].Text);
        Assert.Equal(4, (await Store.GetAsync(session.Id, Ct))!.MessageCount);
    }

    [Fact]
    public async Task StoredHistory_IsNotChangedByTheCallersObjects()
    {
        SkipIfUnavailable();
        var session = await Store.CreateAsync("shop", Ct);
        var message = new ChatMessage(ChatRole.User, "original");
        await Store.AppendMessagesAsync(session.Id, [message], Ct);
        message.Contents.Add(new TextContent(" changed"));

        var loaded = await Store.LoadMessagesAsync(session.Id, Ct);
        loaded[0].Contents.Clear();

        Assert.Equal("original", (await Store.LoadMessagesAsync(session.Id, Ct))[0].Text);
    }

    [Fact]
    public async Task Replace_ReplacesTheWholeHistory_AndAppendsContinueAfterIt()
    {
        SkipIfUnavailable();
        var session = await Store.CreateAsync("shop", Ct);
        await Store.AppendMessagesAsync(session.Id, [new ChatMessage(ChatRole.User, "1"), new ChatMessage(ChatRole.User, "2"), new ChatMessage(ChatRole.User, "3")], Ct);

        await Store.ReplaceMessagesAsync(session.Id, [new ChatMessage(ChatRole.System, "summary")], Ct);
        await Store.AppendMessagesAsync(session.Id, [new ChatMessage(ChatRole.User, "4")], Ct);

        Assert.Equal(["summary", "4"], (await Store.LoadMessagesAsync(session.Id, Ct)).Select(m => m.Text));
        Assert.Equal(2, (await Store.GetAsync(session.Id, Ct))!.MessageCount);
        await Store.ReplaceMessagesAsync(session.Id, [], Ct);
        Assert.Empty(await Store.LoadMessagesAsync(session.Id, Ct));
    }

    [Fact]
    public async Task List_FiltersByAgent_MostRecentlyUpdatedFirst()
    {
        SkipIfUnavailable();
        var a = await Store.CreateAsync("a", Ct);
        Clock.Advance(TimeSpan.FromSeconds(1));
        var b = await Store.CreateAsync("b", Ct);
        Clock.Advance(TimeSpan.FromSeconds(1));
        var a2 = await Store.CreateAsync("a", Ct);
        Clock.Advance(TimeSpan.FromSeconds(1));
        await Store.AppendMessagesAsync(a.Id, [new ChatMessage(ChatRole.User, "bump")], Ct);

        Assert.Equal([a.Id, a2.Id, b.Id], (await Store.ListAsync(cancellationToken: Ct)).Select(s => s.Id));
        Assert.Equal([a.Id, a2.Id], (await Store.ListAsync("a", Ct)).Select(s => s.Id));
        Assert.Empty(await Store.ListAsync("nobody", Ct));
        var bumped = (await Store.GetAsync(a.Id, Ct))!;
        Assert.True(bumped.UpdatedAt > bumped.CreatedAt);
    }

    [Fact]
    public async Task ListQuery_PagesAndFiltersByOwner()
    {
        SkipIfUnavailable();
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Insert(0, (await Store.CreateAsync("shop", i % 2 == 0 ? "key:alice" : "key:bob", Ct)).Id);
            Clock.Advance(TimeSpan.FromSeconds(1));
        }

        var page = await Store.ListAsync(new SessionQuery { Offset = 1, Limit = 2 }, Ct);
        var alice = await Store.ListAsync(new SessionQuery { Owner = "key:alice" }, Ct);
        var aliceShop = await Store.ListAsync(new SessionQuery { Owner = "key:alice", AgentName = "shop", Limit = 1 }, Ct);

        Assert.Equal(ids.Skip(1).Take(2), page.Select(s => s.Id));
        Assert.Equal([ids[0], ids[2], ids[4]], alice.Select(s => s.Id));
        Assert.Equal([ids[0]], aliceShop.Select(s => s.Id));
        Assert.Empty(await Store.ListAsync(new SessionQuery { AgentName = "other", Owner = "key:alice" }, Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Store.ListAsync(new SessionQuery { Limit = 0 }, Ct));
    }

    [Fact]
    public async Task Delete_RemovesTheSessionAndItsHistory()
    {
        SkipIfUnavailable();
        var session = await Store.CreateAsync("shop", Ct);
        var other = await Store.CreateAsync("shop", Ct);
        await Store.AppendMessagesAsync(session.Id, [new ChatMessage(ChatRole.User, "x")], Ct);
        await Store.AppendMessagesAsync(other.Id, [new ChatMessage(ChatRole.User, "kept")], Ct);

        Assert.True(await Store.DeleteAsync(session.Id, Ct));
        Assert.False(await Store.DeleteAsync(session.Id, Ct));

        Assert.Null(await Store.GetAsync(session.Id, Ct));
        Assert.Equal([other.Id], (await Store.ListAsync(cancellationToken: Ct)).Select(s => s.Id));
        Assert.Equal(["kept"], (await Store.LoadMessagesAsync(other.Id, Ct)).Select(m => m.Text));
    }

    [Fact]
    public async Task MissingSession_IsNullOnGet_AndSessionNotFoundOnEveryOtherCall()
    {
        SkipIfUnavailable();
        Assert.Null(await Store.GetAsync("missing", Ct));
        await Assert.ThrowsAsync<SessionNotFoundException>(async () => await Store.LoadMessagesAsync("missing", Ct));
        await Assert.ThrowsAsync<SessionNotFoundException>(async () => await Store.AppendMessagesAsync("missing", [new ChatMessage(ChatRole.User, "x")], Ct));
        await Assert.ThrowsAsync<SessionNotFoundException>(async () => await Store.ReplaceMessagesAsync("missing", [new ChatMessage(ChatRole.User, "x")], Ct));
        Assert.False(await Store.DeleteAsync("missing", Ct));
    }

    [Fact]
    public async Task ConcurrentAppends_ToOneSession_LoseNothing_AndKeepEachBatchTogether()
    {
        SkipIfUnavailable();
        var session = await Store.CreateAsync("shop", Ct);
        const int writers = 16;
        const int batchesPerWriter = 5;

        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var b = 0; b < batchesPerWriter; b++)
            {
                await Store.AppendMessagesAsync(session.Id, [new ChatMessage(ChatRole.User, $"{w}/{b}/0"), new ChatMessage(ChatRole.Assistant, $"{w}/{b}/1")], Ct);
            }
        }, Ct)));

        await AssertBatchesIntactAsync(Store, session.Id, writers * batchesPerWriter);
    }

    /// <summary>Checks that a history written by concurrent two-message batches <c>w/b/0</c>, <c>w/b/1</c> holds every batch, each whole and in order.</summary>
    /// <param name="store">The store to read.</param>
    /// <param name="sessionId">The session.</param>
    /// <param name="batches">How many batches were appended.</param>
    /// <returns>A task.</returns>
    public static async Task AssertBatchesIntactAsync(ISessionStore store, string sessionId, int batches)
    {
        ArgumentNullException.ThrowIfNull(store);
        var texts = (await store.LoadMessagesAsync(sessionId, TestContext.Current.CancellationToken)).Select(m => m.Text).ToList();
        Assert.Equal(batches * 2, texts.Count);
        for (var i = 0; i < texts.Count; i += 2)
        {
            Assert.EndsWith("/0", texts[i], StringComparison.Ordinal);
            Assert.Equal(texts[i][..^2] + "/1", texts[i + 1]);
        }

        Assert.Equal(batches, texts.Distinct(StringComparer.Ordinal).Count() / 2);
        Assert.Equal(batches * 2, (await store.GetAsync(sessionId, TestContext.Current.CancellationToken))!.MessageCount);
    }
}

/// <summary>A clock tests move by hand; starts at 2026-01-01 UTC.</summary>
public sealed class ManualClock : TimeProvider
{
    private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => _now;

    /// <summary>Moves the clock forward.</summary>
    /// <param name="by">How far.</param>
    public void Advance(TimeSpan by) => _now += by;
}
