using AgentKit.Agents;
using System.Text.Json;
using AgentKit.Hosting.Models;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Scripted = AgentKit.Testing.ScriptedChatClient;

namespace AgentKit.Cli.Tests;

/// <summary><c>agentkit eval</c> against a configured agent whose model is scripted.</summary>
public sealed class EvalCommandTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("agentkit-cli-eval-");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }

    [Fact]
    public async Task Eval_AgentDataset_PrintsTableWritesReports_AndARerunIsAnsweredFromTheCache()
    {
        var model = OrderModel();
        var dataset = WriteDataset(
            """{"id":"status","group":"orders","input":"Where is order 42?","expect":[{"type":"contains","value":"shipped"},{"type":"tools","steps":[{"tool":"order_status","args":{"order":42}}]}]}""",
            """{"id":"refund","group":"refunds","input":"Refund order 7","expect":[{"type":"contains","value":"refunded"}]}""");
        var json = Path.Combine(_folder.FullName, "out", "report.json");
        var html = Path.Combine(_folder.FullName, "out", "report.html");
        var cache = Path.Combine(_folder.FullName, "cache.db");
        string[] args = ["eval", dataset, "--agent", "shop", "--config", WriteConfig(), "--json", json, "--html", html, "--cache", cache];

        using (var cli = Harness(model))
        {
            var exit = await cli.RunAsync(args);

            Assert.Equal(0, exit);
            Assert.Contains("status", cli.Out, StringComparison.Ordinal);
            Assert.Contains("1/2 runs passed (50.0%", cli.Out, StringComparison.Ordinal);
            Assert.Contains("\"refunded\" not in \"Order 7 is shipped.\"", cli.Out, StringComparison.Ordinal);
            Assert.Contains("FAIL  refund", cli.Error, StringComparison.Ordinal);
        }

        Assert.Equal(4, model.CallCount);
        using (var report = JsonDocument.Parse(File.ReadAllText(json)))
        {
            Assert.Equal(1.0, report.RootElement.GetProperty("metrics").GetProperty("pass_rate/orders").GetDouble());
            Assert.Equal(2, report.RootElement.GetProperty("cases")[0].GetProperty("runs")[0].GetProperty("model_calls").GetInt32());
        }

        Assert.Contains("id=\"chart-groups\"", File.ReadAllText(html), StringComparison.Ordinal);

        using (var again = Harness(model))
        {
            Assert.Equal(0, await again.RunAsync(args));
            Assert.Contains("0 (+2 cached)", again.Out, StringComparison.Ordinal);
        }

        Assert.Equal(4, model.CallCount);
    }

    [Fact]
    public async Task Eval_FailOnRegression_ExitsThree_NamingTheMetric()
    {
        var baseline = Path.Combine(_folder.FullName, "baseline.json");
        File.WriteAllText(baseline, """{"metrics":{"pass_rate":1.0,"pass_rate/refunds":1.0},"cases":[{"id":"refund","success_rate":1.0}]}""");
        var dataset = WriteDataset("""{"id":"refund","group":"refunds","input":"Refund order 7","expect":[{"type":"contains","value":"refunded"}]}""");
        using var cli = Harness(OrderModel());

        var exit = await cli.RunAsync("eval", dataset, "--agent", "shop", "--config", WriteConfig(), "--no-cache", "--baseline", baseline, "--fail-on-regression");

        Assert.Equal(3, exit);
        Assert.Contains("Regression: pass_rate/refunds dropped from 100.0% to 0.0% (-100.0 points; tolerance 5 points)", cli.Error, StringComparison.Ordinal);
        Assert.Contains("Regression: pass_rate dropped", cli.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Eval_MinPassRate_ExitsThree()
    {
        var dataset = WriteDataset("""{"id":"refund","input":"Refund order 7","expect":[{"type":"contains","value":"refunded"}]}""");
        using var cli = Harness(OrderModel());

        var exit = await cli.RunAsync("eval", dataset, "--agent", "shop", "--config", WriteConfig(), "--no-cache", "--min-pass-rate", "0.9");

        Assert.Equal(3, exit);
        Assert.Contains("The pass rate 0.0% is below --min-pass-rate 90.0%.", cli.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Eval_BadDatasetLine_IsOneLine_NamingFileLineAndField()
    {
        var dataset = WriteDataset(
            """{"id":"a","input":"x","expect":[{"type":"contains","value":"y"}]}""",
            """{"id":"b","input":"x","expect":[{"type":"contians","value":"y"}]}""");
        using var cli = Harness(OrderModel());

        var exit = await cli.RunAsync("eval", dataset, "--agent", "shop", "--config", WriteConfig());

        Assert.Equal(1, exit);
        Assert.StartsWith($"{dataset}:2: expect[0].type: unknown expectation 'contians'", cli.Error.Trim(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--no-cache" }, "Give exactly one of --agent NAME")]
    [InlineData(new[] { "--agent", "shop", "--fail-on-regression" }, "--fail-on-regression needs --baseline FILE")]
    [InlineData(new[] { "--agent", "shop", "--repeat", "0" }, "--repeat must be from 1 to 1000.")]
    public async Task Eval_BadOptions_AreRefused(string[] options, string message)
    {
        var dataset = WriteDataset("""{"id":"a","input":"x","expect":[{"type":"contains","value":"y"}]}""");
        using var cli = Harness(OrderModel());

        var exit = await cli.RunAsync(["eval", dataset, .. options]);

        Assert.Equal(1, exit);
        Assert.Contains(message, cli.Error, StringComparison.Ordinal);
    }

    /// <summary>Looks the order up with the tool, then relays the tool's answer.</summary>
    private static Scripted OrderModel() => new((messages, _) =>
    {
        if (messages[^1].Contents.OfType<FunctionResultContent>().FirstOrDefault() is { } result)
        {
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, result.Result?.ToString() ?? ""));
        }

        var order = int.Parse(new string(messages[^1].Text.Where(char.IsDigit).ToArray()), System.Globalization.CultureInfo.InvariantCulture);
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call-1", "order_status", new Dictionary<string, object?> { ["order"] = order })]));
    });

    private static CliHarness Harness(Scripted model) => new(input: "", agentServices: services =>
    {
        services.AddKeyedSingleton<IChatClient>(ModelKeys.ForAgents("scripted"), model);
        services.AddAgentKitTools(AIFunctionFactory.Create((int order) => $"Order {order} is shipped.", "order_status", "Tells an order's status."));
    });

    private string WriteDataset(params string[] lines)
    {
        var path = Path.Combine(_folder.FullName, "cases.jsonl");
        File.WriteAllLines(path, lines);
        return path;
    }

    private string WriteConfig() => CliHarness.WriteAgentConfig(_folder, """
        { "shop": { "Instructions": "You answer order questions.", "Tools": [ "order_status" ] } }
        """);
}
