using System.Text.Json;
using AgentKit.Abstractions.Tools;
using AgentKit.Sandbox.Making;
using Microsoft.Extensions.AI;

namespace AgentKit.Sandbox.Tests.Making;

/// <summary>Proposals checked field by field, examples run in the real sandbox, versions in a real SQLite file.</summary>
public sealed class ToolMakerTests : IDisposable
{
    private readonly MadeToolFixture _fixture = new(registeredNames: ["run_code", "search_knowledge"]);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task Propose_WhenEveryExamplePasses_StoresVersion1_NotYetApproved_AndTheSourceOffersItBehindApproval()
    {
        var tool = await _fixture.Maker.ProposeAsync(MadeToolFixture.CelsiusToFahrenheit(), "builder", Ct);

        Assert.Equal((1, "agent:builder", "celsius_to_fahrenheit"), (tool.Version, tool.Scope, tool.Name));
        Assert.Null(tool.Approved);
        var stored = Assert.Single(await new MadeToolStore(_fixture.Path).ListAsync(cancellationToken: Ct));
        Assert.Equal(2, stored.Examples.Count);
        Assert.Equal("return input.celsius * 9 / 5 + 32;", stored.Body);

        var offered = Assert.Single(await _fixture.Source.GetToolsAsync("builder", Ct));
        Assert.Equal("celsius_to_fahrenheit", offered.Name);
        Assert.NotNull(offered.GetService<ApprovalRequiredAIFunction>());
        Assert.Empty(await _fixture.Source.GetToolsAsync("someone_else", Ct));
    }

    [Fact]
    public async Task Propose_WithApprovalNotRequired_IsOfferedApproved()
    {
        using var fixture = new MadeToolFixture(o => o.RequireApproval = false);
        var tool = await fixture.Maker.ProposeAsync(MadeToolFixture.CelsiusToFahrenheit(), "builder", Ct);

        Assert.NotNull(tool.Approved);
        var offered = Assert.Single(await fixture.Source.GetToolsAsync("builder", Ct));
        Assert.Null(offered.GetService<ApprovalRequiredAIFunction>());
        Assert.Equal("212", (await offered.InvokeAsync(new AIFunctionArguments { ["celsius"] = 100 }, Ct))?.ToString());
    }

    [Fact]
    public async Task Propose_WithAFailingExample_IsRejected_NamingTheExample_AndStoresNothing()
    {
        var proposal = MadeToolFixture.CelsiusToFahrenheit() with
        {
            Examples = [new(MadeToolFixture.Json("""{"celsius":0}"""), MadeToolFixture.Json("32")), new(MadeToolFixture.Json("""{"celsius":37}"""), MadeToolFixture.Json("99"))],
        };

        var error = await Assert.ThrowsAsync<ToolProposalException>(() => _fixture.Maker.ProposeAsync(proposal, "builder", Ct));

        Assert.Equal("examples[1]", error.Field);
        Assert.Contains("Example 2 failed", error.Message, StringComparison.Ordinal);
        Assert.Contains("98.6", error.Message, StringComparison.Ordinal);
        Assert.Contains("99 was expected", error.Message, StringComparison.Ordinal);
        Assert.Empty(await _fixture.Store.ListAsync(includeRemoved: true, cancellationToken: Ct));
    }

    [Theory]
    [InlineData("while (true) {}", "Statements")]
    [InlineData("const chunks = []; while (true) { chunks.push('x'.repeat(1 << 20) + chunks.length); }", "Memory")]
    [InlineData("function down(n) { return down(n + 1) + 1; } return down(0);", "RecursionDepth")]
    [InlineData("return 'x'.repeat(1 << 30);", "Memory")]
    public async Task Propose_HostileBody_IsStoppedBySandboxLimit_AndRejectedNamingTheExample(string body, string limit)
    {
        var error = await Assert.ThrowsAsync<ToolProposalException>(() => _fixture.Maker.ProposeAsync(MadeToolFixture.WithBody(body), "builder", Ct));

        Assert.Equal("examples[0]", error.Field);
        Assert.Contains("was stopped by the sandbox", error.Message, StringComparison.Ordinal);
        Assert.Equal(Enum.Parse<SandboxLimit>(limit), Assert.IsType<SandboxLimitExceededException>(error.InnerException).Limit);
        Assert.Empty(await _fixture.Store.ListAsync(includeRemoved: true, cancellationToken: Ct));
    }

    [Theory]
    [InlineData("return (function () {}).constructor('return globalThis')().constructor;")]
    [InlineData("return Object.getPrototypeOf(async function () {}).constructor('return 1')();")]
    [InlineData("return typeof System.IO.File;")]
    [InlineData("return require('fs').readFileSync('/etc/passwd', 'utf8');")]
    public async Task Propose_BodyReachingForTheHost_IsRejected(string body)
    {
        var error = await Assert.ThrowsAsync<ToolProposalException>(() => _fixture.Maker.ProposeAsync(MadeToolFixture.WithBody(body), "builder", Ct));

        Assert.Equal("examples[0]", error.Field);
        Assert.Contains("threw", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PrototypeTampering_DoesNotOutliveItsRun_NorReachAnotherTool()
    {
        using var fixture = new MadeToolFixture(o => o.RequireApproval = false);
        await fixture.Maker.ProposeAsync(
            MadeToolFixture.WithBody("Object.prototype.polluted = 'yes'; Array.prototype.map = function () { return ['forged']; }; JSON.stringify = () => '\"forged\"'; return [1, 2].map(x => x);", """["forged"]""") with { Name = "tamper" },
            "builder",
            Ct);
        await fixture.Maker.ProposeAsync(
            MadeToolFixture.WithBody("return [({}).polluted === undefined, [1, 2].map(x => x * 2), JSON.stringify({ a: 1 })];", """[true, [2, 4], "{\"a\":1}"]""") with { Name = "inspect" },
            "builder",
            Ct);

        var tools = (await fixture.Source.GetToolsAsync("builder", Ct)).ToDictionary(t => t.Name);
        await tools["tamper"].InvokeAsync(new AIFunctionArguments(), Ct);
        var after = (JsonElement)(await tools["inspect"].InvokeAsync(new AIFunctionArguments(), Ct))!;

        Assert.Equal("""[true,[2,4],"{\"a\":1}"]""", after.GetRawText());
    }

    public static TheoryData<string, MadeToolProposal> InvalidProposals => new()
    {
        { "name", MadeToolFixture.CelsiusToFahrenheit(name: "1st-tool") },
        { "name", MadeToolFixture.CelsiusToFahrenheit(name: new string('a', 65)) },
        { "name", MadeToolFixture.CelsiusToFahrenheit(name: "run_code") },
        { "name", MadeToolFixture.CelsiusToFahrenheit(name: "Search_Knowledge") },
        { "description", MadeToolFixture.CelsiusToFahrenheit() with { Description = " " } },
        { "parametersSchema", MadeToolFixture.CelsiusToFahrenheit() with { ParametersSchema = MadeToolFixture.Json("""{"type":"string"}""") } },
        { "parametersSchema", MadeToolFixture.CelsiusToFahrenheit() with { ParametersSchema = MadeToolFixture.Json("""{"type":"object","properties":{"celsius":{"type":"number","maximun":5}}}""") } },
        { "body", MadeToolFixture.CelsiusToFahrenheit(body: "") },
        { "body", MadeToolFixture.CelsiusToFahrenheit(body: "return " + new string('1', 9000) + ";") },
        { "body", MadeToolFixture.CelsiusToFahrenheit(body: "return input.celsius *;") },
        { "examples", MadeToolFixture.CelsiusToFahrenheit() with { Examples = [] } },
        { "examples", MadeToolFixture.CelsiusToFahrenheit() with { Examples = [.. Enumerable.Repeat(new MadeToolExample(MadeToolFixture.Json("""{"celsius":0}"""), MadeToolFixture.Json("32")), 11)] } },
        { "examples[0].input", MadeToolFixture.CelsiusToFahrenheit() with { Examples = [new(MadeToolFixture.Json("""{"celsius":"hot"}"""), MadeToolFixture.Json("0"))] } },
        { "examples[0].input", MadeToolFixture.CelsiusToFahrenheit() with { Examples = [new(MadeToolFixture.Json("[100]"), MadeToolFixture.Json("212"))] } },
    };

    [Theory]
    [MemberData(nameof(InvalidProposals))]
    public async Task Propose_WithAnInvalidField_IsRejected_NamingTheField(string field, MadeToolProposal proposal)
    {
        var error = await Assert.ThrowsAsync<ToolProposalException>(() => _fixture.Maker.ProposeAsync(proposal, "builder", Ct));

        Assert.Equal(field, error.Field);
        Assert.Empty(await _fixture.Store.ListAsync(includeRemoved: true, cancellationToken: Ct));
    }

    [Fact]
    public async Task ProposeAgain_StoresVersion2_KeepsVersion1_AndOffersVersion2_WhichNeedsItsOwnApproval()
    {
        var v1 = await _fixture.Maker.ProposeAsync(MadeToolFixture.CelsiusToFahrenheit(), "builder", Ct);
        Assert.True(await _fixture.Store.ApproveAsync(v1.Scope, v1.Name, cancellationToken: Ct));
        var v2 = await _fixture.Maker.ProposeAsync(MadeToolFixture.CelsiusToFahrenheit(body: "const c = input.celsius; return c * 1.8 + 32;"), "builder", Ct);

        Assert.Equal(2, v2.Version);
        Assert.Equal([1, 2], (await _fixture.Maker.ListAsync("builder", Ct)).Select(t => t.Version));
        var offered = Assert.Single(await _fixture.Source.GetToolsAsync("builder", Ct));
        Assert.NotNull(offered.GetService<ApprovalRequiredAIFunction>());
        Assert.Equal(2, offered.GetService<MadeToolFunction>()!.Tool.Version);
    }

    [Fact]
    public async Task Remove_OneVersion_OffersThePreviousAgain_AndRemovingAll_OffersNothing()
    {
        using var fixture = new MadeToolFixture(o => o.RequireApproval = false);
        await fixture.Maker.ProposeAsync(MadeToolFixture.CelsiusToFahrenheit(), "builder", Ct);
        await fixture.Maker.ProposeAsync(MadeToolFixture.CelsiusToFahrenheit(body: "return Math.round(input.celsius * 1.8 + 32);"), "builder", Ct);

        Assert.Equal(1, await fixture.Maker.RemoveAsync("builder", "celsius_to_fahrenheit", 2, Ct));
        var offered = Assert.Single(await fixture.Source.GetToolsAsync("builder", Ct));
        Assert.Equal("-40", (await offered.InvokeAsync(new AIFunctionArguments { ["celsius"] = -40 }, Ct))?.ToString());

        Assert.Equal(1, await fixture.Maker.RemoveAsync("builder", "celsius_to_fahrenheit", cancellationToken: Ct));
        Assert.Empty(await fixture.Source.GetToolsAsync("builder", Ct));
        Assert.Equal(0, await fixture.Maker.RemoveAsync("builder", "celsius_to_fahrenheit", cancellationToken: Ct));
        Assert.Equal(2, (await fixture.Store.ListAsync(includeRemoved: true, cancellationToken: Ct)).Count(t => t.Removed is not null));

        var v3 = await fixture.Maker.ProposeAsync(MadeToolFixture.CelsiusToFahrenheit(), "builder", Ct);
        Assert.Equal(3, v3.Version);
    }

    [Fact]
    public async Task Propose_ANameAnotherAgentHolds_IsRejected_AndSharedToolsAreSeenByEveryAgent()
    {
        await _fixture.Maker.ProposeAsync(MadeToolFixture.CelsiusToFahrenheit(), "alice", Ct);

        var error = await Assert.ThrowsAsync<ToolProposalException>(() => _fixture.Maker.ProposeAsync(MadeToolFixture.CelsiusToFahrenheit(), "bob", Ct));
        Assert.Equal("name", error.Field);
        Assert.Contains("agent:alice", error.Message, StringComparison.Ordinal);

        using var shared = new MadeToolFixture(o => o.Scope = MadeToolScope.Shared);
        var tool = await shared.Maker.ProposeAsync(MadeToolFixture.CelsiusToFahrenheit(), "alice", Ct);
        Assert.Equal(MadeToolScopes.Shared, tool.Scope);
        Assert.Single(await shared.Source.GetToolsAsync("bob", Ct));
    }

    [Fact]
    public async Task MadeTool_TakesArgumentsAsData_NeverAsSource()
    {
        using var fixture = new MadeToolFixture(o => o.RequireApproval = false);
        await fixture.Maker.ProposeAsync(
            new MadeToolProposal("echo", "Returns its text.", MadeToolFixture.Json("""{"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}"""), "return input.text;", [new(MadeToolFixture.Json("""{"text":"hi"}"""), MadeToolFixture.Json("\"hi\""))]),
            "builder",
            Ct);
        var echo = Assert.Single(await fixture.Source.GetToolsAsync("builder", Ct));
        const string Hostile = "\"}); while (true) {} (function () { //";

        var result = (JsonElement)(await echo.InvokeAsync(new AIFunctionArguments { ["text"] = Hostile }, Ct))!;

        Assert.Equal(Hostile, result.GetString());
        await Assert.ThrowsAsync<ArgumentException>(() => echo.InvokeAsync(new AIFunctionArguments { ["text"] = 5 }, Ct).AsTask());
    }

    [Fact]
    public async Task MadeTool_InTheToolPipeline_ReportsASandboxLimitAsAToolError()
    {
        using var fixture = new MadeToolFixture(o => o.RequireApproval = false);
        await fixture.Maker.ProposeAsync(
            new MadeToolProposal("count_up", "Counts to n.", MadeToolFixture.Json("""{"type":"object","properties":{"n":{"type":"integer","minimum":0}},"required":["n"]}"""), "let i = 0; while (i < input.n) { i++; } return i;", [new(MadeToolFixture.Json("""{"n":3}"""), MadeToolFixture.Json("3"))]),
            "builder",
            Ct);
        var governor = new ToolGovernor(await fixture.Source.GetToolsAsync("builder", Ct));

        var ok = await governor.InvokeAsync("count_up", new AIFunctionArguments { ["n"] = 10 }, cancellationToken: Ct);
        var invalid = await governor.InvokeAsync("count_up", new AIFunctionArguments { ["n"] = -1 }, cancellationToken: Ct);
        var stopped = await governor.InvokeAsync("count_up", new AIFunctionArguments { ["n"] = 100_000_000 }, cancellationToken: Ct);

        Assert.Equal((ToolCallStatus.Succeeded, "10"), (ok.Status, ok.Text));
        Assert.Equal(ToolCallStatus.InvalidArguments, invalid.Status);
        Assert.Equal(ToolCallStatus.Failed, stopped.Status);
        Assert.Contains("SandboxLimitExceededException", stopped.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Store_OnAFileThatIsNotADatabase_FailsNamingTheFile()
    {
        var path = Path.Combine(_fixture.Folder, "not-a-database.db");
        await File.WriteAllTextAsync(path, new string('x', 4096), Ct);

        var error = await Assert.ThrowsAsync<MadeToolStoreException>(() => new MadeToolStore(path).ListAsync(cancellationToken: Ct));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Store_Bounds_RefuseTheNextVersionAndTheNextTool()
    {
        using var fixture = new MadeToolFixture(o => (o.MaxVersions, o.MaxTools) = (2, 1));
        await fixture.Maker.ProposeAsync(MadeToolFixture.CelsiusToFahrenheit(), "builder", Ct);
        await fixture.Maker.ProposeAsync(MadeToolFixture.CelsiusToFahrenheit(), "builder", Ct);

        var versions = await Assert.ThrowsAsync<ToolProposalException>(() => fixture.Maker.ProposeAsync(MadeToolFixture.CelsiusToFahrenheit(), "builder", Ct));
        var tools = await Assert.ThrowsAsync<ToolProposalException>(() => fixture.Maker.ProposeAsync(MadeToolFixture.CelsiusToFahrenheit(name: "other"), "builder", Ct));

        Assert.Contains("MaxVersions", versions.Message, StringComparison.Ordinal);
        Assert.Contains("MaxTools", tools.Message, StringComparison.Ordinal);
    }
}
