using System.Numerics.Tensors;

namespace AgentKit.Embeddings.MiniLM;

/// <summary>
/// Two bits per dimension for L2-normalised token vectors: the sign, and whether the magnitude exceeds the vector's
/// root mean square (1/√384 for a unit vector of 384), read back as ±0.5 or ±1.5 and renormalised. On both benchmark
/// question sets, MaxSim over these codes re-ranked as well as over the float vectors (docs/benchmarks.md). A code is
/// one format byte, then 96 bytes per token.
/// </summary>
internal static class TokenCodes
{
    /// <summary>The format byte.</summary>
    public const byte Format = 2;

    /// <summary>Bytes per token.</summary>
    public const int BytesPerToken = MiniLMEmbeddingGenerator.Dimensions / 4;

    private static readonly float Threshold = 1f / MathF.Sqrt(MiniLMEmbeddingGenerator.Dimensions);

    // Each byte's four 2-bit values (low bits first) as levels: 0 → 0.5, 1 → 1.5, 2 → −0.5, 3 → −1.5.
    private static readonly float[] Levels = BuildLevels();

    /// <summary>Encodes unit token vectors.</summary>
    public static byte[] Encode(float[][] tokens)
    {
        var bytes = new byte[1 + (tokens.Length * BytesPerToken)];
        bytes[0] = Format;
        for (var t = 0; t < tokens.Length; t++)
        {
            var vector = tokens[t];
            var offset = 1 + (t * BytesPerToken);
            for (var d = 0; d < vector.Length; d++)
            {
                var x = vector[d];
                var value = (x < 0 ? 2 : 0) | (MathF.Abs(x) > Threshold ? 1 : 0);
                bytes[offset + (d >> 2)] |= (byte)(value << ((d & 3) * 2));
            }
        }

        return bytes;
    }

    /// <summary>Checks that a code is of this format and holds no more word pieces than the model reads.</summary>
    /// <exception cref="FormatException">The code is not of this format (named by <paramref name="index"/>).</exception>
    public static void Validate(byte[] bytes, int index)
    {
        if (bytes.Length == 0 || bytes[0] != Format || (bytes.Length - 1) % BytesPerToken != 0
            || (bytes.Length - 1) / BytesPerToken > MiniLMEmbeddingGenerator.MaxInputTokens - 2)
        {
            throw new FormatException($"Passage code {index} is not a {Format}-bit token code of {MiniLMEmbeddingGenerator.Dimensions} dimensions (format byte {(bytes.Length == 0 ? "missing" : bytes[0].ToString(System.Globalization.CultureInfo.InvariantCulture))}, {bytes.Length} bytes).");
        }
    }

    /// <summary>Decodes a validated code into unit token vectors, reusing (and filling as needed) the arrays of <paramref name="tokens"/>.</summary>
    /// <returns>How many word pieces the code holds: the first entries of <paramref name="tokens"/>.</returns>
    public static int Decode(byte[] bytes, float[][] tokens)
    {
        var count = (bytes.Length - 1) / BytesPerToken;
        for (var t = 0; t < count; t++)
        {
            var vector = tokens[t] ??= new float[MiniLMEmbeddingGenerator.Dimensions];
            var offset = 1 + (t * BytesPerToken);
            for (var b = 0; b < BytesPerToken; b++)
            {
                Levels.AsSpan(bytes[offset + b] * 4, 4).CopyTo(vector.AsSpan(b * 4, 4));
            }

            TensorPrimitives.Divide(vector, TensorPrimitives.Norm(vector), vector);
        }

        return count;
    }

    private static float[] BuildLevels()
    {
        var levels = new float[256 * 4];
        for (var b = 0; b < 256; b++)
        {
            for (var i = 0; i < 4; i++)
            {
                var value = (b >> (i * 2)) & 3;
                levels[(b * 4) + i] = ((value & 1) == 0 ? 0.5f : 1.5f) * ((value & 2) == 0 ? 1 : -1);
            }
        }

        return levels;
    }
}
