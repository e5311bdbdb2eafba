using System.Diagnostics;
using System.Globalization;
using System.Text;
using AgentKit.Abstractions.Diagnostics;
using AgentKit.Agents;
using AgentKit.Testing;
using Microsoft.Extensions.Logging;
using ShopBot.Tools;

namespace ShopBot.Tests;

/// <summary>
/// One ShopBot return, traced and logged: the span tree of the three turns, and every log line at every level with
/// the carrier key and SMTP password configured, none of which may show a secret.
/// </summary>
public sealed class ObservabilityTests
{
    private const string Order = "SB-10421";
    private const string Email = "emma.larsen@example.com";
    private const string CarrierKey = "carrier-key-5ECRET-7f3a9c01d2";
    private const string SmtpPassword = "smtp-pass-5ECRET-b4e81f6a";

    [Fact]
    public async Task Return_IsTracedAsAgentRunsWithToolAndRetrievalSpans_AndLogsNoSecrets()
    {
        var logs = new CapturingLoggerProvider();
        using var spans = new ActivityCollector(AgentKitTelemetry.SourceNames);
        var settings = new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Trace",
            ["ShopBot:Carrier:ApiKey"] = CarrierKey,
            ["ShopBot:Smtp:UserName"] = "returns@shopbot.example",
            ["ShopBot:Smtp:Password"] = SmtpPassword,
        };
        await using var shop = await TestShop.StartAsync(settings: settings, logging: l => l.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        var session = await shop.NewSessionAsync();
        var ct = TestContext.Current.CancellationToken;

        var runs = new List<AgentRunResult>();
        using (var root = ActivityCollector.StartRoot())
        {
            shop.Model.Call(ToolNames.SearchPolicies, ("query", "can I return jeans I tried on"), ("top", 3))
                .Call(ToolNames.LookupOrder, ("orderNumber", Order))
                .Say("Tried-on items can go back within 30 days [return-policy.md]. What e-mail address did you use for the order?");
            runs.Add(await session.RunAsync("Hi, can I return the jeans from order SB-10421? I only tried them on.", ct));
            shop.Model.Call(ToolNames.VerifyCustomer, ("orderNumber", Order), ("email", Email)).Say("Thanks Emma. Which items go back, and why?");
            runs.Add(await session.RunAsync(Email, ct));
            shop.Model.Call(ToolNames.CheckEligibility, ("orderNumber", Order), ("condition", "tried_on"), ("lineNumbers", new[] { 1 }))
                .Call(ToolNames.CreateReturn, ("orderNumber", Order), ("lineNumbers", new[] { 1 }), ("condition", "tried_on"), ("reason", "too small"))
                .CallWithLastRma(ToolNames.RequestLabel)
                .CallWithLastRma(ToolNames.EmailLabel)
                .Relay();
            runs.Add(await session.RunAsync("Just the jeans, they are too small.", ct));

            Assert.All(runs, r => Assert.Equal(AgentRunOutcome.Completed, r.Outcome));
            var trace = spans.InTrace(root.TraceId);
            var tree = SpanTree.Format(trace, root.SpanId);
            TestContext.Current.TestOutputHelper?.WriteLine(tree);
            if (Environment.GetEnvironmentVariable("AGENTKIT_TRACE_OUT") is { Length: > 0 } path)
            {
                await File.WriteAllTextAsync(path, tree, ct);
            }

            var agentRuns = trace.Where(a => a.OperationName == "agent.run").OrderBy(a => a.StartTimeUtc).ToList();
            Assert.Equal(runs.Select(r => r.RunId), agentRuns.Select(a => (string)a.GetTagItem(TelemetryAttributes.RunId)!));
            Assert.All(agentRuns, a => Assert.Equal(root.SpanId, a.ParentSpanId));
            Assert.All(agentRuns, a => Assert.Equal(session.Id, a.GetTagItem(TelemetryAttributes.ConversationId)));

            var tools = trace.Where(a => a.GetTagItem(TelemetryAttributes.OperationName) as string == "execute_tool").Select(a => (string)a.GetTagItem(TelemetryAttributes.ToolName)!).ToList();
            Assert.Equal(
                [ToolNames.SearchPolicies, ToolNames.LookupOrder, ToolNames.VerifyCustomer, ToolNames.CheckEligibility, ToolNames.CreateReturn, ToolNames.RequestLabel, ToolNames.EmailLabel],
                tools);
            var retrieval = Assert.Single(trace, a => a.OperationName == "rag.retrieve");
            var searchTool = Assert.Single(trace, a => a.OperationName == "agent.tool_call" && Equals(a.GetTagItem(TelemetryAttributes.ToolName), ToolNames.SearchPolicies));
            Assert.True(IsUnder(trace, retrieval, searchTool.SpanId), "the retrieval runs inside the search tool's span");
            Assert.Equal(3, retrieval.GetTagItem(TelemetryAttributes.RagTop));
            Assert.Equal(agentRuns.Sum(r => ((int)r.GetTagItem(TelemetryAttributes.RunSteps)!)), trace.Count(a => a.OperationName == "agent.model_call"));
        }

        var all = logs.AllText;
        Assert.NotEmpty(logs.Logs);
        Assert.DoesNotContain(CarrierKey, all, StringComparison.Ordinal);
        Assert.DoesNotContain(SmtpPassword, all, StringComparison.Ordinal);
        Assert.DoesNotContain(CarrierKey, string.Join("\n", spans.Stopped.SelectMany(a => a.TagObjects).Select(t => t.Value?.ToString())), StringComparison.Ordinal);

        // The runs' log lines carry the session and run ids.
        foreach (var run in runs)
        {
            Assert.Contains(logs.Logs, l => l.Scopes.Contains(new KeyValuePair<string, object?>("RunId", run.RunId)) && l.Scopes.Contains(new KeyValuePair<string, object?>("SessionId", session.Id)));
        }
    }

    private static bool IsUnder(IReadOnlyList<Activity> trace, Activity span, ActivitySpanId ancestor)
    {
        for (var current = span; current is not null; current = trace.FirstOrDefault(a => a.SpanId == current.ParentSpanId))
        {
            if (current.ParentSpanId == ancestor)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>Prints a trace as an indented tree (name, duration, key attributes), as <c>docs/observability.md</c> shows it.</summary>
internal static class SpanTree
{
    private static readonly string[] Shown =
    [
        TelemetryAttributes.AgentName, TelemetryAttributes.ConversationId, TelemetryAttributes.RunOutcome, TelemetryAttributes.RequestModel, TelemetryAttributes.InputTokens,
        TelemetryAttributes.OutputTokens, TelemetryAttributes.FinishReasons, TelemetryAttributes.ToolName, TelemetryAttributes.ToolStatus, TelemetryAttributes.DataSourceId,
        TelemetryAttributes.RagMode, TelemetryAttributes.RagTop, TelemetryAttributes.RagHits, TelemetryAttributes.MemoryAgentId, TelemetryAttributes.MemoryHits, TelemetryAttributes.MemoryAdded,
    ];

    public static string Format(IReadOnlyList<Activity> trace, ActivitySpanId root)
    {
        var text = new StringBuilder();
        Append(text, trace, root, 0);
        return text.ToString();
    }

    private static void Append(StringBuilder text, IReadOnlyList<Activity> trace, ActivitySpanId parent, int depth)
    {
        foreach (var span in trace.Where(a => a.ParentSpanId == parent).OrderBy(a => a.StartTimeUtc))
        {
            text.Append(' ', depth * 2).Append(span.DisplayName).Append(" [").Append(span.Source.Name).Append(']');
            var tags = Shown.Select(k => (k, v: span.GetTagItem(k))).Where(t => t.v is not null).Select(t => $"{t.k}={(t.v is string[] a ? string.Join(",", a) : Convert.ToString(t.v, CultureInfo.InvariantCulture))}");
            text.Append(' ').AppendJoin(' ', tags);
            if (span.Status == ActivityStatusCode.Error)
            {
                text.Append(" status=ERROR");
            }

            text.AppendLine();
            Append(text, trace, span.SpanId, depth + 1);
        }
    }
}
