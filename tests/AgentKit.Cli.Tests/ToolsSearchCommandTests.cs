namespace AgentKit.Cli.Tests;

/// <summary><c>agentkit tools search</c> in-process with the real default embedding model, on catalog files in a temporary folder.</summary>
public sealed class ToolsSearchCommandTests : IDisposable
{
    private const string Tools = """
        [
          { "name": "slack_post_message", "description": "Post a new message to a Slack channel", "inputSchema": { "type": "object", "properties": { "channel_id": { "type": "string" }, "text": { "type": "string" } } } },
          { "name": "maps_geocode", "description": "Convert an address into geographic coordinates", "inputSchema": { "type": "object", "properties": { "address": { "type": "string" } } } },
          { "name": "git_log", "description": "Shows the commit logs", "inputSchema": { "type": "object", "properties": { "repo_path": { "type": "string" } } } },
          { "name": "read_file", "description": "Read the complete contents of a file from the file system", "inputSchema": { "type": "object", "properties": { "path": { "type": "string" } } } }
        ]
        """;

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("agentkit-cli-tools-");

    public void Dispose() => _work.Delete(recursive: true);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Search_RanksTheMatchingToolFirst_ForAnArrayOrAToolsListResult(bool wrapped)
    {
        var catalog = Write("catalog.json", wrapped ? $$"""{ "tools": {{Tools}} }""" : Tools);
        using var cli = new CliHarness();

        var exit = await cli.RunAsync("tools", "search", "--catalog", catalog, "--top", "2", "What is the latitude and longitude of 10 Downing Street?");

        Assert.True(exit == 0, cli.Error);
        var lines = cli.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("1. maps_geocode [", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_MissingFile_SaysWhichFile()
    {
        using var cli = new CliHarness();
        var missing = Path.Combine(_work.FullName, "nope.json");

        var exit = await cli.RunAsync("tools", "search", "--catalog", missing, "anything");

        Assert.NotEqual(0, exit);
        Assert.Contains(missing, cli.Error);
        Assert.Contains("does not exist", cli.Error);
    }

    [Theory]
    [InlineData("""[ { "name": "a", "description": "x", "inputSchema": { "type": "object" } }, { "description": "no name", "inputSchema": { "type": "object" } } ]""", "tool 1", "\"name\"")]
    [InlineData("""[ { "name": "a", "description": "x" } ]""", "tool 0 ('a')", "inputSchema")]
    [InlineData("""[ { "name": "a", "description": "x", "inputSchema": { "type": "object" } }, { "name": "a", "inputSchema": { "type": "object" } } ]""", "tool 1 ('a')", "already used")]
    [InlineData("""{ "items": [] }""", "catalog.json", "\"tools\"")]
    [InlineData("""[ { "name": "a", """, "catalog.json", "not valid JSON")]
    public async Task Search_BadCatalog_NamesTheFileAndTheEntry(string json, string entry, string problem)
    {
        var catalog = Write("catalog.json", json);
        using var cli = new CliHarness();

        var exit = await cli.RunAsync("tools", "search", "--catalog", catalog, "anything");

        Assert.NotEqual(0, exit);
        Assert.Contains(catalog, cli.Error);
        Assert.Contains(entry, cli.Error);
        Assert.Contains(problem, cli.Error);
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_work.FullName, name);
        File.WriteAllText(path, text);
        return path;
    }
}
