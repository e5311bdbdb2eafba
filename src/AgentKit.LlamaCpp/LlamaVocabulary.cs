using System.Text;
using AgentKit.LlamaCpp.Native;

namespace AgentKit.LlamaCpp;

/// <summary>A model's vocabulary: tokenization, detokenization and special tokens. Thread-safe.</summary>
public sealed class LlamaVocabulary
{
    private readonly LlamaModel _model;
    private readonly nint _vocab;

    internal LlamaVocabulary(LlamaModel model, nint vocab)
    {
        _model = model;
        _vocab = vocab;
        Count = NativeMethods.llama_vocab_n_tokens(vocab);
    }

    /// <summary>Number of tokens in the vocabulary.</summary>
    public int Count { get; }

    /// <summary>Beginning-of-sequence token.</summary>
    public LlamaToken Bos => new(NativeMethods.llama_vocab_bos(Pointer));

    /// <summary>End-of-sequence token.</summary>
    public LlamaToken Eos => new(NativeMethods.llama_vocab_eos(Pointer));

    /// <summary>End-of-turn token.</summary>
    public LlamaToken Eot => new(NativeMethods.llama_vocab_eot(Pointer));

    /// <summary>Separator token.</summary>
    public LlamaToken Separator => new(NativeMethods.llama_vocab_sep(Pointer));

    /// <summary>Newline token.</summary>
    public LlamaToken Newline => new(NativeMethods.llama_vocab_nl(Pointer));

    /// <summary>Padding token.</summary>
    public LlamaToken Padding => new(NativeMethods.llama_vocab_pad(Pointer));

    /// <summary>Whether tokenization adds a beginning-of-sequence token by default.</summary>
    public bool AddsBos => NativeMethods.llama_vocab_get_add_bos(Pointer);

    internal nint Pointer
    {
        get
        {
            _ = _model.NativePointer; // throws once the model is disposed
            return _vocab;
        }
    }

    /// <summary>Whether a token ends generation (end of sequence, end of turn, ...).</summary>
    public bool IsEndOfGeneration(LlamaToken token) => NativeMethods.llama_vocab_is_eog(Pointer, token.Value);

    /// <summary>Whether a token is a control token (rendered only when special tokens are shown).</summary>
    public bool IsControl(LlamaToken token) => NativeMethods.llama_vocab_is_control(Pointer, token.Value);

    /// <summary>Tokenizes text.</summary>
    /// <param name="text">The text.</param>
    /// <param name="addSpecial">Add the model's beginning/end tokens as the vocabulary prescribes.</param>
    /// <param name="parseSpecial">Recognise special-token text such as <c>&lt;|im_start|&gt;</c> as those tokens (true for chat-template output; false for untrusted text).</param>
    /// <returns>The tokens.</returns>
    public unsafe LlamaToken[] Tokenize(string text, bool addSpecial = true, bool parseSpecial = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        var bytes = Encoding.UTF8.GetBytes(text);
        var capacity = bytes.Length + 8;
        while (true)
        {
            var tokens = new LlamaToken[capacity];
            int count;
            fixed (byte* b = bytes)
            fixed (LlamaToken* t = tokens)
            {
                count = NativeMethods.llama_tokenize(Pointer, b, bytes.Length, (int*)t, capacity, addSpecial, parseSpecial);
            }

            if (count == int.MinValue)
            {
                throw new LlamaException($"The text ({bytes.Length} bytes) is too long to tokenize.");
            }

            if (count < 0)
            {
                capacity = -count;
                continue;
            }

            return count == capacity ? tokens : tokens.AsSpan(0, count).ToArray();
        }
    }

    /// <summary>Turns tokens back into text.</summary>
    /// <param name="tokens">The tokens.</param>
    /// <param name="removeSpecial">Drop the beginning/end tokens the vocabulary adds.</param>
    /// <param name="unparseSpecial">Render special tokens as their text (e.g. <c>&lt;|im_end|&gt;</c>).</param>
    /// <returns>The text.</returns>
    public unsafe string Detokenize(ReadOnlySpan<LlamaToken> tokens, bool removeSpecial = false, bool unparseSpecial = false)
    {
        var capacity = Math.Max(16, tokens.Length * 8);
        while (true)
        {
            var buffer = new byte[capacity];
            int length;
            fixed (LlamaToken* t = tokens)
            fixed (byte* b = buffer)
            {
                length = NativeMethods.llama_detokenize(Pointer, (int*)t, tokens.Length, b, capacity, removeSpecial, unparseSpecial);
            }

            if (length < 0)
            {
                capacity = -length;
                continue;
            }

            return Encoding.UTF8.GetString(buffer, 0, length);
        }
    }

    /// <summary>The raw bytes of one token's text (may be part of a multi-byte character).</summary>
    /// <param name="token">The token.</param>
    /// <param name="special">Render control tokens as their text.</param>
    /// <returns>The bytes.</returns>
    public byte[] TokenToBytes(LlamaToken token, bool special = false)
    {
        Span<byte> buffer = stackalloc byte[128];
        var length = TokenToBytes(token, buffer, special);
        if (length >= 0)
        {
            return buffer[..length].ToArray();
        }

        var large = new byte[-length];
        TokenToBytes(token, large, special);
        return large;
    }

    /// <summary>Writes a token's bytes into <paramref name="destination"/>; returns the length, or minus the needed length.</summary>
    internal unsafe int TokenToBytes(LlamaToken token, Span<byte> destination, bool special)
    {
        fixed (byte* b = destination)
        {
            return NativeMethods.llama_token_to_piece(Pointer, token.Value, b, destination.Length, 0, special);
        }
    }

    /// <summary>The vocabulary entry's text for a token (as stored, e.g. with byte-level BPE markers).</summary>
    public unsafe string GetTokenText(LlamaToken token)
    {
        if ((uint)token.Value >= (uint)Count)
        {
            throw new ArgumentOutOfRangeException(nameof(token), token.Value, $"Token ids run from 0 to {Count - 1}.");
        }

        return NativeMethods.PtrToString(NativeMethods.llama_vocab_get_text(Pointer, token.Value)) ?? "";
    }
}
