using System.Linq.Expressions;
using AgentKit.VectorStores.Qdrant.Filters;
using AgentKit.VectorStores.Qdrant.Mapping;
using AgentKit.VectorStores.Qdrant.Tests.Seam;
using Google.Protobuf;

namespace AgentKit.VectorStores.Qdrant.Tests.Unit;

/// <summary>The protobuf filter each LINQ construct becomes, shown in protobuf's JSON form (64-bit integers are strings there).</summary>
public sealed class FilterTranslatorTests
{
    private static readonly QdrantCollectionLayout Layout =
        QdrantCollectionLayout.Create(typeof(Hotel), typeof(ulong), null, null, new QdrantVectorStoreOptions());

    private static string Translate(Expression<Func<Hotel, bool>> filter)
    {
        var translated = new QdrantFilterTranslator().Translate(filter, Layout.Model);
        var problems = QdrantFilterChecks.Problems(translated);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        return JsonFormatter.Default.Format(translated);
    }

    private static string Field(string key, string test) => $$"""{ "field": { "key": "{{key}}", {{test.Trim()}} } }""";

    private static string Must(params string[] conditions) => $$"""{ "must": [ {{string.Join(", ", conditions)}} ] }""";

    [Fact]
    public void Equality_OnEachType()
    {
        var name = "Sea";
        Assert.Equal(Must(Field("Name", """ "match": { "keyword": "Sea" }""")), Translate(h => h.Name == name));
        Assert.Equal(Must(Field("Rating", """ "match": { "integer": "5" }""")), Translate(h => 5 == h.Rating));
        Assert.Equal(Must(Field("Open", """ "match": { "boolean": true }""")), Translate(h => h.Open));
        Assert.Equal(Must(Field("Price", """ "range": { "gte": 9.5, "lte": 9.5 }""")), Translate(h => h.Price == 9.5));
        Assert.Equal(Must(Field("city_code", """ "match": { "keyword": "OSL" }""")), Translate(h => h.City == "OSL"));
        Assert.Equal("""{ "must": [ { "isNull": { "key": "city_code" } } ] }""", Translate(h => h.City == null));
        Assert.Equal("""{ "must": [ { "hasId": { "hasId": [ { "num": "42" } ] } } ] }""", Translate(h => h.Id == 42));
        Assert.Equal(
            Must(Field("Opened", """ "datetimeRange": { "gte": "2024-01-02T03:04:05Z", "lte": "2024-01-02T03:04:05Z" }""")),
            Translate(h => h.Opened == new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero)));
    }

    [Fact]
    public void Comparisons_BecomeRanges_WithOperandsEitherSide()
    {
        Assert.Equal(Must(Field("Rating", """ "range": { "gt": 3 }""")), Translate(h => h.Rating > 3));
        Assert.Equal(Must(Field("Rating", """ "range": { "lte": 3 }""")), Translate(h => 3 >= h.Rating));
        Assert.Equal(Must(Field("Price", """ "range": { "lt": 100.5 }""")), Translate(h => h.Price < 100.5));
        Assert.Equal(
            Must(Field("Opened", """ "datetimeRange": { "gte": "2024-01-01T22:00:00Z" }""")),
            Translate(h => h.Opened >= new DateTimeOffset(2024, 1, 2, 0, 0, 0, TimeSpan.FromHours(2))));
    }

    [Fact]
    public void Logic_AndOrNot_Nest()
    {
        var open = Field("Open", """ "match": { "boolean": true }""");
        Assert.Equal(
            $$"""{ "must": [ {{open}}, {{Field("Rating", """ "range": { "gte": 4 }""")}} ], "mustNot": [ {{Field("Name", """ "match": { "keyword": "x" }""")}} ] }""",
            Translate(h => h.Open && h.Rating >= 4 && h.Name != "x"));
        Assert.Equal(
            $$"""{ "should": [ {{Field("Rating", """ "match": { "integer": "1" }""")}}, {{Field("Rating", """ "match": { "integer": "2" }""")}}, {{Field("Rating", """ "match": { "integer": "3" }""")}} ] }""",
            Translate(h => h.Rating == 1 || h.Rating == 2 || h.Rating == 3));
        Assert.Equal(
            $$"""{ "must": [ {{open}}, { "filter": { "should": [ {{Field("Name", """ "match": { "keyword": "a" }""")}}, {{Field("Name", """ "match": { "keyword": "b" }""")}} ] } } ] }""",
            Translate(h => h.Open && (h.Name == "a" || h.Name == "b")));
        Assert.Equal(Must(open), Translate(h => !!h.Open));
        var negated = Translate(h => !(h.Name == "a" || (h.Open && h.Rating != 2)));
        Assert.StartsWith("""{ "mustNot": [ { "filter": { "should": [ """, negated, StringComparison.Ordinal);
        Assert.Contains($$"""{ "filter": { "must": [ {{open}} ], "mustNot": [ {{Field("Rating", """ "match": { "integer": "2" }""")}} ] } }""", negated, StringComparison.Ordinal);
    }

    [Fact]
    public void Contains_MapsToMatchKeywordsIntegersValueAndText()
    {
        var names = new[] { "a", "b", "a" };
        var ratings = new List<int> { 4, 5 };
        Assert.Equal(Must(Field("Name", """ "match": { "keywords": { "strings": [ "a", "b" ] } }""")), Translate(h => names.Contains(h.Name)));
        Assert.Equal(Must(Field("Rating", """ "match": { "integers": { "integers": [ "4", "5" ] } }""")), Translate(h => ratings.Contains(h.Rating)));
        Assert.Equal("""{ "must": [ { "hasId": { "hasId": [ { "num": "1" }, { "num": "2" } ] } } ] }""", Translate(h => new ulong[] { 1, 2 }.Contains(h.Id)));
        Assert.Equal(Must(Field("Tags", """ "match": { "keyword": "pool" }""")), Translate(h => h.Tags.Contains("pool")));
        Assert.Equal(Must(Field("Description", """ "match": { "text": "sea view" }""")), Translate(h => h.Description.Contains("sea view")));
    }

    [Fact]
    public void Unsupported_NamesTheConstruct()
    {
        Assert.Contains("not full-text indexed", Assert.Throws<NotSupportedException>(() => Translate(h => h.Name.Contains("xy"))).Message, StringComparison.Ordinal);
        Assert.Contains("StartsWith", Assert.Throws<NotSupportedException>(() => Translate(h => h.Name.StartsWith('x'))).Message, StringComparison.Ordinal);
        Assert.Contains("a comparison that does not compare", Assert.Throws<NotSupportedException>(() => Translate(h => string.Compare(h.Name, "m", StringComparison.Ordinal) > 0 || h.Name == "z")).Message, StringComparison.Ordinal);
        Assert.Contains("does not compare a record property", Assert.Throws<NotSupportedException>(() => Translate(h => h.Name == h.Description)).Message, StringComparison.Ordinal);
        Assert.Contains("(h.Rating % 2)", Assert.Throws<NotSupportedException>(() => Translate(h => h.Rating % 2 == 0)).Message, StringComparison.Ordinal);
        Assert.Contains("NaN or infinity", Assert.Throws<NotSupportedException>(() => Translate(h => h.Price < double.PositiveInfinity)).Message, StringComparison.Ordinal);
    }
}
