using AgentKit.Agents.Checkpoints;
using AgentKit.Agents.Sessions;
using AgentKit.Faults.Worker;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;

namespace AgentKit.Faults.Tests;

/// <summary>What a <see cref="DurableRunScenario"/> run must have left, whichever store held it and however often it was killed.</summary>
internal static class DurableRunEndState
{
    /// <summary>The run finished, every acknowledged checkpoint is stored as acknowledged, the history is the uninterrupted run's.</summary>
    public static async Task<IReadOnlyList<ChatMessage>> AssertAsync(
        ISessionStore sessions, IRunCheckpointStore store, string folder, IEnumerable<(long Sequence, string Kind)> acknowledged, CancellationToken cancellationToken)
    {
        Assert.Empty(await store.ListUnfinishedRunsAsync(cancellationToken));
        var sessionId = await File.ReadAllTextAsync(Path.Combine(folder, "session.txt"), cancellationToken);
        var run = Assert.Single(await store.ListRunsAsync(sessionId, cancellationToken));
        Assert.Equal("Completed", run.Outcome);
        var stored = (await store.LoadCheckpointsAsync(run.RunId, cancellationToken)).ToDictionary(c => c.Sequence, c => c.Kind.ToString());
        Assert.All(acknowledged, ack => Assert.Equal(ack.Kind, stored[ack.Sequence]));
        Assert.Equal(RunCheckpointKind.Completed.ToString(), stored[stored.Keys.Max()]);

        var history = await sessions.LoadMessagesAsync(sessionId, cancellationToken);
        Assert.Equal(2 + (2 * DurableRunScenario.ToolCalls), history.Count);
        Assert.Equal("Process the return.", history[0].Text);
        for (var i = 0; i < DurableRunScenario.ToolCalls; i++)
        {
            var call = Assert.IsType<FunctionCallContent>(Assert.Single(history[1 + (2 * i)].Contents));
            Assert.Equal((DurableRunScenario.CallId(i), DurableRunScenario.Tools[i]), (call.CallId, call.Name));
            Assert.Equal(DurableRunScenario.CallId(i), Assert.IsType<FunctionResultContent>(Assert.Single(history[2 + (2 * i)].Contents)).CallId);
        }

        Assert.Equal(DurableRunScenario.Answer, history[^1].Text);
        return history;
    }

    /// <summary>How many times each of three tools executed, as the tools counted in <c>effects.db</c>.</summary>
    public static async Task<(long, long, long)> CountAsync(string folder, string a, string b, string c, CancellationToken cancellationToken) =>
        (await EffectsScalarAsync(folder, $"SELECT COUNT(*) FROM executions WHERE tool = '{a}'", cancellationToken),
         await EffectsScalarAsync(folder, $"SELECT COUNT(*) FROM executions WHERE tool = '{b}'", cancellationToken),
         await EffectsScalarAsync(folder, $"SELECT COUNT(*) FROM executions WHERE tool = '{c}'", cancellationToken));

    /// <summary>A count from the tools' own record of their side effects.</summary>
    public static async Task<long> EffectsScalarAsync(string folder, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(folder, "effects.db")};Pooling=False");
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>The recorded result of the <paramref name="call"/>-th tool call.</summary>
    public static string Result(IReadOnlyList<ChatMessage> history, int call) =>
        ((FunctionResultContent)history[2 + (2 * call)].Contents[0]).Result?.ToString() ?? string.Empty;
}
