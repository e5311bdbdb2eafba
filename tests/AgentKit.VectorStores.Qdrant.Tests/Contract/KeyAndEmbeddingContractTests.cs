using System.Text.Json.Nodes;
using AgentKit.VectorStores.Conformance;
using Microsoft.Extensions.VectorData;

namespace AgentKit.VectorStores.Qdrant.Tests.Contract;

/// <summary>What the shared conformance suite checks live, checked here at the wire: null keys, the store-level embedding generator.</summary>
public sealed class KeyAndEmbeddingContractTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GetAndDelete_NullKey_ThrowArgumentNullException_WithoutARequest()
    {
        await using var server = new QdrantContractServer();
        using var store = server.CreateStore();
        var notes = store.GetDynamicCollection("notes", new VectorStoreCollectionDefinition
        {
            Properties = [new VectorStoreKeyProperty("Id", typeof(Guid)), new VectorStoreVectorProperty("Vector", typeof(float[]), 3)],
        });

        await Assert.ThrowsAsync<ArgumentNullException>(() => notes.GetAsync((object)null!, cancellationToken: Ct));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await notes.GetAsync([Guid.NewGuid(), null!], cancellationToken: Ct).ToListAsync(Ct));
        await Assert.ThrowsAsync<ArgumentNullException>(() => notes.DeleteAsync((object)null!, Ct));
        await Assert.ThrowsAsync<ArgumentNullException>(() => notes.DeleteAsync([Guid.NewGuid(), null!], Ct));

        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task StoreEmbeddingGenerator_EmbedsUpsertedTextAndSearchInput()
    {
        await using var server = new QdrantContractServer();
        server.On("PUT", "/collections/texts/points", QdrantReply.Updated());
        server.On("POST", "/collections/texts/points/query", QdrantReply.Ok(new JsonObject { ["points"] = new JsonArray() }));
        var generator = new LetterCountEmbeddingGenerator();
        using var store = server.CreateStore(o => o.EmbeddingGenerator = generator);
        var texts = store.GetCollection<Guid, TextRecord>("texts");

        await texts.UpsertAsync(new TextRecord { Id = Guid.NewGuid(), Text = "t", Embedding = "aab" }, Ct);
        await texts.SearchAsync("ccc", 1, cancellationToken: Ct).ToListAsync(Ct);

        var point = QdrantContractServer.Body(server.RequestsTo("PUT", "/collections/texts/points").Single())["points"]![0]!;
        Assert.Equal("[2.01,1.01,0.01,0.01]", point["vector"]!.ToJsonString());
        Assert.Equal("[0.01,0.01,3.01,0.01]", QdrantContractServer.Body(server.RequestsTo("POST", "/collections/texts/points/query").Single())["query"]!.ToJsonString());
        Assert.Equal(["aab", "ccc"], generator.Texts);
        server.AssertNoViolations();
    }
}
