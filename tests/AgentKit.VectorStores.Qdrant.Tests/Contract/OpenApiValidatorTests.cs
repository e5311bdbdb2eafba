using System.Text;
using System.Text.Json.Nodes;

namespace AgentKit.VectorStores.Qdrant.Tests.Contract;

/// <summary>The validator itself must reject what Qdrant rejects, or the contract tests prove nothing.</summary>
public sealed class OpenApiValidatorTests
{
    private static List<string> Request(OpenApiValidator spec, string method, string path, string body, string query = "") =>
        spec.ValidateRequest(method, path, query, Encoding.UTF8.GetBytes(body));

    [Fact]
    public void PointRequest_WithVectorsPlural_IsRejectedAsUnknownProperty()
    {
        var errors = Request(QdrantContractServer.V119, "POST", "/collections/c/points", """{"ids":[1],"with_vectors":true}""");
        Assert.Contains(errors, e => e.Contains("unknown property 'with_vectors'", StringComparison.Ordinal));
        Assert.Empty(Request(QdrantContractServer.V119, "POST", "/collections/c/points", """{"ids":[1],"with_vector":true,"with_payload":true}"""));
    }

    [Fact]
    public void Distance_IsCaseSensitiveEnum()
    {
        Assert.NotEmpty(Request(QdrantContractServer.V119, "PUT", "/collections/c", """{"vectors":{"size":3,"distance":"cosine"}}"""));
        Assert.Empty(Request(QdrantContractServer.V119, "PUT", "/collections/c", """{"vectors":{"size":3,"distance":"Cosine"}}"""));
        Assert.Empty(Request(QdrantContractServer.V110, "PUT", "/collections/c", """{"vectors":{"a":{"size":3,"distance":"Dot"}},"sparse_vectors":{"s":{"modifier":"idf"}}}"""));
    }

    [Fact]
    public void Formats_AreChecked()
    {
        var spec = QdrantContractServer.V119;
        Assert.NotEmpty(Request(spec, "POST", "/collections/c/points", """{"ids":[-1]}"""));
        Assert.NotEmpty(Request(spec, "POST", "/collections/c/points", """{"ids":["not-a-uuid"]}"""));
        Assert.NotEmpty(Request(spec, "POST", "/collections/c/points", """{"ids":[1.5]}"""));
        Assert.Empty(Request(spec, "POST", "/collections/c/points", """{"ids":[18446744073709551615,"550e8400-e29b-41d4-a716-446655440000"]}"""));
        Assert.NotEmpty(Request(spec, "POST", "/collections/c/points/scroll", """{"filter":{"must":[{"key":"d","range":{"gt":"yesterday"}}]}}"""));
        Assert.Empty(Request(spec, "POST", "/collections/c/points/scroll", """{"filter":{"must":[{"key":"d","range":{"gt":"2024-01-02T03:04:05.5Z"}}]}}"""));
    }

    [Fact]
    public void Filter_UnknownKeysAndNullability()
    {
        var spec = QdrantContractServer.V119;
        Assert.NotEmpty(Request(spec, "POST", "/collections/c/points/scroll", """{"filter":{"and":[]}}"""));
        Assert.Empty(Request(spec, "POST", "/collections/c/points/scroll", """{"filter":null,"limit":null,"offset":null}"""));
        Assert.NotEmpty(Request(spec, "POST", "/collections/c/points/scroll", """{"limit":0}"""));
        Assert.NotEmpty(Request(spec, "POST", "/collections/c/points/scroll", """{"filter":{"must":[{"key":"a","match":{"value":1.5}}]}}"""));
    }

    [Fact]
    public void QueryParameters_AreChecked()
    {
        var spec = QdrantContractServer.V119;
        Assert.NotEmpty(Request(spec, "PUT", "/collections/c/points", """{"points":[]}""", "wait=yes"));
        Assert.NotEmpty(Request(spec, "PUT", "/collections/c/points", """{"points":[]}""", "wiat=true"));
        Assert.Empty(Request(spec, "PUT", "/collections/c/points", """{"points":[]}""", "wait=true"));
    }

    [Fact]
    public void V110_LacksNewerFeatures()
    {
        // Introduced after 1.10: the 'uuid' payload index and query MMR; the minimum-version check must catch them.
        Assert.NotEmpty(Request(QdrantContractServer.V110, "PUT", "/collections/c/index", """{"field_name":"f","field_schema":"uuid"}"""));
        Assert.Empty(Request(QdrantContractServer.V119, "PUT", "/collections/c/index", """{"field_name":"f","field_schema":"uuid"}"""));
        Assert.NotEmpty(Request(QdrantContractServer.V110, "POST", "/collections/c/points/query", """{"query":{"nearest":[1,2],"mmr":{"diversity":0.5}}}"""));
    }

    [Fact]
    public void Responses_AreValidatedAgainstTheirStatus()
    {
        var spec = QdrantContractServer.V119;
        Assert.Empty(spec.ValidateResponse("GET", "/collections/c/exists", 200, QdrantReply.Ok(new JsonObject { ["exists"] = true }).Json));
        Assert.NotEmpty(spec.ValidateResponse("GET", "/collections/c/exists", 200, QdrantReply.Ok(new JsonObject { ["exist"] = true }).Json));
        Assert.Empty(spec.ValidateResponse("POST", "/collections/c/points/query", 400, QdrantReply.Error(400, "bad").Json));
        Assert.NotEmpty(spec.ValidateResponse("PUT", "/collections/c/points", 200, QdrantReply.Ok(new JsonObject { ["status"] = "done" }).Json));
    }
}
