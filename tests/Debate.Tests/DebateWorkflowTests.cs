using AgentKit.AgentFramework;
using AgentKit.Agents;
using AgentKit.Testing;
using Debate;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Debate.Tests;

public sealed class DebateWorkflowTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("agentkit-debate-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Debate_RunsAsAWorkflow_ThroughEveryRoundToTheJudgesVerdict()
    {
        // The scripted model answers as whichever agent is speaking (named in its instructions) and counts its turns.
        var spoken = new Dictionary<string, int>();
        var model = new ScriptedChatClient((messages, _) =>
        {
            var speaker = new[] { "proponent", "opponent", "judge" }.Single(n => messages.Any(m => m.Role == ChatRole.System && m.Text.Contains($"You are the {n}.", StringComparison.Ordinal)));
            spoken[speaker] = spoken.GetValueOrDefault(speaker) + 1;
            var text = speaker == "judge" ? "Winner: proponent. Better evidence." : $"{speaker} argument {spoken[speaker]}";
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, text));
        });
        using var services = Services(model);
        var runner = services.GetRequiredService<AgentRunner>();
        var workflow = DebateWorkflow.Build(new AgentKitAIAgent(runner, "proponent"), new AgentKitAIAgent(runner, "opponent"), new AgentKitAIAgent(runner, "judge"), rounds: 2);
        var live = new List<DebateTurn>();

        var verdict = await DebateWorkflow.RunAsync(workflow, "Tabs beat spaces.", live.Add, TestContext.Current.CancellationToken);

        Assert.Equal("Winner: proponent. Better evidence.", verdict.Verdict);
        Assert.Equal(
            ["1 proponent: proponent argument 1", "1 opponent: opponent argument 1", "2 proponent: proponent argument 2", "2 opponent: opponent argument 2"],
            verdict.Turns.Select(t => $"{t.Round} {t.Speaker}: {t.Text}"));
        Assert.Equal(verdict.Turns, live);

        // Each debater answered the other's latest argument, and the judge read the whole debate.
        var calls = model.Calls.Select(c => c.Messages.Last(m => m.Role == ChatRole.User).Text).ToList();
        Assert.Equal(5, calls.Count);
        Assert.Contains("Motion: Tabs beat spaces.", calls[0], StringComparison.Ordinal);
        Assert.Contains("proponent argument 1", calls[1], StringComparison.Ordinal);
        Assert.Contains("opponent argument 1", calls[2], StringComparison.Ordinal);
        Assert.All(verdict.Turns, t => Assert.Contains(t.Text, calls[4], StringComparison.Ordinal));

        // The proponent's second turn ran in its own AgentKit session: its history holds its first exchange.
        Assert.Contains(model.Calls[2].Messages, m => m.Text == "proponent argument 1");
    }

    [Fact]
    public async Task FailingAgent_EndsTheRunWithATypedError_NotAHang()
    {
        var model = new ScriptedChatClient((messages, _) => messages.Any(m => m.Text.Contains("You are the opponent.", StringComparison.Ordinal))
            ? throw new InvalidOperationException("model crashed")
            : new ChatResponse(new ChatMessage(ChatRole.Assistant, "an argument")));
        using var services = Services(model);
        var runner = services.GetRequiredService<AgentRunner>();
        var workflow = DebateWorkflow.Build(new AgentKitAIAgent(runner, "proponent"), new AgentKitAIAgent(runner, "opponent"), new AgentKitAIAgent(runner, "judge"), rounds: 1);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));

        await Assert.ThrowsAsync<DebateFailedException>(() => DebateWorkflow.RunAsync(workflow, "Tabs beat spaces.", cancellationToken: timeout.Token));
        Assert.Throws<ArgumentOutOfRangeException>(() => DebateWorkflow.Build(new AgentKitAIAgent(runner, "proponent"), new AgentKitAIAgent(runner, "opponent"), new AgentKitAIAgent(runner, "judge"), rounds: 0));
    }

    [Fact]
    public async Task RoundRobinGroupChat_OfTwoAgentKitAgents_RunsEveryTurn()
    {
        var spoken = new Dictionary<string, int>();
        var model = new ScriptedChatClient((messages, _) =>
        {
            var speaker = new[] { "proponent", "opponent" }.Single(n => messages.Any(m => m.Role == ChatRole.System && m.Text.Contains($"You are the {n}.", StringComparison.Ordinal)));
            lock (spoken)
            {
                spoken[speaker] = spoken.GetValueOrDefault(speaker) + 1;
                return new ChatResponse(new ChatMessage(ChatRole.Assistant, $"{speaker} argument {spoken[speaker]}"));
            }
        });
        using var services = Services(model);
        var runner = services.GetRequiredService<AgentRunner>();
        var workflow = Microsoft.Agents.AI.Workflows.AgentWorkflowBuilder
            .CreateGroupChatBuilderWith(agents => new Microsoft.Agents.AI.Workflows.RoundRobinGroupChatManager(agents) { MaximumIterationCount = 4 })
            .AddParticipants(new AgentKitAIAgent(runner, "proponent"), new AgentKitAIAgent(runner, "opponent"))
            .Build();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));

        var updates = new List<string>();
        List<ChatMessage>? output = null;
        await using var run = await Microsoft.Agents.AI.Workflows.InProcessExecution.RunStreamingAsync(workflow, new List<ChatMessage> { new(ChatRole.User, "Tabs beat spaces.") }, cancellationToken: timeout.Token);
        await run.TrySendMessageAsync(new Microsoft.Agents.AI.Workflows.TurnToken(emitEvents: true));
        await foreach (var evt in run.WatchStreamAsync(timeout.Token))
        {
            if (evt is Microsoft.Agents.AI.Workflows.AgentResponseUpdateEvent update)
            {
                updates.Add($"{update.ExecutorId}: {update.Update.Text}");
            }
            else if (evt is Microsoft.Agents.AI.Workflows.WorkflowOutputEvent done)
            {
                output = done.As<List<ChatMessage>>();
                break;
            }
        }

        Assert.NotNull(output);
        Assert.Equal(["proponent argument 1", "opponent argument 1", "proponent argument 2", "opponent argument 2"], output.Where(m => m.Role == ChatRole.Assistant).Select(m => m.Text));
    }

    private ServiceProvider Services(IChatClient model)
    {
        var services = new ServiceCollection()
            .AddSingleton(model)
            .AddAgentKitAgents(Path.Combine(_folder, "sessions.db"))
            .AddAgentKitTools([]);
        foreach (var name in new[] { "proponent", "opponent", "judge" })
        {
            services.AddAgent(new AgentDefinition { Name = name, Instructions = AgentInstructions.Literal($"You are the {name}.") });
        }

        return services.BuildServiceProvider();
    }
}
