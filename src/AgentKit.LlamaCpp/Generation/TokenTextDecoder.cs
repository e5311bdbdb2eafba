using System.Text;

namespace AgentKit.LlamaCpp.Generation;

/// <summary>Turns generated tokens into text, carrying multi-byte UTF-8 characters split across tokens.</summary>
internal sealed class TokenTextDecoder(LlamaVocabulary vocabulary, bool renderSpecial)
{
    private readonly Decoder _decoder = new UTF8Encoding(false, false).GetDecoder();
    private readonly byte[] _bytes = new byte[256];
    private readonly char[] _chars = new char[512];

    public string Append(LlamaToken token)
    {
        var length = vocabulary.TokenToBytes(token, _bytes, renderSpecial);
        var bytes = _bytes;
        if (length < 0)
        {
            bytes = vocabulary.TokenToBytes(token, renderSpecial);
            length = bytes.Length;
        }

        var chars = _decoder.GetCharCount(bytes, 0, length, flush: false);
        var buffer = chars <= _chars.Length ? _chars : new char[chars];
        var written = _decoder.GetChars(bytes, 0, length, buffer, 0, flush: false);
        return written == 0 ? "" : new string(buffer, 0, written);
    }

    public string Flush()
    {
        var written = _decoder.GetChars([], 0, 0, _chars, 0, flush: true);
        return written == 0 ? "" : new string(_chars, 0, written);
    }
}
