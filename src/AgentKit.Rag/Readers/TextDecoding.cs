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

    /// <summary>8-bit text in Windows-1252 (bytes it does not map read as Latin-1's C1 controls).</summary>
    public static string Windows1252(ReadOnlySpan<byte> bytes)
    {
        var chars = new char[bytes.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            chars[i] = bytes[i] is >= 0x80 and <= 0x9F ? Cp1252High[bytes[i] - 0x80] : (char)bytes[i];
        }

        return new string(chars);
    }

    /// <summary>Windows-1252's characters for 0x80–0x9F (unmapped bytes as C1 controls, as Latin-1 has them).</summary>
    private static readonly char[] Cp1252High =
        "\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u008D\u017D\u008F\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u009D\u017E\u0178".ToCharArray();
}
