using AgentKit.Embeddings.MiniLM;
using AgentKit.Cli.Commands;
using AgentKit.LlamaCpp;
using AgentKit.Rag.Embeddings;
using AgentKit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using Microsoft.Extensions.AI;
using TestingChatClient = AgentKit.Testing.ScriptedChatClient;

namespace AgentKit.Cli.Tests;

/// <summary><c>agentkit ingest</c>, <c>search</c> and <c>ask</c> in-process, against a SQLite knowledge base in a temporary folder.</summary>
public sealed class KnowledgeCommandTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("agentkit-cli-kb-");

    public KnowledgeCommandTests()
    {
        Docs = Path.Combine(_work.FullName, "docs");
        Database = Path.Combine(_work.FullName, "data", "kb.db");
        Write("pumps.md", "# Pumps\n\n## Priming\n\nPrime the centrifugal pump with water before the first start. A dry start ruins the mechanical seal.");
        Write("winter.md", "# Winter\n\n## Storage\n\nDrain the tank and the hoses before frost. Store the unit in a heated room during winter.");
        Write("notes/filters.txt", "Replace the zeolite filter cartridge every six months.");
    }

    private static string Model => TestModelFactory.GetOrCreate(TestModelFactory.TinyQwen2);

    private string Docs { get; }

    private string Database { get; }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _work.Delete(recursive: true);
    }

    private string Write(string relative, string text)
    {
        var path = Path.Combine(Docs, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private async Task IngestAsync()
    {
        using var cli = Harness();
        var exit = await cli.RunAsync("ingest", Docs, "--db", Database);
        Assert.True(exit == 0, cli.Error);
    }

    /// <summary>
    /// The CLI with the embedding model registered as a configuration would (until AddAgentKit has a default one):
    /// the commands take it from the host, whichever it is.
    /// </summary>
    private static CliHarness Harness(Func<LlamaModel, ChatEngineSettings, ILoggerFactory, IChatClient>? createChatClient = null) =>
        new(createChatClient: createChatClient, agentServices: s => s.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(new HashingEmbeddingGenerator()));

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task Ingest_Folder_PrintsTheReportTableAndCreatesTheDatabase()
    {
        File.WriteAllText(Path.Combine(Docs, "broken.pdf"), "%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R\nnot a pdf\n%%EOF");
        File.WriteAllBytes(Path.Combine(Docs, "photo.png"), [0x89, 0x50, 0x4E, 0x47]);
        using var cli = Harness();

        var exit = await cli.RunAsync("ingest", Docs, "--db", Database);

        Assert.True(exit == 0, cli.Error);
        Assert.True(File.Exists(Database));
        var rows = Lines(cli.Out);
        Assert.Matches(@"pumps\.md\s+Added\s+1\s+-", Assert.Single(rows, r => r.Contains("pumps.md", StringComparison.Ordinal)));
        Assert.Matches(@"notes/filters\.txt\s+Added\s+1", Assert.Single(rows, r => r.Contains("filters.txt", StringComparison.Ordinal)));
        var broken = Assert.Single(rows, r => r.Contains("broken.pdf", StringComparison.Ordinal));
        Assert.Matches(@"Skipped\s+0\s+-\s+Corrupt: ", broken);
        Assert.Contains("UnsupportedType: No reader handles '.png' files", Assert.Single(rows, r => r.Contains("photo.png  ", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains($"5 files (3 added, 2 skipped): 3 chunks written from 3 files in ", cli.Out, StringComparison.Ordinal);
        Assert.Contains($"into {Database} (collection knowledge).", cli.Out, StringComparison.Ordinal);
        // The progress bar draws only at a terminal; on a slow machine Spectre may still print a plain progress line
        // ("Ingesting docs: 40%", or the file being read: "photo.png: 60%").
        Assert.All(Lines(cli.Error), line => Assert.Matches(@"^[^:]+: \d+%$", line.Trim()));
    }

    [Fact]
    public async Task Ingest_EmbedsWithTheHostsEmbeddingModel()
    {
        using var cli = new CliHarness(agentServices: s => s.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(
            new HashingEmbeddingGenerator(new HashingEmbeddingGeneratorOptions { Dimensions = 64 })));

        var exit = await cli.RunAsync("ingest", Docs, "--db", Database);

        Assert.True(exit == 0, cli.Error);
        using var store = new AgentKit.VectorStores.Sqlite.SqliteVectorStore(Database);
        using var collection = store.GetCollection<Guid, AgentKit.Rag.Ingestion.RagChunkRecord>("knowledge", AgentKit.Rag.Ingestion.RagChunkRecord.CreateDefinition(64));
        var first = await collection.GetAsync(r => r.ChunkIndex == 0, 1, new() { IncludeVectors = true }, TestContext.Current.CancellationToken).FirstAsync(TestContext.Current.CancellationToken);
        Assert.Equal(64, first.Vector.Length);
    }

    [Fact]
    public async Task Ingest_AtATerminal_DrawsTheProgressBarByPageOnStderr()
    {
        File.WriteAllBytes(Path.Combine(Docs, "manual.pdf"), MultiPagePdf(40));
        using var cli = Harness();
        using var terminal = new StringWriter();
        var context = new CliContext
        {
            Out = cli.Context.Out,
            Error = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(terminal),
                Ansi = AnsiSupport.Yes,
                ColorSystem = ColorSystemSupport.NoColors,
                Interactive = InteractionSupport.Yes,
            }),
            Input = TextReader.Null,
            IsInputRedirected = true,
            CancelKey = cli.CancelKey,
            ConfigureAgentServices = cli.Context.ConfigureAgentServices,
        };

        var exit = await AgentKitCli.RunAsync(["ingest", Docs, "--db", Database], context, TestContext.Current.CancellationToken);

        Assert.Equal(0, exit);
        var drawn = terminal.ToString();
        Assert.Contains("Ingested docs", drawn, StringComparison.Ordinal);
        Assert.Contains("100%", drawn, StringComparison.Ordinal);
        Assert.Contains("4 files (4 added): 43 chunks written from 40 pages", cli.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void IngestProgressBar_WhileAFilesPagesAreEmbedded_ShowsTheFileAndPageAndMovesByPages()
    {
        var task = new ProgressTask(1, "Ingesting docs", 1);
        var bar = new Commands.Knowledge.IngestCommand.BarProgress(task, Docs);
        var manual = Path.Combine(Docs, "guides", "manual.pdf");

        bar.Report(new AgentKit.Rag.Ingestion.IngestionProgress(1, 2, null) { File = manual, Page = 32, Pages = 40 });

        Assert.Equal("guides/manual.pdf p. 32/40", task.Description);
        Assert.Equal(0.9, task.Value, 9);
    }

    /// <summary>A PDF of <paramref name="pages"/> pages, each with its own sentence (so no line repeats as a running header).</summary>
    private static byte[] MultiPagePdf(int pages)
    {
        var builder = new UglyToad.PdfPig.Writer.PdfDocumentBuilder();
        var font = builder.AddStandard14Font(UglyToad.PdfPig.Fonts.Standard14Fonts.Standard14Font.Helvetica);
        for (var p = 1; p <= pages; p++)
        {
            builder.AddPage(595, 842).AddText($"Valve {new string('x', p)} needs checking.", 11, new UglyToad.PdfPig.Core.PdfPoint(60, 760), font);
        }

        return builder.Build();
    }

    [Fact]
    public async Task Ingest_IntoAFileThatIsNotADatabase_Exits1WithTheStoresMessage()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Database)!);
        File.WriteAllText(Database, "this is not a SQLite file, just text that goes on for a while to fill a page header");
        using var cli = Harness();

        var exit = await cli.RunAsync("ingest", Docs, "--db", Database);

        Assert.Equal(1, exit);
        Assert.Contains(Path.GetFileName(Database), Assert.Single(Lines(cli.Error)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_CtrlC_Exits130AndTheNextRunFinishes()
    {
        using var cli = Harness();
        using var stop = new CancellationTokenSource();
        await stop.CancelAsync();

        var exit = await AgentKitCli.RunAsync(["ingest", Docs, "--db", Database], cli.Context, stop.Token);

        Assert.Equal(130, exit);
        Assert.Contains("Stopped.", cli.Error, StringComparison.Ordinal);
        await IngestAsync();
    }

    [Fact]
    public async Task Ingest_Again_SkipsUnchangedReplacesChangedRemovesDeleted()
    {
        await IngestAsync();
        Write("winter.md", "# Winter\n\n## Storage\n\nEmpty the boiler before frost.");
        File.Delete(Path.Combine(Docs, "pumps.md"));
        using var cli = Harness();

        var exit = await cli.RunAsync("ingest", Docs, "--db", Database);

        Assert.True(exit == 0, cli.Error);
        var rows = Lines(cli.Out);
        Assert.Matches(@"Unchanged\s+0\s+-\s+same content as last time", Assert.Single(rows, r => r.Contains("filters.txt", StringComparison.Ordinal)));
        Assert.Matches(@"winter\.md\s+Updated\s+1", Assert.Single(rows, r => r.Contains("winter.md", StringComparison.Ordinal)));
        Assert.Matches(@"pumps\.md\s+Removed\s+1", Assert.Single(rows, r => r.Contains("pumps.md", StringComparison.Ordinal)));
        Assert.Contains("3 files (1 updated, 1 unchanged, 1 removed): 1 chunks written", cli.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_MissingFolder_Exits1WithOneLine()
    {
        using var cli = Harness();
        var missing = Path.Combine(_work.FullName, "nope");

        var exit = await cli.RunAsync("ingest", missing, "--db", Database);

        Assert.Equal(1, exit);
        Assert.Equal($"The folder to ingest, '{missing}', does not exist.", Assert.Single(Lines(cli.Error)));
        Assert.False(File.Exists(Database));
    }

    [Fact]
    public async Task Search_PrintsRankedChunksWithScoresAndCitations()
    {
        await IngestAsync();
        using var cli = Harness();

        var exit = await cli.RunAsync("search", "drain the tank before frost", "--db", Database, "--top", "2");

        Assert.True(exit == 0, cli.Error);
        var lines = Lines(cli.Out);
        Assert.Equal(4, lines.Length);
        Assert.Matches(@"^1\. \[-?\d+\.\d{4}\] .*winter\.md, Winter > Storage$", lines[0]);
        Assert.Equal("   Drain the tank and the hoses before frost. Store the unit in a heated room during winter.", lines[1]);
        Assert.StartsWith("2. [", lines[2], StringComparison.Ordinal);
        var scores = new[] { lines[0], lines[2] }.Select(l => double.Parse(l[4..10], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.True(scores[0] >= scores[1], string.Join(" ", scores));
    }

    [Fact]
    public async Task Search_Rerank_WithTheBuiltInModel_PrintsTheReRankedChunks()
    {
        using var model = new MiniLMEmbeddingGenerator();
        using (var ingest = new CliHarness(agentServices: s => s.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(model)))
        {
            Assert.True(await ingest.RunAsync("ingest", Docs, "--db", Database) == 0, ingest.Error);
        }

        using var cli = new CliHarness(agentServices: s => s.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(model));
        var exit = await cli.RunAsync("search", "what to do with the hoses when it freezes", "--db", Database, "--top", "2", "--rerank");

        Assert.True(exit == 0, cli.Error);
        var lines = Lines(cli.Out);
        Assert.Matches(@"^1\. \[-?\d+\.\d{4}\] .*winter\.md, Winter > Storage$", lines[0]);
        Assert.StartsWith("2. [", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_WithTheBuiltInModel_ReRanksByDefault_FromTheChunkCodesIngestWrote_AndRerankFalseTurnsItOff()
    {
        using var model = new MiniLMEmbeddingGenerator();
        using (var ingest = new CliHarness(agentServices: s => s.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(model)))
        {
            Assert.True(await ingest.RunAsync("ingest", Docs, "--db", Database) == 0, ingest.Error);
        }

        async Task<string> SearchAsync(params string[] extra)
        {
            using var cli = new CliHarness(agentServices: s => s.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(model));
            var exit = await cli.RunAsync(["search", "what to do with the hoses when it freezes", "--db", Database, "--top", "2", .. extra]);
            Assert.True(exit == 0, cli.Error);
            return cli.Out;
        }

        var byDefault = await SearchAsync();
        var reranked = await SearchAsync("--rerank");
        var plain = await SearchAsync("--rerank", "false");

        Assert.Equal(reranked, byDefault);
        Assert.NotEqual(plain, byDefault);

        // Keyword mode stays exact BM25 unless re-ranking is asked for.
        Assert.Equal(await SearchAsync("--mode", "keyword", "--rerank", "false"), await SearchAsync("--mode", "keyword"));
        Assert.NotEqual(await SearchAsync("--mode", "keyword", "--rerank"), await SearchAsync("--mode", "keyword"));
        Assert.Matches(@"^1\. \[-?\d+\.\d{4}\] .*winter\.md, Winter > Storage$", Lines(byDefault)[0]);
        using var store = new AgentKit.VectorStores.Sqlite.SqliteVectorStore(Database);
        Assert.True(await store.CollectionExistsAsync(AgentKit.Rag.Ingestion.RagChunkStore.CodesName(AgentKit.Rag.Ingestion.RagChunkStore.DefaultName), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Search_Rerank_WithAModelThatCannotScoreTokens_Exits1SayingWhy()
    {
        await IngestAsync();
        using var cli = Harness();

        var exit = await cli.RunAsync("search", "pump", "--db", Database, "--rerank");

        Assert.Equal(1, exit);
        Assert.Contains("--rerank needs an embedding model that scores tokens", Assert.Single(Lines(cli.Error)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_KeywordModeWithNoMatch_SaysSoAndExits0()
    {
        await IngestAsync();
        using var cli = Harness();

        var exit = await cli.RunAsync("search", "xylophone", "--db", Database, "--mode", "keyword");

        Assert.Equal(0, exit);
        Assert.Empty(cli.Out);
        Assert.Contains("Nothing in the knowledge base matches \"xylophone\" (keyword search).", cli.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("101")]
    public async Task Search_TopOutOfRange_Exits1NamingTheOption(string top)
    {
        using var cli = Harness();

        var exit = await cli.RunAsync("search", "pump", "--db", Database, "--top", top);

        Assert.Equal(1, exit);
        Assert.Contains($"--top must be from 1 to 100; got {top}.", cli.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_NoKnowledgeBaseFile_Exits1SayingWhatToRun()
    {
        using var cli = Harness();

        var exit = await cli.RunAsync("search", "pump", "--db", Database);

        Assert.Equal(1, exit);
        var line = Assert.Single(Lines(cli.Error));
        Assert.Contains($"The knowledge base '{Database}' does not exist; run 'agentkit ingest <folder> --db {Database}' first.", line, StringComparison.Ordinal);
        Assert.False(File.Exists(Database));
    }

    [Fact]
    public async Task Search_CollectionNeverIngested_Exits1()
    {
        await IngestAsync();
        using var cli = Harness();

        var exit = await cli.RunAsync("search", "pump", "--db", Database, "--collection", "other");

        Assert.Equal(1, exit);
        Assert.Contains("has no documents in collection 'other'; run 'agentkit ingest <folder> --db", cli.Error, StringComparison.Ordinal);
        Assert.Contains("--collection other' first.", cli.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_FileThatIsNotADatabase_Exits1WithTheStoresMessage()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Database)!);
        File.WriteAllText(Database, "this is not a SQLite file, just text that goes on for a while to fill a page header");
        using var cli = Harness();

        var exit = await cli.RunAsync("search", "pump", "--db", Database);

        Assert.Equal(1, exit);
        Assert.Contains(Path.GetFileName(Database), Assert.Single(Lines(cli.Error)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ask_PrintsTheAnswerAndItsNumberedCitations()
    {
        await IngestAsync();
        var client = new TestingChatClient((messages, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, "Drain the tank and the hoses before frost [1]."))) { StreamChunkLength = 6 };
        using var cli = Harness(createChatClient: (_, _, _) => client);

        var exit = await cli.RunAsync("ask", "what should I do before frost?", "--model", Model, "--db", Database, "--top", "2", "--max-tokens", "40");

        Assert.True(exit == 0, cli.Error);
        var lines = Lines(cli.Out);
        Assert.Equal("Drain the tank and the hoses before frost [1].", lines[0]);
        Assert.Equal("Sources:", lines[1]);
        Assert.Matches(@"^\[1\] .*winter\.md, Winter > Storage$", lines[2]);
        Assert.Equal(3, lines.Length);
        var call = Assert.Single(client.Calls);
        Assert.True(call.Streaming, "agentkit ask streams the answer");
        Assert.Equal(40, call.Options!.MaxOutputTokens);
        var user = call.Messages[^1].Text;
        Assert.Contains("<document id=\"1\" source=\"winter.md\"", user, StringComparison.Ordinal);
        Assert.Contains("<document id=\"2\"", user, StringComparison.Ordinal);
        Assert.DoesNotContain("<document id=\"3\"", user, StringComparison.Ordinal);
        Assert.Contains("what should I do before frost?", user, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ask_AnswerWithoutMarkers_ListsThePassagesItWasGiven()
    {
        await IngestAsync();
        var client = new TestingChatClient("I am not sure.");
        using var cli = Harness(createChatClient: (_, _, _) => client);

        var exit = await cli.RunAsync("ask", "zeolite cartridge", "--model", Model, "--db", Database, "--mode", "keyword");

        Assert.True(exit == 0, cli.Error);
        var lines = Lines(cli.Out);
        Assert.Equal(["I am not sure.", "Passages given (the answer cites none):"], lines[..2]);
        Assert.Matches(@"^\[1\] .*notes/filters\.txt$", Assert.Single(lines[2..]));
    }

    [Fact]
    public async Task Ask_Rerank_GivesTheModelTheReRankedPassages()
    {
        using var embedder = new MiniLMEmbeddingGenerator();
        using (var ingest = new CliHarness(agentServices: s => s.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(embedder)))
        {
            Assert.True(await ingest.RunAsync("ingest", Docs, "--db", Database) == 0, ingest.Error);
        }

        var client = new TestingChatClient("Drain them [1].");
        using var cli = new CliHarness(createChatClient: (_, _, _) => client, agentServices: s => s.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(embedder));
        var exit = await cli.RunAsync("ask", "what to do with the hoses when it freezes", "--model", Model, "--db", Database, "--top", "2", "--rerank");

        Assert.True(exit == 0, cli.Error);
        Assert.Contains("<document id=\"1\" source=\"winter.md\"", Assert.Single(client.Calls).Messages[^1].Text, StringComparison.Ordinal);
        Assert.Matches(@"^\[1\] .*winter\.md, Winter > Storage$", Lines(cli.Out)[2]);
    }

    [Fact]
    public async Task Ask_Rerank_WithAModelThatCannotScoreTokens_Exits1BeforeLoadingTheModel()
    {
        await IngestAsync();
        using var cli = Harness();

        var exit = await cli.RunAsync("ask", "anything?", "--model", Path.Combine(_work.FullName, "missing.gguf"), "--db", Database, "--rerank");

        Assert.Equal(1, exit);
        Assert.Contains("--rerank needs an embedding model that scores tokens", Assert.Single(Lines(cli.Error)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ask_EmptyKnowledgeBase_Exits1WithoutLoadingTheModel()
    {
        using var cli = Harness();

        var exit = await cli.RunAsync("ask", "anything?", "--model", Path.Combine(_work.FullName, "missing.gguf"), "--db", Database);

        Assert.Equal(1, exit);
        Assert.Contains("does not exist; run 'agentkit ingest <folder>", Assert.Single(Lines(cli.Error)), StringComparison.Ordinal);
    }
}
