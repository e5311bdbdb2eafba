using AgentKit.Graph.Extraction;
using AgentKit.Graph.Tests.Support;
using AgentKit.Testing;

namespace AgentKit.Graph.Tests;

public sealed class ExtractionTests
{
    [Fact]
    public async Task Extract_SendsTheTextAndTheSchema_AndReadsTheAnswer()
    {
        var model = new ScriptedChatClient(ScriptedExtractionModel.Json([new OracleFact("Alice Moreau", "person", "founded", "Zentrix", "organization")]));
        var extractor = new GraphExtractor(model, Shared.Registry);

        var graph = await extractor.ExtractAsync("c-1", "Alice Moreau founded Zentrix.", TestContext.Current.CancellationToken);

        Assert.Equal(["alice moreau", "zentrix"], graph.Entities.Select(e => e.NormalizedName));
        Assert.Equal(("alice moreau", "founded", "zentrix"), (graph.Relations[0].Source, graph.Relations[0].Relation, graph.Relations[0].Target));
        var call = Assert.Single(model.Calls);
        Assert.Equal("Alice Moreau founded Zentrix.", ScriptedExtractionModel.TextOf(call.Messages));
        Assert.Equal("graph_extract", (call.Options?.ResponseFormat as Microsoft.Extensions.AI.ChatResponseFormatJson)?.SchemaName);
    }

    [Fact]
    public void Validate_DropsUnknownEndpoints_SelfRelations_Duplicates_AndExtraItems_WithReasons()
    {
        var extractor = new GraphExtractor(new ScriptedChatClient(), Shared.Registry, new GraphExtractionOptions { MaxEntities = 3, MaxRelations = 1 });
        var answer = new ExtractionAnswer(
            [
                new("Alice", "Person", "a"), new("the Alice", "person", "dup"), new("!!!", "x", ""), new("Zentrix", "org", "z"),
                new("Lisbon", "place", "l"), new("Porto", "place", "p"),
            ],
            [
                new("Alice", "founded", "Zentrix", "f"), new("Alice", "knows", "Nobody", "n"), new("Alice", "is", "alice", "s"),
                new("Zentrix", "based in", "Lisbon", "b"),
            ]);

        var graph = extractor.Validate(answer);

        Assert.Equal(["alice", "zentrix", "lisbon"], graph.Entities.Select(e => e.NormalizedName));
        Assert.Equal("person", graph.Entities[0].Type);
        Assert.Equal("founded", Assert.Single(graph.Relations).Relation);
        Assert.Contains(graph.Dropped, r => r.Contains("'Nobody'", StringComparison.Ordinal) && r.Contains("not among the entities", StringComparison.Ordinal));
        Assert.Contains(graph.Dropped, r => r.Contains("itself", StringComparison.Ordinal));
        Assert.Contains(graph.Dropped, r => r.Contains("listed twice", StringComparison.Ordinal));
        Assert.Contains(graph.Dropped, r => r.Contains("no letters", StringComparison.Ordinal));
        Assert.Contains(graph.Dropped, r => r.Contains("'Porto'", StringComparison.Ordinal) && r.Contains("MaxEntities", StringComparison.Ordinal));
        Assert.Contains(graph.Dropped, r => r.Contains("MaxRelations", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Extract_TextLongerThanTheBound_ThrowsATypedError_WithoutCallingTheModel()
    {
        var model = new ScriptedChatClient();
        var extractor = new GraphExtractor(model, Shared.Registry, new GraphExtractionOptions { MaxTextLength = 10 });

        var error = await Assert.ThrowsAsync<GraphLimitExceededException>(() => extractor.ExtractAsync("c-9", new string('x', 11), TestContext.Current.CancellationToken));

        Assert.Equal(nameof(GraphExtractionOptions.MaxTextLength), error.Limit);
        Assert.Contains("'c-9'", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, model.CallCount);
    }

    [Theory]
    [InlineData("The  ACME-Corp.", "acme corp")]
    [InlineData("Ｚｅｎｔｒｉｘ", "zentrix")]
    [InlineData("the", "the")]
    [InlineData("--", "")]
    public void Normalize_FoldsCaseWidthPunctuationAndALeadingArticle(string name, string expected) =>
        Assert.Equal(expected, EntityNames.Normalize(name));
}
