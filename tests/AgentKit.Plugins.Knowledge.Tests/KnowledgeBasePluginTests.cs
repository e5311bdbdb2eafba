using AgentKit.Rag.Embeddings;
using AgentKit.Rag.Knowledge;
using AgentKit.Rag.Retrieval;
using AgentKit.Rag.Tests.Support;
using AgentKit.VectorStores.Sqlite;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AgentKit.Plugins.Knowledge.Tests;

/// <summary><c>search_knowledge</c> built over a named <see cref="Rag.Knowledge.KnowledgeBase"/>.</summary>
public sealed class KnowledgeBasePluginTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly SqliteVectorStore _store;
    private readonly HashingEmbeddingGenerator _embedder = new();

    public KnowledgeBasePluginTests()
    {
        _folder.Write("docs/pumps.md", "# Pumps\n\n## Priming\n\nPrime the centrifugal pump with water before the first start.");
        _folder.Write("docs/winter.md", "# Winter\n\n## Storage\n\nDrain the tank and the hoses before frost.");
        _store = new SqliteVectorStore(Path.Combine(_folder.Root, "kb.db"));
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _store.Dispose();
        _embedder.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    private async Task<Rag.Knowledge.KnowledgeBase> IngestedAsync(KnowledgeBaseOptions options, IRagReranker? reranker = null)
    {
        var knowledge = new Rag.Knowledge.KnowledgeBase("manuals", options, _store, _embedder, _folder.Root, reranker: reranker);
        await knowledge.IngestAsync(cancellationToken: Token);
        return knowledge;
    }

    [Fact]
    public async Task For_SearchesTheKnowledgeBaseInItsMode()
    {
        using var knowledge = await IngestedAsync(new KnowledgeBaseOptions { Sources = ["docs"], Mode = RetrievalMode.Keyword });

        var results = await KnowledgePlugin.For(knowledge).SearchKnowledgeAsync("frost", 5, Token);

        // Keyword mode finds only the chunk with the word; a vector search would rank every chunk.
        Assert.Equal("winter.md, Winter > Storage", Assert.Single(results).Citation);
    }

    [Theory]
    [InlineData(true, "winter.md")]
    [InlineData(false, "pumps.md")]
    public async Task For_ReRanksWhenTheBaseDoes(bool rerank, string expected)
    {
        var reranker = new ScriptedReranker(chunk => Path.GetFileName(chunk.Source) == "winter.md" ? 10 : 1);
        using var knowledge = await IngestedAsync(new KnowledgeBaseOptions { Sources = ["docs"], Rerank = rerank }, reranker);

        var results = await KnowledgePlugin.For(knowledge).SearchKnowledgeAsync("prime the pump", 1, Token);

        Assert.Equal(expected, Path.GetFileName(Assert.Single(results).Source));
    }

    [Fact]
    public async Task CreateFunction_ResolvesTheBaseByNameAndInvokesLikeAModelWould()
    {
        using var knowledge = await IngestedAsync(new KnowledgeBaseOptions { Sources = ["docs"] });
        using var services = new ServiceCollection().AddKeyedSingleton("manuals", knowledge).BuildServiceProvider();

        var function = KnowledgePlugin.CreateFunction(services, "manuals");
        var result = await function.InvokeAsync(new AIFunctionArguments { ["query"] = "prime the pump", ["top"] = 1 }, Token);

        Assert.Equal(KnowledgePlugin.FunctionName, function.Name);
        Assert.Contains("pumps.md, Pumps > Priming", result!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void CreateFunction_UnknownBase_ThrowsNamingIt()
    {
        using var services = new ServiceCollection().BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => KnowledgePlugin.CreateFunction(services, "nope"));

        Assert.Contains("No knowledge base named 'nope'", error.Message, StringComparison.Ordinal);
    }
}
