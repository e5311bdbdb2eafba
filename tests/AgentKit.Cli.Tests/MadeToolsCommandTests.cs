using System.Text.Json;
using AgentKit.Sandbox.Making;

namespace AgentKit.Cli.Tests;

/// <summary><c>agentkit tools made list|show|approve|remove</c> in-process on a real made-tools SQLite file in a temporary folder.</summary>
public sealed class MadeToolsCommandTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("agentkit-cli-made-");

    private string Database => Path.Combine(_work.FullName, "made-tools.db");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _work.Delete(recursive: true);
    }

    [Fact]
    public async Task ListShowApproveRemove_ActOnTheFile_AsAHostSeesIt()
    {
        var store = new MadeToolStore(Database);
        await store.AddAsync("agent:lab", Proposal("return input.n * 2;"), approved: false, 10, 10, Ct);
        await store.AddAsync("agent:lab", Proposal("return input.n + input.n;"), approved: false, 10, 10, Ct);
        using var cli = new CliHarness();

        Assert.Equal(0, await cli.RunAsync("tools", "made", "list", "--db", Database));
        var lines = cli.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("agent:lab\tdouble\tv1\tpending approval\t", lines[0], StringComparison.Ordinal);

        using var show = new CliHarness();
        Assert.Equal(0, await show.RunAsync("tools", "made", "show", "double", "--agent", "lab", "--db", Database));
        Assert.Contains("agent:lab double v2 (pending approval)", show.Out, StringComparison.Ordinal);
        Assert.Contains("return input.n + input.n;", show.Out, StringComparison.Ordinal);
        Assert.Contains("{\"n\":2} -> 4", show.Out, StringComparison.Ordinal);

        using var approve = new CliHarness();
        Assert.Equal(0, await approve.RunAsync("tools", "made", "approve", "double", "--agent", "lab", "--db", Database));
        var offered = Assert.Single(await store.ListOfferedAsync(["agent:lab"], Ct));
        Assert.Equal(2, offered.Version);
        Assert.NotNull(offered.Approved);

        using var remove = new CliHarness();
        Assert.Equal(0, await remove.RunAsync("tools", "made", "remove", "double", "--agent", "lab", "--version", "2", "--db", Database));
        Assert.Equal(1, Assert.Single(await store.ListOfferedAsync(["agent:lab"], Ct)).Version);
    }

    [Fact]
    public async Task Approve_AToolThatIsNotThere_FailsSayingSo()
    {
        await new MadeToolStore(Database).AddAsync("agent:lab", Proposal("return 2;"), approved: false, 10, 10, Ct);
        using var cli = new CliHarness();

        var exit = await cli.RunAsync("tools", "made", "approve", "double", "--db", Database);

        Assert.NotEqual(0, exit);
        Assert.Contains("No made tool 'double' to approve in shared", cli.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_WithAMissingFile_NamesIt_AndCreatesNothing()
    {
        var missing = Path.Combine(_work.FullName, "nope.db");
        using var cli = new CliHarness();

        var exit = await cli.RunAsync("tools", "made", "list", "--db", missing);

        Assert.NotEqual(0, exit);
        Assert.Contains(missing, cli.Error.ReplaceLineEndings(""), StringComparison.Ordinal);
        Assert.False(File.Exists(missing));
    }

    [Fact]
    public async Task List_OnAFileThatIsNotAStore_NamesIt()
    {
        await File.WriteAllTextAsync(Database, new string('x', 4096), Ct);
        using var cli = new CliHarness();

        var exit = await cli.RunAsync("tools", "made", "list", "--db", Database);

        Assert.NotEqual(0, exit);
        Assert.Contains(Database, cli.Error.ReplaceLineEndings(""), StringComparison.Ordinal);
    }

    private static MadeToolProposal Proposal(string body)
    {
        using var schema = JsonDocument.Parse("""{"type":"object","properties":{"n":{"type":"number"}}}""");
        using var input = JsonDocument.Parse("""{"n":2}""");
        using var expected = JsonDocument.Parse("4");
        return new MadeToolProposal("double", "Doubles a number.", schema.RootElement.Clone(), body, [new(input.RootElement.Clone(), expected.RootElement.Clone())]);
    }
}
