using AgentKit.Rag.Readers;

namespace AgentKit.Hostile.Tests.Text;

/// <summary>
/// Invalid UTF-8 in text, Markdown and HTML files (corpus/text): a file that is not valid UTF-8 is decoded as
/// Windows-1252-compatible Latin-1, so no byte is dropped and the readable text survives; binary data (NUL bytes) is
/// a <see cref="DocumentReadException"/> naming the file. Nothing else escapes.
/// </summary>
public sealed class InvalidUtf8Tests
{
    private static readonly DocumentReaderRegistry Readers = DocumentReaderRegistry.CreateDefault();

    private static string Corpus(string name) => Path.Combine(AppContext.BaseDirectory, "corpus", "text", name);

    [Theory]
    [InlineData("latin1.txt", "Café crème costs 4 euros.")]
    [InlineData("truncated-sequence.md", "Items are refunded within thirty days.")]
    [InlineData("overlong-and-surrogate.html", "Parcels ship daily.")]
    [InlineData("bom-then-invalid.txt", "byte in UTF-8.")]
    public async Task InvalidUtf8_IsDecodedWithoutLosingTheReadableText(string file, string expected)
    {
        var path = Corpus(file);
        Assert.True(Readers.TryGetReader(path, out var reader));
        var bytes = File.ReadAllBytes(path);
        Rag.Documents.RagDocument? document = null;

        var error = await Bounded.CatchAsync(() => document = reader.Read(path, bytes, TestContext.Current.CancellationToken), file);

        Assert.Null(error);
        var text = string.Join("\n", document!.Sections.Select(s => s.Text));
        Assert.Contains(expected, text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nul-byte.txt")]
    public async Task BinaryData_IsCorrupt_NamingTheFile(string file)
    {
        var path = Corpus(file);
        Assert.True(Readers.TryGetReader(path, out var reader));

        var error = await Bounded.ThrowsAsync<DocumentReadException>(() => reader.Read(path, File.ReadAllBytes(path), TestContext.Current.CancellationToken), file);

        Assert.Equal(DocumentReadFailure.Corrupt, error.Failure);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("NUL", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Every byte value 0x80-0xFF dropped into UTF-8 text decodes or fails typed, in each text reader.</summary>
    [Fact]
    public async Task EveryInvalidByte_InEachTextReader_DecodesOrIsCorrupt()
    {
        var extensions = new[] { ".txt", ".md", ".html" };
        for (var b = 0x80; b <= 0xFF; b++)
        {
            var bytes = "<p>Before é "u8.ToArray().Append((byte)b).Concat(" after</p>"u8.ToArray()).ToArray();
            foreach (var extension in extensions)
            {
                var path = $"/hostile/byte-{b:x2}{extension}";
                Assert.True(Readers.TryGetReader(path, out var reader));
                var error = await Bounded.CatchAsync(() => reader.Read(path, bytes, TestContext.Current.CancellationToken), path);
                Assert.True(error is null or DocumentReadException, $"{path}: {error}");
            }
        }
    }
}
