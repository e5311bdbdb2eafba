using System.Text;

namespace AgentKit.Rag.Readers;

/// <summary>Decodes the bytes of text formats: a BOM wins, then strict UTF-8, then Windows-1252-compatible Latin-1.</summary>
internal static class TextDecoding
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Decodes <paramref name="content"/>, refusing binary data (NUL bytes) and normalising line ends to <c>\n</c>; form
    /// feeds are line ends too unless <paramref name="keepFormFeeds"/> (paged plain text).
    /// </summary>
    /// <exception cref="DocumentReadException">The bytes hold NUL characters: the file is binary, not text.</exception>
    public static string Decode(string sourcePath, ReadOnlySpan<byte> content, bool keepFormFeeds = false)
    {
        string text;
        if (content.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            text = Encoding.UTF8.GetString(content[3..]);
        }
        else if (content.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            text = Encoding.Unicode.GetString(content[2..]);
        }
        else if (content.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            text = Encoding.BigEndianUnicode.GetString(content[2..]);
        }
        else
        {
            try
            {
                text = StrictUtf8.GetString(content);
            }
            catch (DecoderFallbackException)
            {
                text = Encoding.Latin1.GetString(content);
            }
        }

        if (text.Contains('\0', StringComparison.Ordinal))
        {
            throw new DocumentReadException(sourcePath, DocumentReadFailure.Corrupt, $"'{sourcePath}' holds binary data (NUL bytes), not text.");
        }

        return keepFormFeeds
            ? string.Join('\f', text.Split('\f').Select(page => page.ReplaceLineEndings("\n")))
            : text.ReplaceLineEndings("\n");
    }
}
