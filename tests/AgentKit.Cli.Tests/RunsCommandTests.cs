using AgentKit.Agents.Sessions;
using AgentKit.Hosting.Models;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Scripted = AgentKit.Testing.ScriptedChatClient;

namespace AgentKit.Cli.Tests;

/// <summary><c>agentkit runs checkpoints</c> and <c>agentkit runs fork</c> on the SQLite store a configuration file selects, after a turn with the scripted model.</summary>
public sealed class RunsCommandTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("agentkit-cli-runs-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }

    [Fact]
    public async Task Checkpoints_AreListedNumbered_AndForkAtOne_StartsASessionWithTheHistoryUpToIt()
    {
        var config = WriteConfig();
        var (store, session) = await ChatOnceAsync(config);

        using var list = Harness(new Scripted());
        Assert.Equal(0, await list.RunAsync("runs", "checkpoints", session.Id, "--config", config));
        var lines = list.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Matches(@"^\s+1  run \w+  #1 +ModelResponse +step 1 ", lines[0]);
        Assert.Matches(@"^\s+2  run \w+  #2 +Completed +step 0 ", lines[1]);

        using var fork = Harness(new Scripted());
        Assert.Equal(0, await fork.RunAsync("runs", "fork", session.Id, "--at", "1", "--config", config));
        var forkId = fork.Out.Trim();
        Assert.NotEqual(session.Id, forkId);
        Assert.Contains($"into session '{forkId}'", fork.Error, StringComparison.Ordinal);
        Assert.Equal(["first question", "First answer."], (await store.LoadMessagesAsync(forkId, Ct)).Select(m => m.Text));
    }

    [Fact]
    public async Task Fork_AtANumberItDoesNotHave_OrOfAnUnknownSession_FailsNamingIt()
    {
        var config = WriteConfig();
        var (store, session) = await ChatOnceAsync(config);

        using var beyond = Harness(new Scripted());
        Assert.Equal(1, await beyond.RunAsync("runs", "fork", session.Id, "--at", "9", "--config", config));
        Assert.Contains($"--at 9 is not a checkpoint of session '{session.Id}': its checkpoints are 1 to 2", beyond.Error, StringComparison.Ordinal);

        using var unknown = Harness(new Scripted());
        Assert.Equal(1, await unknown.RunAsync("runs", "checkpoints", "no-such-session", "--config", config));
        Assert.Contains("no-such-session", unknown.Error, StringComparison.Ordinal);
        Assert.Single(await store.ListAsync(cancellationToken: Ct));
    }

    private static CliHarness Harness(Scripted model) =>
        new(agentServices: services => services.AddKeyedSingleton<IChatClient>(ModelKeys.ForAgents("scripted"), model));

    private string WriteConfig() => CliHarness.WriteAgentConfig(_folder, """{ "helper": { "Instructions": "You help." } }""");

    /// <summary>One turn of the helper agent through <c>agentkit chat --prompt</c>; returns the store and its only session.</summary>
    private async Task<(SqliteSessionStore Store, AgentSessionInfo Session)> ChatOnceAsync(string config)
    {
        using (var chat = Harness(new Scripted("First answer.")))
        {
            Assert.Equal(0, await chat.RunAsync("chat", "--agent", "helper", "--config", config, "--prompt", "first question"));
        }

        var store = new SqliteSessionStore(Path.Combine(_folder.FullName, "data", "sessions.db"));
        return (store, Assert.Single(await store.ListAsync(cancellationToken: Ct)));
    }
}
