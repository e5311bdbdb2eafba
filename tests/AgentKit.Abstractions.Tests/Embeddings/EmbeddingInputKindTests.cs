using AgentKit.Abstractions.Embeddings;
using Microsoft.Extensions.AI;

namespace AgentKit.Abstractions.Tests.Embeddings;

public sealed class EmbeddingInputKindTests
{
    [Fact]
    public void ForQueries_MarksACopy_AndLeavesTheCallersOptionsAlone()
    {
        var original = new EmbeddingGenerationOptions { Dimensions = 256, AdditionalProperties = new() { ["user"] = "u1" } };

        var query = EmbeddingInputKind.ForQueries(original);

        Assert.True(EmbeddingInputKind.IsQuery(query));
        Assert.Equal(256, query.Dimensions);
        Assert.Equal("u1", query.AdditionalProperties!["user"]);
        Assert.False(EmbeddingInputKind.IsQuery(original));
        Assert.False(original.AdditionalProperties.ContainsKey(EmbeddingInputKind.PropertyName));
    }

    [Fact]
    public void IsQuery_IsFalseForDocumentsAndUnmarkedOptions()
    {
        Assert.False(EmbeddingInputKind.IsQuery(null));
        Assert.False(EmbeddingInputKind.IsQuery(new EmbeddingGenerationOptions()));
        Assert.False(EmbeddingInputKind.IsQuery(new EmbeddingGenerationOptions { AdditionalProperties = new() { [EmbeddingInputKind.PropertyName] = EmbeddingInputKind.Document } }));
        Assert.False(EmbeddingInputKind.IsQuery(new EmbeddingGenerationOptions { AdditionalProperties = new() { [EmbeddingInputKind.PropertyName] = 1 } }));
        Assert.True(EmbeddingInputKind.IsQuery(new EmbeddingGenerationOptions { AdditionalProperties = new() { [EmbeddingInputKind.PropertyName] = "QUERY" } }));
    }
}
