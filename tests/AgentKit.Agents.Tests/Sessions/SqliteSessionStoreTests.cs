using AgentKit.Agents.Sessions;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;

namespace AgentKit.Agents.Tests.Sessions;

public sealed class SqliteSessionStoreTests
{
    [Fact]
    public async Task Messages_SurviveReopeningTheFile_WithEveryContentType()
    {
        var path = TempFiles.NewDatabasePath();
        var first = new SqliteSessionStore(path);
        var session = await first.CreateAsync("shop");
        await first.AppendMessagesAsync(session.Id,
        [
            new ChatMessage(ChatRole.User, "Where is order 7?"),
            new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "lookup", new Dictionary<string, object?> { ["orderId"] = 7 })]),
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("c1", "shipped")]),
        ]);
        await first.AppendMessagesAsync(session.Id, [new ChatMessage(ChatRole.Assistant, "It shipped.")]);
        SqliteConnection.ClearAllPools();

        var reopened = new SqliteSessionStore(path);
        var messages = await reopened.LoadMessagesAsync(session.Id);

        Assert.Equal(4, messages.Count);
        Assert.Equal("Where is order 7?", messages[0].Text);
        var call = Assert.IsType<FunctionCallContent>(Assert.Single(messages[1].Contents));
        Assert.Equal(("c1", "lookup"), (call.CallId, call.Name));
        Assert.Equal("7", call.Arguments!["orderId"]!.ToString());
        Assert.Equal("shipped", Assert.IsType<FunctionResultContent>(Assert.Single(messages[2].Contents)).Result?.ToString());
        Assert.Equal("It shipped.", messages[3].Text);
        var info = await reopened.GetAsync(session.Id);
        Assert.Equal(("shop", 4), (info!.AgentName, info.MessageCount));
    }

    [Fact]
    public async Task Owner_IsStoredAndSurvivesReopening_AndAnOldFileGainsTheColumn()
    {
        var path = TempFiles.NewDatabasePath();
        await using (var old = new SqliteConnection($"Data Source={path}"))
        {
            await old.OpenAsync(TestContext.Current.CancellationToken);
            await using var command = old.CreateCommand();
            command.CommandText = "CREATE TABLE sessions (id TEXT PRIMARY KEY, agent TEXT NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL); INSERT INTO sessions VALUES ('legacy', 'shop', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')";
            await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        SqliteConnection.ClearAllPools();
        var store = new SqliteSessionStore(path);
        var alice = await store.CreateAsync("shop", "key:alice", TestContext.Current.CancellationToken);
        SqliteConnection.ClearAllPools();

        var reopened = new SqliteSessionStore(path);
        var info = await reopened.GetAsync(alice.Id, TestContext.Current.CancellationToken);
        Assert.Equal("key:alice", info!.Owner);
        Assert.True(info.IsOwnedBy("key:alice"));
        Assert.False(info.IsOwnedBy("key:mallory"));
        var legacy = await reopened.GetAsync("legacy", TestContext.Current.CancellationToken);
        Assert.Null(legacy!.Owner);
        Assert.False(legacy.IsOwnedBy("key:mallory"));
        Assert.True(legacy.IsOwnedBy(null));
    }

    [Fact]
    public async Task Database_UsesWriteAheadLog()
    {
        var path = TempFiles.NewDatabasePath();
        var store = new SqliteSessionStore(path);
        await store.CreateAsync("a");
        await using var connection = new SqliteConnection($"Data Source={path}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Replace_List_Delete()
    {
        var store = new SqliteSessionStore(TempFiles.NewDatabasePath());
        var a = await store.CreateAsync("a");
        var b = await store.CreateAsync("b");
        await store.AppendMessagesAsync(a.Id, [new ChatMessage(ChatRole.User, "1"), new ChatMessage(ChatRole.User, "2")]);
        await store.ReplaceMessagesAsync(a.Id, [new ChatMessage(ChatRole.User, "summary")]);

        Assert.Equal(["summary"], (await store.LoadMessagesAsync(a.Id)).Select(m => m.Text));
        Assert.Equal([b.Id], (await store.ListAsync("b")).Select(s => s.Id));
        Assert.Equal(2, (await store.ListAsync()).Count);
        Assert.True(await store.DeleteAsync(a.Id));
        Assert.False(await store.DeleteAsync(a.Id));
        Assert.Null(await store.GetAsync(a.Id));
        await Assert.ThrowsAsync<SessionNotFoundException>(async () => await store.LoadMessagesAsync(a.Id));
        await Assert.ThrowsAsync<SessionNotFoundException>(async () => await store.AppendMessagesAsync("nope", [new ChatMessage(ChatRole.User, "x")]));
    }
}
