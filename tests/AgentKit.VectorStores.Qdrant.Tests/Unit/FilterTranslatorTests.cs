using System.Linq.Expressions;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentKit.VectorStores.Qdrant.Filters;
using AgentKit.VectorStores.Qdrant.Mapping;
using AgentKit.VectorStores.Qdrant.Tests.Contract;
using AgentKit.VectorStores.Qdrant.Wire;

namespace AgentKit.VectorStores.Qdrant.Tests.Unit;

public sealed class FilterTranslatorTests
{
    private static readonly QdrantCollectionLayout Layout =
        QdrantCollectionLayout.Create(typeof(Hotel), typeof(ulong), null, null, new QdrantVectorStoreOptions { Endpoint = new Uri("http://localhost") });

    private static string Translate(Expression<Func<Hotel, bool>> filter)
    {
        var json = JsonSerializer.SerializeToNode(new FilterSelector { Filter = new QdrantFilterTranslator().Translate(filter, Layout.Model) }, QdrantJsonContext.Default.FilterSelector)!;
        foreach (var spec in new[] { QdrantContractServer.V119, QdrantContractServer.V110 })
        {
            var errors = spec.Validate(json, spec.Component("FilterSelector"), "$");
            Assert.True(errors.Count == 0, string.Join("\n", errors));
        }

        return json["filter"]!.ToJsonString();
    }

    [Fact]
    public void Equality_OnEachType()
    {
        var name = "Sea";
        Assert.Equal("""{"must":[{"key":"Name","match":{"value":"Sea"}}]}""", Translate(h => h.Name == name));
        Assert.Equal("""{"must":[{"key":"Rating","match":{"value":5}}]}""", Translate(h => 5 == h.Rating));
        Assert.Equal("""{"must":[{"key":"Open","match":{"value":true}}]}""", Translate(h => h.Open));
        Assert.Equal("""{"must":[{"key":"Price","range":{"gte":9.5,"lte":9.5}}]}""", Translate(h => h.Price == 9.5));
        Assert.Equal("""{"must":[{"key":"city_code","match":{"value":"OSL"}}]}""", Translate(h => h.City == "OSL"));
        Assert.Equal("""{"must":[{"is_null":{"key":"city_code"}}]}""", Translate(h => h.City == null));
        Assert.Equal("""{"must":[{"has_id":[42]}]}""", Translate(h => h.Id == 42));
        Assert.Equal(
            """{"must":[{"key":"Opened","range":{"gte":"2024-01-02T03:04:05Z","lte":"2024-01-02T03:04:05Z"}}]}""",
            Translate(h => h.Opened == new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero)));
    }

    [Fact]
    public void Comparisons_BecomeRanges_WithOperandsEitherSide()
    {
        Assert.Equal("""{"must":[{"key":"Rating","range":{"gt":3}}]}""", Translate(h => h.Rating > 3));
        Assert.Equal("""{"must":[{"key":"Rating","range":{"lte":3}}]}""", Translate(h => 3 >= h.Rating));
        Assert.Equal("""{"must":[{"key":"Price","range":{"lt":100.5}}]}""", Translate(h => h.Price < 100.5));
        Assert.Equal(
            """{"must":[{"key":"Opened","range":{"gte":"2024-01-01T22:00:00Z"}}]}""",
            Translate(h => h.Opened >= new DateTimeOffset(2024, 1, 2, 0, 0, 0, TimeSpan.FromHours(2))));
    }

    [Fact]
    public void Logic_AndOrNot_Nest()
    {
        Assert.Equal(
            """{"must":[{"key":"Open","match":{"value":true}},{"key":"Rating","range":{"gte":4}}],"must_not":[{"key":"Name","match":{"value":"x"}}]}""",
            Translate(h => h.Open && h.Rating >= 4 && h.Name != "x"));
        Assert.Equal(
            """{"should":[{"key":"Rating","match":{"value":1}},{"key":"Rating","match":{"value":2}},{"key":"Rating","match":{"value":3}}]}""",
            Translate(h => h.Rating == 1 || h.Rating == 2 || h.Rating == 3));
        Assert.Equal(
            """{"must":[{"key":"Open","match":{"value":true}},{"should":[{"key":"Name","match":{"value":"a"}},{"key":"Name","match":{"value":"b"}}]}]}""",
            Translate(h => h.Open && (h.Name == "a" || h.Name == "b")));
        Assert.Equal(
            """{"must_not":[{"should":[{"key":"Name","match":{"value":"a"}},{"must":[{"key":"Open","match":{"value":true}}],"must_not":[{"key":"Rating","match":{"value":2}}]}]}]}""",
            Translate(h => !(h.Name == "a" || (h.Open && h.Rating != 2))));
        Assert.Equal("""{"must":[{"key":"Open","match":{"value":true}}]}""", Translate(h => !!h.Open));
    }

    [Fact]
    public void Contains_MapsToMatchAnyValueAndText()
    {
        var names = new[] { "a", "b", "a" };
        var ratings = new List<int> { 4, 5 };
        Assert.Equal("""{"must":[{"key":"Name","match":{"any":["a","b"]}}]}""", Translate(h => names.Contains(h.Name)));
        Assert.Equal("""{"must":[{"key":"Rating","match":{"any":[4,5]}}]}""", Translate(h => ratings.Contains(h.Rating)));
        Assert.Equal("""{"must":[{"has_id":[1,2]}]}""", Translate(h => new ulong[] { 1, 2 }.Contains(h.Id)));
        Assert.Equal("""{"must":[{"key":"Tags","match":{"value":"pool"}}]}""", Translate(h => h.Tags.Contains("pool")));
        Assert.Equal("""{"must":[{"key":"Description","match":{"text":"sea view"}}]}""", Translate(h => h.Description.Contains("sea view")));
    }

    [Fact]
    public void Unsupported_NamesTheConstruct()
    {
        Assert.Contains("not full-text indexed", Assert.Throws<NotSupportedException>(() => Translate(h => h.Name.Contains("xy"))).Message, StringComparison.Ordinal);
        Assert.Contains("StartsWith", Assert.Throws<NotSupportedException>(() => Translate(h => h.Name.StartsWith('x'))).Message, StringComparison.Ordinal);
        Assert.Contains("a comparison that does not compare", Assert.Throws<NotSupportedException>(() => Translate(h => string.Compare(h.Name, "m", StringComparison.Ordinal) > 0 || h.Name == "z")).Message, StringComparison.Ordinal);
        Assert.Contains("does not compare a record property", Assert.Throws<NotSupportedException>(() => Translate(h => h.Name == h.Description)).Message, StringComparison.Ordinal);
        Assert.Contains("(h.Rating % 2)", Assert.Throws<NotSupportedException>(() => Translate(h => h.Rating % 2 == 0)).Message, StringComparison.Ordinal);
    }
}
