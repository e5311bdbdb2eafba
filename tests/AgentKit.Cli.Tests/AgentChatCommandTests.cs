using AgentKit.Agents;
using AgentKit.Hosting.Models;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Scripted = AgentKit.Testing.ScriptedChatClient;

namespace AgentKit.Cli.Tests;

/// <summary>
/// <c>agentkit chat --agent</c> and <c>agentkit mcp serve</c> over a configuration file, with the scripted model
/// standing in for the configured one and a tool that needs approval.
/// </summary>
public sealed class AgentChatCommandTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("agentkit-cli-agent-");
    private int _refunds;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }

    [Fact]
    public async Task ChatAgent_ApprovedTool_ShowsCallApprovalAndResultThenAnswers()
    {
        var model = RefundModel();
        using var cli = Harness("refund order 42\ny\n/exit\n", model);

        var exit = await cli.RunAsync("chat", "--agent", "shop", "--config", WriteConfig());

        Assert.Equal(0, exit);
        Assert.Equal(1, _refunds);
        Assert.Contains("→ refund(order: 42)", cli.Out, StringComparison.Ordinal);
        Assert.Contains("Allow refund(order: 42)? [y/n] y", cli.Out, StringComparison.Ordinal);
        Assert.Contains("← refund: refunded order 42", cli.Out, StringComparison.Ordinal);
        Assert.Contains("Done: refunded order 42", cli.Out, StringComparison.Ordinal);
        Assert.True(cli.Out.IndexOf("→ refund", StringComparison.Ordinal) < cli.Out.IndexOf("Done:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ChatAgent_DeniedTool_DoesNotRunIt()
    {
        var model = RefundModel();
        using var cli = Harness("refund order 42\nn\n", model);

        var exit = await cli.RunAsync("chat", "--agent", "shop", "--config", WriteConfig());

        Assert.Equal(0, exit);
        Assert.Equal(0, _refunds);
        Assert.Contains("Allow refund(order: 42)? [y/n] n", cli.Out, StringComparison.Ordinal);
        Assert.Contains("✗ refund denied", cli.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("refunded order 42", cli.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChatAgent_KeepsTheSessionAcrossTurns()
    {
        var model = new Scripted("Hello.", "Still here.");
        using var cli = Harness("first question\nsecond question\n", model);

        var exit = await cli.RunAsync("chat", "--agent", "shop", "--config", WriteConfig());

        Assert.Equal(0, exit);
        Assert.Contains("Hello.", cli.Out, StringComparison.Ordinal);
        Assert.Contains("Still here.", cli.Out, StringComparison.Ordinal);
        var second = model.Calls[^1].Messages.Select(m => m.Text).ToList();
        Assert.Contains("first question", second);
        Assert.Contains("Hello.", second);
        Assert.Equal("second question", second[^1]);
    }

    [Fact]
    public async Task ChatAgent_Prompt_RunsOneTurn()
    {
        var model = new Scripted("One answer.");
        using var cli = Harness(input: null, model);

        var exit = await cli.RunAsync("chat", "--agent", "shop", "--config", WriteConfig(), "--prompt", "just this");

        Assert.Equal(0, exit);
        Assert.Contains("One answer.", cli.Out, StringComparison.Ordinal);
        Assert.Single(model.Calls);
    }

    [Fact]
    public async Task ChatAgent_WithAPlanner_ShowsThePlannersStepsAsTheyHappen_BeforeTheAnswer()
    {
        var model = new Scripted((messages, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant,
            messages.Any(m => m.Text.Contains("reasoning pass ran", StringComparison.Ordinal)) ? "It is 6."
            : messages[0].Text.StartsWith("You read a worked solution", StringComparison.Ordinal) ? """{"answer": "6"}"""
            : "Half of 12 is 6. The answer is 6.")));
        using var cli = Harness(input: null, model);
        var config = CliHarness.WriteAgentConfig(_folder, """{ "solver": { "Instructions": "You solve problems.", "Planner": { "Kind": "cot" } } }""");

        var exit = await cli.RunAsync("chat", "--agent", "solver", "--config", config, "--prompt", "How many eggs in half a dozen?");

        Assert.Equal(0, exit);
        var lines = cli.Out.Split('\n').Select(l => l.TrimEnd()).ToList();
        var started = lines.IndexOf("· chain-of-thought: planning/cot…");
        var extraction = lines.IndexOf("· chain-of-thought: planning/extract-answer…");
        var concluded = lines.IndexOf("· chain-of-thought concluded: 6");
        var answer = lines.IndexOf("It is 6.");
        Assert.True(started >= 0 && started < extraction && extraction < concluded && concluded < answer, cli.Out);
        Assert.DoesNotContain("Half of 12", cli.Out, StringComparison.Ordinal); // the planner's own text is not printed
    }

    [Fact]
    public async Task ChatAgent_UnknownAgent_ListsTheConfiguredOnesAndExits1()
    {
        using var cli = Harness(input: "", new Scripted());

        var exit = await cli.RunAsync("chat", "--agent", "nobody", "--config", WriteConfig());

        Assert.Equal(1, exit);
        Assert.Equal("Unknown agent 'nobody'. Configured agents: helper, shop.", cli.Error.Trim());
    }

    [Fact]
    public async Task ChatAgent_WithModel_IsRefused()
    {
        using var cli = Harness(input: "", new Scripted());

        var exit = await cli.RunAsync("chat", "--agent", "shop", "--model", "x.gguf");

        Assert.NotEqual(0, exit);
        Assert.Contains("--agent takes its model and settings from the configuration", cli.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChatAgent_MissingConfigFile_IsOneLine()
    {
        using var cli = Harness(input: "", new Scripted());
        var missing = Path.Combine(_folder.FullName, "missing.json");

        var exit = await cli.RunAsync("chat", "--agent", "shop", "--config", missing);

        Assert.Equal(1, exit);
        Assert.Equal($"The configuration file '{missing}' does not exist.", cli.Error.Trim());
    }

    [Fact]
    public async Task McpServe_WithAnAgentNamingAnUnregisteredTool_RefusesToStart_NamingTheKey()
    {
        using var cli = new CliHarness(input: "", agentServices: services => AddModel(services, new Scripted()));

        var exit = await cli.RunAsync("mcp", "serve", "--config", WriteConfig());

        Assert.Equal(1, exit);
        Assert.Contains("AgentKit:Agents:shop:Tools:0: no tool named 'refund' is registered. Registered tools: (none).", cli.Error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, cli.Out);
    }

    /// <summary>Asks for the refund tool on a user message, then answers with the tool's result.</summary>
    private static Scripted RefundModel() => new((messages, _) =>
    {
        var result = messages[^1].Contents.OfType<FunctionResultContent>().FirstOrDefault();
        return result is not null
            ? new ChatResponse(new ChatMessage(ChatRole.Assistant, $"Done: {result.Result}"))
            : new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call-1", "refund", new Dictionary<string, object?> { ["order"] = 42 })]));
    });

    private CliHarness Harness(string? input, Scripted model) =>
        new(input: input, agentServices: services =>
        {
            AddModel(services, model);
            services.AddAgentKitTools(new ApprovalRequiredAIFunction(AIFunctionFactory.Create(
                (int order) =>
                {
                    Interlocked.Increment(ref _refunds);
                    return $"refunded order {order}";
                },
                "refund",
                "Refunds an order.")));
        });

    private static void AddModel(IServiceCollection services, Scripted model) =>
        services.AddKeyedSingleton<IChatClient>(ModelKeys.ForAgents("scripted"), model);

    /// <summary>A configuration with an OpenAI-compatible model (replaced by the scripted one) and two agents.</summary>
    private string WriteConfig() => CliHarness.WriteAgentConfig(_folder, """
        {
          "shop": { "Instructions": "You handle refunds.", "Tools": [ "refund" ] },
          "helper": { "Instructions": "You help." }
        }
        """);
}
