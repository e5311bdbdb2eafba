using AgentKit.Agents;
using AgentKit.Agents.Sessions;
using AgentKit.Testing;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AgentKit.Bench.Agents;

/// <summary>
/// Orchestration overhead of an agent run (issue #3): a 5-step run (4 tool calls, then an answer) on a scripted
/// model with an instant tool, against a hand-written loop that makes the same 5 model calls and 4 tool
/// invocations with no AgentKit layers. Overhead per step = (agent − baseline) / 5.
/// </summary>
[MemoryDiagnoser]
public class OrchestrationOverheadBenchmarks
{
    private const int ToolSteps = 4;

    private ScriptedChatClient _baselineModel = null!;
    private AIFunction _tool = null!;
    private ServiceProvider _inMemory = null!;
    private ServiceProvider _sqlite = null!;
    private string _databasePath = null!;

    [GlobalSetup]
    public void Setup()
    {
        _tool = AIFunctionFactory.Create((int n) => n + 1, "next", "Returns n + 1.");
        _baselineModel = Script();
        _inMemory = Services(s => s.AddSingleton<ISessionStore>(new InMemorySessionStore()));
        _databasePath = Path.Combine(Path.GetTempPath(), $"agentkit-bench-{Guid.NewGuid():N}.db");
        _sqlite = Services(s => s.AddSingleton<ISessionStore>(new SqliteSessionStore(_databasePath)));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _inMemory.Dispose();
        _sqlite.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(_databasePath) + "*"))
        {
            File.Delete(file);
        }
    }

    /// <summary>The same model calls and tool invocations, by hand.</summary>
    [Benchmark(Baseline = true)]
    public async Task<string> HandWrittenLoop()
    {
        List<ChatMessage> messages = [new(ChatRole.System, "You count."), new(ChatRole.User, "Count to four.")];
        var options = new ChatOptions { Tools = [_tool] };
        while (true)
        {
            var response = await _baselineModel.GetStreamingResponseAsync(messages, options).ToChatResponseAsync();
            messages.AddRange(response.Messages);
            var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
            if (calls.Count == 0)
            {
                return response.Text;
            }

            foreach (var call in calls)
            {
                var result = await _tool.InvokeAsync(new AIFunctionArguments(call.Arguments));
                messages.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(call.CallId, result)]));
            }
        }
    }

    /// <summary>An AgentKit run with sessions in memory: the orchestration layers alone.</summary>
    [Benchmark]
    public Task<string> AgentRun_InMemorySessions() => RunAsync(_inMemory);

    /// <summary>An AgentKit run with the default SQLite session store (a real file, WAL).</summary>
    [Benchmark]
    public Task<string> AgentRun_SqliteSessions() => RunAsync(_sqlite);

    private static async Task<string> RunAsync(ServiceProvider services)
    {
        var session = await services.GetRequiredService<AgentRunner>().CreateSessionAsync("counter");
        var result = await session.RunAsync("Count to four.");
        return result.Outcome == AgentRunOutcome.Completed ? result.Text : throw new InvalidOperationException(result.Error);
    }

    private ServiceProvider Services(Action<IServiceCollection> store)
    {
        var services = new ServiceCollection();
        store(services);
        return services
            .AddSingleton<IChatClient>(Script())
            .AddAgentKitAgents(_databasePath ?? "unused.db")
            .AddAgentKitTools(_tool)
            .AddAgent(new AgentDefinition { Name = "counter", Instructions = AgentInstructions.Literal("You count."), Tools = ["next"] })
            .BuildServiceProvider();
    }

    // Answers by the number of tool results in the request, so every run plays the same five steps.
    private static ScriptedChatClient Script() => new((messages, _) =>
    {
        var step = messages.Count(m => m.Role == ChatRole.Tool);
        var usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 5, TotalTokenCount = 15 };
        return step < ToolSteps
            ? new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent($"call_{step}", "next", new Dictionary<string, object?> { ["n"] = step })])) { Usage = usage }
            : new ChatResponse(new ChatMessage(ChatRole.Assistant, "Four.")) { Usage = usage };
    });
}
