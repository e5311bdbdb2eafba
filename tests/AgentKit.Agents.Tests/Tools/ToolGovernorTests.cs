using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Text.Json;
using AgentKit.Abstractions.Diagnostics;
using AgentKit.Abstractions.Tools;
using AgentKit.Agents.Diagnostics;
using AgentKit.Agents.Tools;
using AgentKit.Testing;
using Microsoft.Extensions.AI;

namespace AgentKit.Agents.Tests.Tools;

/// <summary>The one tool pipeline, as planners and the MCP server call it (directly) and as the model loop does (streaming or not).</summary>
public sealed class ToolGovernorTests
{
    private static readonly ChatMessage[] Question = [new(ChatRole.User, "go")];

    private static AIFunction Login(List<string> logins) =>
        AIFunctionFactory.Create(([DeniedValues("root", "admin")] string user) => { logins.Add(user); return "welcome " + user; }, "login");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ModelLoop_DeniedValue_IsRefusedBeforeTheToolRuns(bool streaming)
    {
        var logins = new List<string>();
        var model = new ScriptedChatClient().CallTool("login", new Dictionary<string, object?> { ["user"] = "root" }).Reply("refused");
        using var client = new ChatClientBuilder(model).UseAgentKitTools().Build();
        var options = new ChatOptions { Tools = [Login(logins)] };

        var response = streaming
            ? await client.GetStreamingResponseAsync(Question, options, TestContext.Current.CancellationToken).ToChatResponseAsync(TestContext.Current.CancellationToken)
            : await client.GetResponseAsync(Question, options, TestContext.Current.CancellationToken);

        Assert.Empty(logins);
        var result = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>()).Result as string;
        Assert.True(result?.StartsWith("Error: invalid arguments for tool 'login': #/user: ", StringComparison.Ordinal), result);
    }

    [Fact]
    public async Task Invoke_DeniedValue_IsInvalidArguments_AllowedValueRuns()
    {
        var logins = new List<string>();
        var governor = new ToolGovernor([Login(logins)]);

        var refused = await governor.InvokeAsync("login", new AIFunctionArguments { ["user"] = "admin" }, cancellationToken: TestContext.Current.CancellationToken);
        var allowed = await governor.InvokeAsync("login", new AIFunctionArguments { ["user"] = "alice" }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(ToolCallStatus.InvalidArguments, refused.Status);
        Assert.Equal(new ToolCallOutcome(ToolCallStatus.Succeeded, "welcome alice"), allowed);
        Assert.Equal(["alice"], logins);
    }

    [Fact]
    public async Task Invoke_NumberOutsideTheParameterType_IsInvalidArguments()
    {
        var governor = new ToolGovernor([AIFunctionFactory.Create((int n) => n, "count")]);

        var outcome = await governor.InvokeAsync("count", new AIFunctionArguments { ["n"] = 1e20 }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(ToolCallStatus.InvalidArguments, outcome.Status);
        Assert.Contains("outside the range of the parameter's type Int32", outcome.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_NameOutsideTheSet_IsNotAllowed_AndNamesTheTools()
    {
        var ran = false;
        var governor = new ToolGovernor([AIFunctionFactory.Create(() => "ok", "allowed")]);
        _ = AIFunctionFactory.Create(() => ran = true, "delete_everything");

        var outcome = await governor.InvokeAsync("delete_everything", new AIFunctionArguments(), cancellationToken: TestContext.Current.CancellationToken);

        Assert.False(ran);
        Assert.Equal(ToolCallStatus.NotAllowed, outcome.Status);
        Assert.EndsWith("The tools are: allowed.", outcome.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ignores-cancellation")]
    [InlineData("blocks-its-thread")]
    public async Task Invoke_ToolThatDoesNotStop_IsAbandonedAtItsTimeout(string kind)
    {
        using var release = new ManualResetEventSlim();
        var never = new TaskCompletionSource<string>();
        var tool = kind == "blocks-its-thread"
            ? AIFunctionFactory.Create(() => { release.Wait(); return "late"; }, "stuck")
            : AIFunctionFactory.Create(() => never.Task, "stuck");
        var governor = new ToolGovernor([tool], new ToolPipelineOptions { DefaultTimeout = TimeSpan.FromMilliseconds(200) });
        var clock = Stopwatch.StartNew();

        var outcome = await governor.InvokeAsync("stuck", new AIFunctionArguments(), cancellationToken: TestContext.Current.CancellationToken);

        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        Assert.Equal(new ToolCallOutcome(ToolCallStatus.TimedOut, "Error: the tool 'stuck' did not finish within 0.2 seconds and was cancelled."), outcome);
        release.Set();
    }

    [Fact]
    public async Task Invoke_ResultCutAtASurrogatePair_KeepsThePairWhole()
    {
        // 64 characters in all: the marker takes the end; the cut would fall between the halves of an emoji.
        var marker = "\n[truncated: 200 characters in all]";
        var keep = 64 - marker.Length;
        var text = new string('a', keep - 1) + "😀" + new string('b', 200 - keep - 1);
        var governor = new ToolGovernor([AIFunctionFactory.Create(() => text, "dump")], new ToolPipelineOptions { MaxResultLength = 64 });

        var outcome = await governor.InvokeAsync("dump", new AIFunctionArguments(), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(new string('a', keep - 1) + marker, outcome.Text);
        Assert.DoesNotContain(outcome.Text, char.IsSurrogate);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Invoke_ToolNeedingApproval_AsksTheHandler_WithTheCheckedArguments(bool approve)
    {
        var refunds = new List<string>();
        var refund = AIFunctionFactory.Create((string order) => { refunds.Add(order); return "refunded " + order; }, "refund");
        var asked = new List<ToolApprovalRequest>();
        var handler = new DelegateToolApprovalHandler((request, _) =>
        {
            asked.Add(request);
            return ValueTask.FromResult(approve ? ToolApprovalDecision.Approve() : ToolApprovalDecision.Deny("not today"));
        });
        var governor = new ToolGovernor([new ApprovalRequiredAIFunction(refund)], approvalHandler: handler) { SessionId = "s1", AgentName = "teller" };

        var outcome = await governor.InvokeAsync("refund", new AIFunctionArguments { ["order"] = "7" }, "call-1", TestContext.Current.CancellationToken);

        var request = Assert.Single(asked);
        Assert.Equal(("s1", "teller", "refund", "call-1", "7"), (request.SessionId, request.AgentName, request.ToolName, request.CallId, request.Arguments["order"]?.ToString()));
        Assert.Equal(approve ? ["7"] : [], refunds);
        Assert.Equal(approve ? new ToolCallOutcome(ToolCallStatus.Succeeded, "refunded 7") : new ToolCallOutcome(ToolCallStatus.Denied, "Error: the call to 'refund' needs approval and was denied: not today. It did not run."), outcome);
    }

    [Fact]
    public async Task Invoke_ToolNeedingApproval_WithoutAHandler_IsDenied_AndInvalidArgumentsAreNeverAskedAbout()
    {
        var asked = 0;
        var policy = new ToolPipelineOptions { Policies = { ["refund"] = new ToolPolicy { RequiresApproval = true } } };
        var refund = AIFunctionFactory.Create((int order) => "refunded", "refund");
        var unasked = new ToolGovernor([refund], policy);
        var counting = new ToolGovernor([refund], policy, new DelegateToolApprovalHandler((_, _) => { asked++; return ValueTask.FromResult(ToolApprovalDecision.Approve()); }));

        var denied = await unasked.InvokeAsync("refund", new AIFunctionArguments { ["order"] = 7 }, cancellationToken: TestContext.Current.CancellationToken);
        var invalid = await counting.InvokeAsync("refund", new AIFunctionArguments { ["order"] = "seven" }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(ToolCallStatus.Denied, denied.Status);
        Assert.Equal(ToolCallStatus.InvalidArguments, invalid.Status);
        Assert.Equal(0, asked);
    }

    [Fact]
    public async Task GovernedFunction_InvokedAsAnAIFunction_ReturnsTheModelText_AndRecordsASpan()
    {
        var stopped = new System.Collections.Concurrent.ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == AgentTelemetry.Source.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        var governed = new ToolGovernor().Govern(AIFunctionFactory.Create(string () => throw new InvalidOperationException("offline"), "stock_span_probe"));

        var result = await governed.InvokeAsync(new AIFunctionArguments(), TestContext.Current.CancellationToken);

        Assert.Equal("Error: the tool 'stock_span_probe' failed. InvalidOperationException: offline", result);
        var span = Assert.Single(stopped, a => a.OperationName == AgentTelemetry.ToolCallActivityName && Equals(a.GetTagItem(TelemetryAttributes.ToolName), "stock_span_probe"));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal("Failed", span.GetTagItem(TelemetryAttributes.ToolStatus));
    }

    [Fact]
    public async Task Catalog_ToolWithASchemaItCannotEnforce_IsRefusedNamingToolAndKeyword()
    {
        var typo = new HandWrittenSchemaTool("lookup", """{"type":"object","properties":{"sku":{"type":"string","maxlength":8}}}""");
        var catalog = new ToolCatalog([new StaticToolSource([typo, AIFunctionFactory.Create(() => "ok", "fine")])]);

        var error = await Assert.ThrowsAsync<ToolSchemaException>(() => catalog.GetAllAsync(TestContext.Current.CancellationToken).AsTask());

        Assert.Equal(("lookup", "maxlength"), (error.ToolName, error.Keyword));
        Assert.Contains("#/properties/sku/maxlength", error.Message, StringComparison.Ordinal);
        Assert.Throws<ToolSchemaException>(() => new ToolGovernor([typo]));
    }

    [Fact]
    public async Task HandWrittenSchema_WithPatternPropertiesAndIfThen_IsEnforced()
    {
        var tool = new HandWrittenSchemaTool("tag", """
            {"type":"object","patternProperties":{"^label_":{"type":"string"}},"additionalProperties":false,
             "if":{"required":["label_kind"],"properties":{"label_kind":{"const":"file"}}},"then":{"required":["label_path"]}}
            """);
        var governor = new ToolGovernor([tool]);

        var good = await governor.InvokeAsync("tag", new AIFunctionArguments { ["label_kind"] = "file", ["label_path"] = "/a" }, cancellationToken: TestContext.Current.CancellationToken);
        var missingThen = await governor.InvokeAsync("tag", new AIFunctionArguments { ["label_kind"] = "file" }, cancellationToken: TestContext.Current.CancellationToken);
        var wrongPattern = await governor.InvokeAsync("tag", new AIFunctionArguments { ["label_kind"] = 3 }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(ToolCallStatus.Succeeded, good.Status);
        Assert.Equal(ToolCallStatus.InvalidArguments, missingThen.Status);
        Assert.Equal(ToolCallStatus.InvalidArguments, wrongPattern.Status);
    }

    /// <summary>A real tool whose schema is written by hand, as an MCP server's is (not generated from a .NET method).</summary>
    private sealed class HandWrittenSchemaTool(string name, string schema) : AIFunction
    {
        public override string Name => name;

        public override JsonElement JsonSchema { get; } = JsonDocument.Parse(schema).RootElement.Clone();

        protected override ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken) =>
            ValueTask.FromResult<object?>(string.Join(",", arguments.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}={a.Value}")));
    }
}
