using System.Buffers.Binary;
using System.Text;

namespace AgentKit.LlamaCpp;

/// <summary>
/// A saved sequence: its tokens and llama.cpp's KV state for them. Restore it into a context of the same model
/// to continue a conversation without decoding its history again; write it to a stream to persist it.
/// </summary>
public sealed class LlamaSequenceState
{
    private static ReadOnlySpan<byte> Magic => "AKSQ"u8;
    private const int FormatVersion = 1;

    internal LlamaSequenceState(string modelFingerprint, LlamaToken[] tokens, byte[] kvData)
    {
        ModelFingerprint = modelFingerprint;
        Tokens = tokens;
        KvData = kvData;
    }

    /// <summary>Identifies the model the state belongs to (architecture, parameter count, vocabulary size, file name).</summary>
    public string ModelFingerprint { get; }

    /// <summary>The tokens of the sequence, in position order.</summary>
    public IReadOnlyList<LlamaToken> Tokens { get; }

    /// <summary>Size of the KV data in bytes.</summary>
    public int SizeBytes => KvData.Length;

    internal byte[] KvData { get; }

    internal static string Fingerprint(LlamaModel model) =>
        string.Join('|', model.Metadata.Architecture, model.Metadata.ParameterCount, model.Vocabulary.Count, Path.GetFileName(model.Path));

    /// <summary>Writes the state (format: "AKSQ", version, fingerprint, tokens, KV bytes; little-endian).</summary>
    public async Task WriteToAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var fingerprint = Encoding.UTF8.GetBytes(ModelFingerprint);
        var header = new byte[4 + 4 + 4 + fingerprint.Length + 4 + 4 * Tokens.Count + 8];
        var span = header.AsSpan();
        Magic.CopyTo(span);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], FormatVersion);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], fingerprint.Length);
        fingerprint.CopyTo(span[12..]);
        var offset = 12 + fingerprint.Length;
        BinaryPrimitives.WriteInt32LittleEndian(span[offset..], Tokens.Count);
        offset += 4;
        foreach (var token in Tokens)
        {
            BinaryPrimitives.WriteInt32LittleEndian(span[offset..], token.Value);
            offset += 4;
        }

        BinaryPrimitives.WriteInt64LittleEndian(span[offset..], KvData.Length);
        await stream.WriteAsync(header, cancellationToken).ConfigureAwait(false);
        await stream.WriteAsync(KvData, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a state written by <see cref="WriteToAsync"/>.</summary>
    /// <param name="stream">The stream.</param>
    /// <param name="maxBytes">Largest KV payload accepted (default 4 GiB), so a corrupt length cannot exhaust memory.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="LlamaException">The data is not a saved sequence state, is truncated, or exceeds the limit.</exception>
    public static async Task<LlamaSequenceState> ReadFromAsync(Stream stream, long maxBytes = 4L << 30, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var fixedPart = await ReadExactly(stream, 12, "header", cancellationToken).ConfigureAwait(false);
        if (!fixedPart.AsSpan(0, 4).SequenceEqual(Magic))
        {
            throw new LlamaException("Not a saved AgentKit sequence state (the data does not start with 'AKSQ').");
        }

        var version = BinaryPrimitives.ReadInt32LittleEndian(fixedPart.AsSpan(4));
        if (version != FormatVersion)
        {
            throw new LlamaException($"Saved sequence state version {version} is not supported (expected {FormatVersion}).");
        }

        var fingerprintLength = BinaryPrimitives.ReadInt32LittleEndian(fixedPart.AsSpan(8));
        if (fingerprintLength is < 0 or > 4096)
        {
            throw new LlamaException($"Saved sequence state is corrupt: model fingerprint length {fingerprintLength}.");
        }

        var fingerprint = Encoding.UTF8.GetString(await ReadExactly(stream, fingerprintLength, "model fingerprint", cancellationToken).ConfigureAwait(false));
        var count = BinaryPrimitives.ReadInt32LittleEndian(await ReadExactly(stream, 4, "token count", cancellationToken).ConfigureAwait(false));
        if (count is < 0 or > LlamaContextOptions.MaxContextSize)
        {
            throw new LlamaException($"Saved sequence state is corrupt: {count} tokens.");
        }

        var tokenBytes = await ReadExactly(stream, count * 4, "tokens", cancellationToken).ConfigureAwait(false);
        var tokens = new LlamaToken[count];
        for (var i = 0; i < count; i++)
        {
            tokens[i] = new LlamaToken(BinaryPrimitives.ReadInt32LittleEndian(tokenBytes.AsSpan(i * 4)));
        }

        var size = BinaryPrimitives.ReadInt64LittleEndian(await ReadExactly(stream, 8, "KV size", cancellationToken).ConfigureAwait(false));
        if (size < 0 || size > maxBytes || size > Array.MaxLength)
        {
            throw new LlamaException($"Saved sequence state holds {size} bytes of KV data; the limit is {maxBytes}.");
        }

        var data = await ReadExactly(stream, (int)size, "KV data", cancellationToken).ConfigureAwait(false);
        return new LlamaSequenceState(fingerprint, tokens, data);
    }

    private static async Task<byte[]> ReadExactly(Stream stream, int count, string what, CancellationToken cancellationToken)
    {
        var buffer = new byte[count];
        var read = await stream.ReadAtLeastAsync(buffer, count, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read < count)
        {
            throw new LlamaException($"Saved sequence state is truncated: the {what} needs {count} bytes, {read} remain.");
        }

        return buffer;
    }
}
