using AgentKit.Embeddings.MiniLM;
using AgentKit.Rag.Embeddings;
using AgentKit.Rag.Ingestion;
using AgentKit.Rag.Knowledge;
using AgentKit.VectorStores.Sqlite;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.VectorData;

namespace AgentKit.Hosting.Tests;

/// <summary>The <c>AgentKit:VectorStore</c> and <c>AgentKit:Knowledge</c> sections and <c>AddAgentKitKnowledge</c> on real hosts, SQLite files and documents.</summary>
public sealed class KnowledgeHostingTests : IDisposable
{
    private readonly TestHosts _hosts = new();

    public KnowledgeHostingTests()
    {
        Docs = Path.Combine(_hosts.ContentRoot, "docs");
        Write("pumps.md", "# Pumps\n\n## Priming\n\nPrime the centrifugal pump with water before the first start.");
        Write("winter/storage.md", "# Winter\n\n## Storage\n\nDrain the tank and the hoses before frost.");
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private string Docs { get; }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _hosts.Dispose();
    }

    private void Write(string relative, string text)
    {
        var path = Path.Combine(Docs, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private HostApplicationBuilder Builder(Dictionary<string, string?> settings, IEmbeddingGenerator<string, Embedding<float>>? embedder = null)
    {
        var builder = _hosts.Builder(settings);
        builder.AddAgentKit();

        // Until AddAgentKit registers a default embedding model, the tests name theirs.
        builder.Services.AddSingleton(embedder ?? new HashingEmbeddingGenerator());
        return builder;
    }

    private static async Task<HealthReport> HealthAsync(IHost host) =>
        await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Name == "agentkit-knowledge", Token);

    [Fact]
    public async Task Start_WithKnowledgeSection_IngestsInTheBackgroundIntoTheStorageFolderAndSearches()
    {
        using var host = Builder(new() { ["AgentKit:Knowledge:manuals:Sources:0"] = "docs", ["AgentKit:Knowledge:manuals:Top"] = "1" }).Build();

        await host.StartAsync(Token);
        var knowledge = host.Services.GetRequiredKeyedService<KnowledgeBase>("manuals");
        await knowledge.WhenIngestedAsync(Token);
        var hits = await knowledge.SearchAsync("drain the tank before frost", cancellationToken: Token);

        Assert.Equal(KnowledgeIngestionState.Ready, knowledge.Status.State);
        Assert.Equal(2, knowledge.Status.LastReport!.Count(FileIngestionStatus.Added));
        Assert.EndsWith("storage.md", Assert.Single(hits).Source, StringComparison.Ordinal);
        Assert.Equal(Path.Combine(_hosts.ContentRoot, "data", "vectors.db"), host.Services.GetRequiredService<SqliteVectorStore>().Path);
        Assert.Same(host.Services.GetRequiredService<SqliteVectorStore>(), host.Services.GetRequiredService<VectorStore>());
        Assert.Equal(HealthStatus.Healthy, (await HealthAsync(host)).Status);
        await host.StopAsync(Token);
    }

    [Fact]
    public async Task Ingest_GlobSource_TakesOnlyMatchingFilesAndRemovesThoseThatVanish()
    {
        Write("notes.txt", "Replace the zeolite filter every six months.");
        using var host = Builder(new()
        {
            ["AgentKit:Knowledge:md:Sources:0"] = "docs/**/*.md",
            ["AgentKit:Knowledge:md:IngestOnStart"] = "false",
        }).Build();
        await host.StartAsync(Token);
        var knowledge = host.Services.GetRequiredKeyedService<KnowledgeBase>("md");

        var first = await knowledge.IngestAsync(cancellationToken: Token);
        File.Delete(Path.Combine(Docs, "pumps.md"));
        var second = await knowledge.IngestAsync(cancellationToken: Token);

        Assert.Equal(["pumps.md", "storage.md"], first.Files.Select(f => Path.GetFileName(f.Path)).Order());
        Assert.Equal(FileIngestionStatus.Removed, Assert.Single(second.Files, f => f.Path.EndsWith("pumps.md", StringComparison.Ordinal)).Status);
        Assert.Equal(FileIngestionStatus.Unchanged, Assert.Single(second.Files, f => f.Path.EndsWith("storage.md", StringComparison.Ordinal)).Status);
        Assert.Equal(KnowledgeIngestionState.NotIngested, new KnowledgeBase("x", new KnowledgeBaseOptions(), host.Services.GetRequiredService<VectorStore>(), new HashingEmbeddingGenerator()).Status.State);
        await host.StopAsync(Token);
    }

    [Fact]
    public async Task Health_IsDegradedWhileIngestingAndStopCancelsTheRun()
    {
        var gate = new GatedEmbeddingGenerator(new HashingEmbeddingGenerator());
        using var host = Builder(new() { ["AgentKit:Knowledge:manuals:Sources:0"] = "docs" }, gate).Build();
        await host.StartAsync(Token);
        var knowledge = host.Services.GetRequiredKeyedService<KnowledgeBase>("manuals");

        await gate.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30), Token);
        var during = await HealthAsync(host);
        var stop = host.StopAsync(Token);

        Assert.Equal(HealthStatus.Degraded, during.Status);
        Assert.Contains("manuals", during.Entries["agentkit-knowledge"].Description, StringComparison.Ordinal);
        await stop.WaitAsync(TimeSpan.FromSeconds(30), Token);
        Assert.Equal(KnowledgeIngestionState.Failed, knowledge.Status.State);
        Assert.Equal("cancelled", knowledge.Status.Error);
    }

    [Fact]
    public async Task Health_IsUnhealthyWithTheReasonWhenIngestionFails()
    {
        using var host = Builder(new() { ["AgentKit:Knowledge:manuals:Sources:0"] = "docs", ["AgentKit:Knowledge:manuals:IngestOnStart"] = "false" }).Build();
        await host.StartAsync(Token);
        var knowledge = host.Services.GetRequiredKeyedService<KnowledgeBase>("manuals");
        Directory.Delete(Docs, recursive: true);

        await Assert.ThrowsAsync<KnowledgeSourceException>(() => knowledge.IngestAsync(cancellationToken: Token));
        var health = await HealthAsync(host);

        Assert.Equal(HealthStatus.Unhealthy, health.Status);
        Assert.Contains($"manuals: The source 'docs' ('{Docs}') does not exist.", health.Entries["agentkit-knowledge"].Description, StringComparison.Ordinal);
        await host.StopAsync(Token);
    }

    [Fact]
    public async Task AddAgentKitKnowledge_InCode_UsesTheKeyedStoreAndEmbeddingModelItNames()
    {
        var file = Path.Combine(_hosts.ContentRoot, "other", "kb.db");
        var builder = _hosts.Builder(new Dictionary<string, string?>());
        builder.Services
            .AddKeyedSqliteVectorStore("side", file)
            .AddKeyedSingleton<IEmbeddingGenerator<string, Embedding<float>>>("small", new HashingEmbeddingGenerator(new HashingEmbeddingGeneratorOptions { Dimensions = 64 }))
            .AddAgentKitKnowledge("code", o =>
            {
                o.Sources = [Path.Combine(Docs, "pumps.md")];
                o.VectorStore = "side";
                o.EmbeddingModel = "small";
                o.Collection = "pumps";
                o.IngestOnStart = false;
            });
        using var host = builder.Build();
        await host.StartAsync(Token);
        var knowledge = host.Services.GetRequiredKeyedService<KnowledgeBase>("code");

        var report = await knowledge.IngestAsync(cancellationToken: Token);
        var collection = await knowledge.GetCollectionAsync(Token);

        Assert.Equal(1, report.Count(FileIngestionStatus.Added));
        Assert.True(File.Exists(file));
        Assert.True(await host.Services.GetRequiredKeyedService<VectorStore>("side").CollectionExistsAsync("pumps", Token));
        Assert.Equal(64, (await collection.GetAsync(r => r.ChunkIndex == 0, 1, new() { IncludeVectors = true }, Token).SingleAsync(Token)).Vector.Length);
        Assert.Throws<InvalidOperationException>(() => builder.Services.AddAgentKitKnowledge("CODE", _ => { }));
        await host.StopAsync(Token);
    }

    private async Task<string> StartFailureAsync(Dictionary<string, string?> settings)
    {
        using var host = Builder(settings).Build();
        // Several failing option types come as an AggregateException of OptionsValidationExceptions.
        var error = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync(Token));
        Assert.True(error is OptionsValidationException || (error is AggregateException all && all.InnerExceptions.All(e => e is OptionsValidationException)), error.ToString());
        return error.Message;
    }

    [Fact]
    public async Task Start_UnknownEmbeddingModel_FailsNamingTheKey()
    {
        var message = await StartFailureAsync(new() { ["AgentKit:Knowledge:kb:Sources:0"] = "docs", ["AgentKit:Knowledge:kb:EmbeddingModel"] = "nope" });

        Assert.Contains("AgentKit:Knowledge:kb:EmbeddingModel: no embedding model named 'nope' under AgentKit:Models.", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_ChatModelNamedAsEmbeddingModel_FailsNamingTheKey()
    {
        var message = await StartFailureAsync(new()
        {
            ["AgentKit:Models:chat:Provider"] = "OpenAI",
            ["AgentKit:Models:chat:Endpoint"] = "http://127.0.0.1:9/v1",
            ["AgentKit:Models:chat:Model"] = "m",
            ["AgentKit:Models:chat:ApiKey"] = "k",
            ["AgentKit:Knowledge:kb:Sources:0"] = "docs",
            ["AgentKit:Knowledge:kb:EmbeddingModel"] = "chat",
        });

        Assert.Contains("AgentKit:Knowledge:kb:EmbeddingModel: 'chat' is a Chat model; a knowledge base needs an Embedding model.", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_MissingSourceFolder_FailsNamingTheKeyAndPath()
    {
        var message = await StartFailureAsync(new() { ["AgentKit:Knowledge:kb:Sources:0"] = "docs", ["AgentKit:Knowledge:kb:Sources:1"] = "missing/**/*.md" });

        Assert.Contains($"AgentKit:Knowledge:kb:Sources:1: '{Path.Combine(_hosts.ContentRoot, "missing")}' does not exist.", message, StringComparison.Ordinal);
        Assert.DoesNotContain("Sources:0", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("101")]
    public async Task Start_TopOutOfRange_FailsNamingTheKey(string top)
    {
        var message = await StartFailureAsync(new() { ["AgentKit:Knowledge:kb:Sources:0"] = "docs", ["AgentKit:Knowledge:kb:Top"] = top });

        Assert.Contains($"AgentKit:Knowledge:kb:Top: {top} is outside 1..100.", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PassageWords_Configured_EmbedsPassagesBesideTheChunks_AndSearchStillFindsThePage()
    {
        Write("boiler.md", "# Boiler\n\n## Service\n\n" + string.Join(' ', Enumerable.Repeat("The annual service checks the burner, the seals and the flue.", 12)) + " Bleed the radiators when they are cold at the top.");
        using var host = Builder(new() { ["AgentKit:Knowledge:manuals:Sources:0"] = "docs", ["AgentKit:Knowledge:manuals:PassageWords"] = "16", ["AgentKit:Knowledge:manuals:Top"] = "1" }).Build();

        await host.StartAsync(Token);
        var knowledge = host.Services.GetRequiredKeyedService<KnowledgeBase>("manuals");
        await knowledge.WhenIngestedAsync(Token);
        var hits = await knowledge.SearchAsync("bleed the radiators", new() { Mode = Rag.Retrieval.RetrievalMode.Vector, Top = 1 }, Token);
        var store = host.Services.GetRequiredService<SqliteVectorStore>();
        using var passages = store.GetCollection<Guid, RagPassageRecord>(RagChunkStore.PassagesName("manuals"), RagPassageRecord.CreateDefinition(new HashingEmbeddingGeneratorOptions().Dimensions));
        var stored = await passages.GetAsync(p => p.Source != "", 1000, cancellationToken: Token).ToListAsync(Token);

        Assert.EndsWith("boiler.md", Assert.Single(hits).Source, StringComparison.Ordinal);
        Assert.True(stored.Count(p => p.Source.EndsWith("boiler.md", StringComparison.Ordinal)) > 5, $"{stored.Count} passages");
        Assert.Contains(stored, p => p.Source.EndsWith("pumps.md", StringComparison.Ordinal));
        await host.StopAsync(Token);
    }

    [Fact]
    public async Task Start_PassageWordsOutOfRange_FailsNamingTheKey()
    {
        var message = await StartFailureAsync(new() { ["AgentKit:Knowledge:kb:Sources:0"] = "docs", ["AgentKit:Knowledge:kb:PassageWords"] = "5000" });

        Assert.Contains("AgentKit:Knowledge:kb:PassageWords", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_NoSourcesAndBadChunking_FailsNamingEachKey()
    {
        var message = await StartFailureAsync(new() { ["AgentKit:Knowledge:kb:ChunkTokens"] = "64", ["AgentKit:Knowledge:kb:ChunkOverlapTokens"] = "32" });

        Assert.Contains("AgentKit:Knowledge:kb:Sources: name at least one folder, file or glob pattern to ingest", message, StringComparison.Ordinal);
        Assert.Contains("AgentKit:Knowledge:kb:ChunkOverlapTokens: 32 must be at least 0 and less than half of ChunkTokens (64).", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_QdrantWithoutEndpoint_FailsNamingTheKey()
    {
        var message = await StartFailureAsync(new() { ["AgentKit:VectorStore:Kind"] = "Qdrant" });

        Assert.Contains("AgentKit:VectorStore:Qdrant:Endpoint is required", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rerank_WithTheBuiltInModel_EverySearchIsReRanked_AndFindsThePage()
    {
        using var model = new MiniLMEmbeddingGenerator();
        using var host = Builder(new() { ["AgentKit:Knowledge:manuals:Sources:0"] = "docs", ["AgentKit:Knowledge:manuals:Rerank"] = "true" }, model).Build();

        await host.StartAsync(Token);
        var knowledge = host.Services.GetRequiredKeyedService<KnowledgeBase>("manuals");
        await knowledge.WhenIngestedAsync(Token);
        var hits = await knowledge.SearchAsync("what to do with the hoses when it freezes", cancellationToken: Token);

        // A search that asks for re-ranking throws unless the base was given a re-ranker.
        Assert.True(knowledge.Options.ToRetrievalOptions().Rerank);
        Assert.True(knowledge.ReranksByDefault(AgentKit.Rag.Retrieval.RetrievalMode.Keyword));
        Assert.EndsWith("storage.md", hits[0].Source, StringComparison.Ordinal);
        await host.StopAsync(Token);
    }

    [Fact]
    public async Task Rerank_Unset_WithTheBuiltInModel_KeepsChunkCodesAndReRanksByDefault_FalseKeepsNone()
    {
        using var model = new MiniLMEmbeddingGenerator();
        using var host = Builder(new()
        {
            ["AgentKit:Knowledge:manuals:Sources:0"] = "docs",
            ["AgentKit:Knowledge:plain:Sources:0"] = "docs",
            ["AgentKit:Knowledge:plain:Rerank"] = "false",
        }, model).Build();

        await host.StartAsync(Token);
        var manuals = host.Services.GetRequiredKeyedService<KnowledgeBase>("manuals");
        var plain = host.Services.GetRequiredKeyedService<KnowledgeBase>("plain");
        await manuals.WhenIngestedAsync(Token);
        await plain.WhenIngestedAsync(Token);
        var hits = await manuals.SearchAsync("what to do with the hoses when it freezes", cancellationToken: Token);
        var store = host.Services.GetRequiredService<VectorStore>();

        Assert.True((await manuals.GetRetrievalOptionsAsync(Token)).Rerank);
        Assert.True(manuals.ReranksByDefault(AgentKit.Rag.Retrieval.RetrievalMode.Vector));
        Assert.False(manuals.ReranksByDefault(AgentKit.Rag.Retrieval.RetrievalMode.Keyword));
        Assert.EndsWith("storage.md", hits[0].Source, StringComparison.Ordinal);
        Assert.True(await store.CollectionExistsAsync("manuals_codes", Token));
        Assert.False((await plain.GetRetrievalOptionsAsync(Token)).Rerank);
        Assert.True(plain.CanRerank);
        Assert.False(await store.CollectionExistsAsync("plain_codes", Token));
        await host.StopAsync(Token);
    }

    [Fact]
    public async Task Rerank_Unset_OnABaseWrittenWithoutCodes_WaitsForAnIngestionRunToWriteThem()
    {
        using var model = new MiniLMEmbeddingGenerator();
        using var store = new SqliteVectorStore(Path.Combine(_hosts.ContentRoot, "kb.db"));
        var reranker = new AgentKit.Rag.Retrieval.RelevanceScorerReranker(model.GetService<AgentKit.Abstractions.Embeddings.IRelevanceScorer>()!);
        using (var before = new KnowledgeBase("kb", new KnowledgeBaseOptions { Sources = [Docs], Rerank = false }, store, model, reranker: reranker))
        {
            await before.IngestAsync(cancellationToken: Token);
        }

        using var knowledge = new KnowledgeBase("kb", new KnowledgeBaseOptions { Sources = [Docs] }, store, model, reranker: reranker);

        // Re-ranking chunks without codes would run the model over every candidate.
        Assert.False((await knowledge.GetRetrievalOptionsAsync(Token)).Rerank);
        var report = await knowledge.IngestAsync(cancellationToken: Token);
        Assert.All(report.Files, f => Assert.Equal(FileIngestionStatus.Updated, f.Status));
        Assert.True((await knowledge.GetRetrievalOptionsAsync(Token)).Rerank);
        using var reopened = new KnowledgeBase("kb", new KnowledgeBaseOptions { Sources = [Docs] }, store, model, reranker: reranker);
        Assert.True((await reopened.GetRetrievalOptionsAsync(Token)).Rerank);
    }

    [Fact]
    public async Task Rerank_Unset_WithAModelThatCannotScoreTokens_DoesNotReRank()
    {
        using var host = Builder(new() { ["AgentKit:Knowledge:kb:Sources:0"] = "docs" }).Build();

        await host.StartAsync(Token);
        var knowledge = host.Services.GetRequiredKeyedService<KnowledgeBase>("kb");
        await knowledge.WhenIngestedAsync(Token);

        Assert.False((await knowledge.GetRetrievalOptionsAsync(Token)).Rerank);
        Assert.NotEmpty(await knowledge.SearchAsync("pump", cancellationToken: Token));
        await host.StopAsync(Token);
    }

    [Fact]
    public async Task Start_RerankWithAModelThatCannotScoreTokens_FailsNamingTheKey()
    {
        var message = await StartFailureAsync(new() { ["AgentKit:Knowledge:kb:Sources:0"] = "docs", ["AgentKit:Knowledge:kb:Rerank"] = "true" });

        Assert.Contains("AgentKit:Knowledge:kb:Rerank: the embedding model 'agentkit-hashing-", message, StringComparison.Ordinal);
        Assert.Contains("offers no token-level relevance scorer", message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddAgentKit_UnknownVectorStoreKind_FailsNamingTheKey()
    {
        var builder = _hosts.Builder(new Dictionary<string, string?> { ["AgentKit:VectorStore:Kind"] = "Pinecone" });

        var error = Assert.Throws<InvalidOperationException>(() => builder.AddAgentKit());

        Assert.Contains("AgentKit:VectorStore:Kind", error.Message + error.InnerException?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_QdrantConfigured_RegistersTheQdrantStore()
    {
        using var host = Builder(new() { ["AgentKit:VectorStore:Kind"] = "Qdrant", ["AgentKit:VectorStore:Qdrant:Endpoint"] = "http://127.0.0.1:6334/" }).Build();

        await host.StartAsync(Token);

        Assert.IsType<AgentKit.VectorStores.Qdrant.QdrantVectorStore>(host.Services.GetRequiredService<VectorStore>());
        await host.StopAsync(Token);
    }

    [Fact]
    public async Task ChunkCodes_OnQdrant_AreRefusedBeforeAnyCall_SoABaseThereDoesNotKeepThem()
    {
        // Qdrant (like Microsoft's connector) refuses collections without a vector; no server is asked.
        using var store = new AgentKit.VectorStores.Qdrant.QdrantVectorStore(new AgentKit.VectorStores.Qdrant.QdrantVectorStoreOptions { Endpoint = new Uri("http://127.0.0.1:9/") });

        var error = await Assert.ThrowsAsync<NotSupportedException>(() => RagChunkStore.OpenCodesAsync(store, "kb", Token));

        Assert.Contains("QdrantVectorStore cannot keep a collection without vectors", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Holds every embedding call until the test lets it go (here: never), so ingestion is caught mid-run.</summary>
    private sealed class GatedEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner) : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
    {
        private int _calls;

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            // The first call sizes the collection; the ones after it embed chunks.
            if (Interlocked.Increment(ref _calls) > 1 || !values.Contains("dimensions probe"))
            {
                Entered.TrySetResult();
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            return await base.GenerateAsync(values, options, cancellationToken);
        }
    }
}
