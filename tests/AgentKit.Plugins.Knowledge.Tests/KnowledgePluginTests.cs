using System.Text.Json;
using AgentKit.Rag.Embeddings;
using AgentKit.Rag.Retrieval;
using AgentKit.Rag.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentKit.Plugins.Knowledge.Tests;

public sealed class KnowledgePluginTests : IAsyncLifetime
{
    private KnowledgeBase _kb = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _kb = await Corpus.CreateAsync(Token);

    public ValueTask DisposeAsync() => _kb.DisposeAsync();

    private KnowledgePlugin Plugin(KnowledgePluginOptions? options = null) => new(new RagRetriever(_kb.Collection, _kb.Embedder), options);

    [Fact]
    public async Task SearchKnowledge_ReturnsRankedPassagesWithCitations()
    {
        var results = await Plugin().SearchKnowledgeAsync("drain the tank before frost", 2, Token);

        Assert.Equal([1, 2], results.Select(r => r.Rank));
        Assert.Equal("winter.md, Winter > Storage", results[0].Citation);
        Assert.Contains("Drain the tank", results[0].Text, StringComparison.Ordinal);
        Assert.True(results[0].Score >= results[1].Score);
    }

    [Fact]
    public async Task SearchKnowledge_TopIsClampedToMaxTop()
    {
        var results = await Plugin(new KnowledgePluginOptions { MaxTop = 2 }).SearchKnowledgeAsync("cartridge", 50, Token);

        Assert.Equal(2, results.Count);
    }

    [Fact]
    public void AsAIFunction_IsNamedAndDescribedWithAQuerySchema()
    {
        var function = Plugin().AsAIFunction();

        Assert.Equal("search_knowledge", function.Name);
        Assert.Contains("knowledge base", function.Description, StringComparison.Ordinal);
        var properties = function.JsonSchema.GetProperty("properties");
        Assert.Equal("string", properties.GetProperty("query").GetProperty("type").GetString());
        Assert.Equal("integer", properties.GetProperty("top").GetProperty("type").GetString());
        Assert.False(properties.TryGetProperty("cancellationToken", out _));
        Assert.Equal(["query"], function.JsonSchema.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task AsAIFunction_InvokedLikeAModelWould_ReturnsJsonResults()
    {
        var function = Plugin().AsAIFunction();

        var result = await function.InvokeAsync(new AIFunctionArguments { ["query"] = "zeolite cartridge", ["top"] = 1 }, Token);

        var json = Assert.IsType<JsonElement>(result);
        var first = Assert.Single(json.EnumerateArray());
        Assert.Equal("filters.md, Filters > Cartridge", first.GetProperty("citation").GetString());
        Assert.Equal(1, first.GetProperty("rank").GetInt32());
    }
}
