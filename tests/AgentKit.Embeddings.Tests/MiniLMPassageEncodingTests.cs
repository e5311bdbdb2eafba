using AgentKit.Abstractions.Embeddings;
using AgentKit.Embeddings.MiniLM;
using Microsoft.Extensions.AI;

namespace AgentKit.Embeddings.Tests;

public sealed class MiniLMPassageEncodingTests(MiniLMFixture fixture) : IClassFixture<MiniLMFixture>
{
    private static readonly string[] Passages =
    [
        "The warranty covers manufacturing defects for two years from the date of purchase.",
        "To reset your password, open Settings, choose Security and press Reset password.",
        "Shipping takes three to five business days within the country.",
        "The backup daemon listens on TCP port 8700; change it with the --port option.",
        "Der Router wird durch zehn Sekunden langes Drücken der Taste zurückgesetzt.",
        "for (var i = 0; i < items.Count; i++) { total += items[i].Price; }",
    ];

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private IPassageEncodingScorer Encoder => (IPassageEncodingScorer)fixture.Generator.GetService<IRelevanceScorer>()!;

    [Fact]
    public async Task Encode_GivesTheGeneratorsOwnEmbedding_AndACodeOf96BytesPerWordPiece()
    {
        var encoded = await Encoder.EncodeAsync(Passages, Token);
        var embedded = await fixture.Generator.GenerateAsync(Passages, cancellationToken: Token);

        Assert.Equal(Passages.Length, encoded.Count);
        for (var i = 0; i < Passages.Length; i++)
        {
            Assert.Equal(embedded[i].Vector.ToArray(), encoded[i].Embedding.Vector.ToArray());
            Assert.Equal(MiniLMEmbeddingGenerator.DefaultModelId, encoded[i].Embedding.ModelId);
            var bytes = encoded[i].Code;
            var pieces = fixture.Generator.GetService<AgentKit.Abstractions.Text.ITokenCounter>()!.CountTokens(Passages[i]);
            Assert.Equal(1 + (pieces * 96), bytes.Length);
        }

        Assert.Equal("all-MiniLM-L6-v2/maxsim-2bit", Encoder.EncodingId);
    }

    [Fact]
    public async Task ScoreEncoded_AgreesWithScoringTheTexts()
    {
        const string query = "How do I reset my password?";
        var encoded = await Encoder.EncodeAsync(Passages, Token);

        var fromCodes = await Encoder.ScoreEncodedAsync(query, [.. encoded.Select(e => e.Code)], Token);
        var fromTexts = await Encoder.ScoreAsync(query, Passages, Token);

        Assert.Equal(Passages.Length, fromCodes.Count);
        for (var i = 0; i < Passages.Length; i++)
        {
            // Two bits per dimension: the scores move a little, the order of clearly different passages does not.
            Assert.InRange(fromCodes[i] - fromTexts[i], -0.05, 0.05);
        }

        Assert.Equal(1, IndexOfMax(fromCodes));
        Assert.Equal(IndexOfMax(fromTexts), IndexOfMax(fromCodes));
    }

    [Fact]
    public async Task ScoreEncoded_NoCodes_IsEmpty() =>
        Assert.Empty(await Encoder.ScoreEncodedAsync("anything", [], Token));

    [Fact]
    public async Task ScoreEncoded_ACodeOfAnotherFormat_IsAFormatErrorNamingIt()
    {
        var good = (await Encoder.EncodeAsync(["a passage"], Token))[0].Code;
        var bytes = good.ToArray();

        var empty = await Assert.ThrowsAsync<FormatException>(() => Encoder.ScoreEncodedAsync("q", [good, []], Token));
        Assert.Contains("Passage code 1", empty.Message);
        Assert.Contains("format byte missing", empty.Message);

        bytes[0] = 7;
        var otherFormat = await Assert.ThrowsAsync<FormatException>(() => Encoder.ScoreEncodedAsync("q", [bytes], Token));
        Assert.Contains("Passage code 0", otherFormat.Message);
        Assert.Contains("format byte 7", otherFormat.Message);

        var cut = await Assert.ThrowsAsync<FormatException>(() => Encoder.ScoreEncodedAsync("q", [good[..50]], Token));
        Assert.Contains("50 bytes", cut.Message);

        var nullCode = await Assert.ThrowsAsync<ArgumentException>(() => Encoder.ScoreEncodedAsync("q", [null!], Token));
        Assert.Contains("Passage code 0 is null", nullCode.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => Encoder.ScoreEncodedAsync(" ", [good], Token));
    }

    [Fact]
    public async Task Encode_BadInput_IsATypedError()
    {
        var nullPassage = await Assert.ThrowsAsync<ArgumentException>(() => Encoder.EncodeAsync(["a", null!], Token));
        Assert.Contains("input 1 is null", nullPassage.Message);

        using var strict = new MiniLMEmbeddingGenerator(new MiniLMEmbeddingGeneratorOptions { TruncateLongInputs = false });
        var tooLong = string.Join(' ', Enumerable.Repeat("filler", 600));
        await Assert.ThrowsAsync<EmbeddingInputTooLongException>(() => ((IPassageEncodingScorer)strict.GetService<IRelevanceScorer>()!).EncodeAsync([tooLong], Token));
    }

    [Fact]
    public async Task EncodeAndScoreEncoded_Cancelled_Throw()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var code = (await Encoder.EncodeAsync(["a passage"], Token))[0].Code;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Encoder.EncodeAsync(["a passage"], cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Encoder.ScoreEncodedAsync("q", [code], cancelled.Token));
    }

    private static int IndexOfMax(IReadOnlyList<double> values) =>
        values.Select((v, i) => (v, i)).MaxBy(x => x.v).i;
}
