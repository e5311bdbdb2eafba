using System.Text.Json;
using AgentKit.Graph;
using AgentKit.Prompts;
using AgentKit.Rag.Embeddings;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using TestingChatClient = AgentKit.Testing.ScriptedChatClient;

namespace AgentKit.Cli.Tests;

/// <summary><c>agentkit ask --answer global</c>: corpus-wide questions answered from the knowledge graph's community summaries.</summary>
public sealed class AskGlobalCommandTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("agentkit-cli-global-");
    private readonly HashingEmbeddingGenerator _embedder = new();

    public AskGlobalCommandTests()
    {
        Docs = Directory.CreateDirectory(Path.Combine(_work.FullName, "docs")).FullName;
        Database = Path.Combine(_work.FullName, "data", "kb.db");
        File.WriteAllText(Path.Combine(Docs, "zentrix.txt"), "Alice Moreau founded Zentrix, a maker of solar inverters.");
    }

    private string Docs { get; }

    private string Database { get; }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _work.Delete(recursive: true);
    }

    [Fact]
    public async Task AskGlobal_AnswersFromTheCommunities_AndCitesTheChunksBehindThem()
    {
        var model = ScriptedGraphModel();
        using (var ingest = Harness(model))
        {
            Assert.True(await ingest.RunAsync("ingest", Docs, "--db", Database) == 0, ingest.Error);
        }

        Assert.Equal(1, model.CallCount);
        await SummarizeAsync(model);

        using var cli = Harness(model);
        var exit = await cli.RunAsync("ask", "What are the main themes?", "--answer", "global", "--db", Database);

        Assert.True(exit == 0, cli.Error);
        var lines = cli.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["The main theme is solar inverters [1].", "Communities:", "- Zentrix and its founder", "Sources:"], lines[..4]);
        Assert.Matches(@"^\[1\] .*zentrix\.txt$", Assert.Single(lines[4..]));
    }

    [Fact]
    public async Task AskGlobal_WithoutAGraph_Exits1NamingTheSection()
    {
        using (var ingest = new CliHarness(agentServices: s => s.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(_embedder)))
        {
            Assert.True(await ingest.RunAsync("ingest", Docs, "--db", Database) == 0, ingest.Error);
        }

        using var cli = new CliHarness(agentServices: s => s.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(_embedder));
        var exit = await cli.RunAsync("ask", "What are the main themes?", "--answer", "global", "--db", Database);

        Assert.Equal(1, exit);
        Assert.Contains("add an AgentKit:Graph section", cli.Error, StringComparison.Ordinal);
    }

    // The graph in the knowledge base's file, with the scripted model as the configuration's chat model would be.
    private CliHarness Harness(TestingChatClient model) => new(agentServices: s =>
    {
        s.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(_embedder);
        s.AddSingleton<IChatClient>(model);
        s.AddAgentKitGraph(configure: o =>
        {
            o.Store.Path = Database;
            o.Communities.RefreshAfterUpdates = false;
        });
    });

    private async Task SummarizeAsync(TestingChatClient model)
    {
        using var prompts = new PromptRegistry(new PromptRegistryOptions { RootDirectory = PromptRegistry.FindDefaultDirectory()!, WatchForChanges = false });
        using var store = new SqliteGraphStore(new GraphStoreOptions { Path = Database });
        using var summarizer = new CommunitySummarizer(store, model, prompts, _embedder);
        Assert.Equal(1, (await summarizer.RefreshAsync(Ct)).Summarized);
    }

    // The stand-in for the chat model: it extracts, summarises, maps and reduces, each from the prompt's data.
    private static TestingChatClient ScriptedGraphModel() => new((messages, _) =>
    {
        var user = messages.First(m => m.Role == ChatRole.User).Text;
        object answer = user switch
        {
            _ when user.Contains("<text>", StringComparison.Ordinal) => new
            {
                entities = new[] { new { name = "Alice Moreau", type = "person", description = "Founder of Zentrix." }, new { name = "Zentrix", type = "organization", description = "A maker of solar inverters." } },
                relations = new[] { new { source = "Alice Moreau", relation = "founded", target = "Zentrix", description = "Alice Moreau founded Zentrix." } },
            },
            _ when user.Contains("<community>", StringComparison.Ordinal) => new { title = "Zentrix and its founder", summary = "Alice Moreau founded Zentrix, a maker of solar inverters.", rating = 7 },
            _ when user.Contains("<reports>", StringComparison.Ordinal) => new { points = new[] { new { text = "Solar inverters made by Zentrix.", rating = 70, reports = new[] { 1 } } } },
            _ => new { answer = "The main theme is solar inverters [1].", cited = new[] { 1 } },
        };
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, JsonSerializer.Serialize(answer)));
    });
}
