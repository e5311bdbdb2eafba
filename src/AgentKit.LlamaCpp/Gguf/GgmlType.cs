using System.Diagnostics.CodeAnalysis;

namespace AgentKit.LlamaCpp.Gguf;

/// <summary>The element type of a tensor, numbered as <c>enum ggml_type</c> in llama.cpp v0.5.0.</summary>
[SuppressMessage("Naming", "CA1707:Identifiers should not contain underscores", Justification = "Names mirror ggml_type so they read the same as in llama.cpp's logs and tools.")]
[SuppressMessage("Design", "CA1008:Enums should have zero value", Justification = "Zero is F32, as in ggml.")]
public enum GgmlType
{
    /// <summary>32-bit float.</summary>
    F32 = 0,

    /// <summary>16-bit IEEE float.</summary>
    F16 = 1,

    /// <summary>4-bit quantization, 32-element blocks.</summary>
    Q4_0 = 2,

    /// <summary>4-bit quantization with minimum, 32-element blocks.</summary>
    Q4_1 = 3,

    /// <summary>5-bit quantization, 32-element blocks.</summary>
    Q5_0 = 6,

    /// <summary>5-bit quantization with minimum, 32-element blocks.</summary>
    Q5_1 = 7,

    /// <summary>8-bit quantization, 32-element blocks.</summary>
    Q8_0 = 8,

    /// <summary>8-bit quantization with sum, 32-element blocks.</summary>
    Q8_1 = 9,

    /// <summary>2-bit k-quantization.</summary>
    Q2_K = 10,

    /// <summary>3-bit k-quantization.</summary>
    Q3_K = 11,

    /// <summary>4-bit k-quantization.</summary>
    Q4_K = 12,

    /// <summary>5-bit k-quantization.</summary>
    Q5_K = 13,

    /// <summary>6-bit k-quantization.</summary>
    Q6_K = 14,

    /// <summary>8-bit k-quantization.</summary>
    Q8_K = 15,

    /// <summary>2-bit importance quantization (xxs).</summary>
    IQ2_XXS = 16,

    /// <summary>2-bit importance quantization (xs).</summary>
    IQ2_XS = 17,

    /// <summary>3-bit importance quantization (xxs).</summary>
    IQ3_XXS = 18,

    /// <summary>1-bit importance quantization (s).</summary>
    IQ1_S = 19,

    /// <summary>4-bit non-linear importance quantization.</summary>
    IQ4_NL = 20,

    /// <summary>3-bit importance quantization (s).</summary>
    IQ3_S = 21,

    /// <summary>2-bit importance quantization (s).</summary>
    IQ2_S = 22,

    /// <summary>4-bit importance quantization (xs).</summary>
    IQ4_XS = 23,

    /// <summary>8-bit integer.</summary>
    I8 = 24,

    /// <summary>16-bit integer.</summary>
    I16 = 25,

    /// <summary>32-bit integer.</summary>
    I32 = 26,

    /// <summary>64-bit integer.</summary>
    I64 = 27,

    /// <summary>64-bit float.</summary>
    F64 = 28,

    /// <summary>1-bit importance quantization (m).</summary>
    IQ1_M = 29,

    /// <summary>bfloat16.</summary>
    BF16 = 30,

    /// <summary>Ternary quantization, 1.69 bits per weight.</summary>
    TQ1_0 = 34,

    /// <summary>Ternary quantization, 2 bits per weight.</summary>
    TQ2_0 = 35,

    /// <summary>MXFP4 (microscaling 4-bit float).</summary>
    MXFP4 = 39,

    /// <summary>NVFP4 (4-bit float with E4M3 scales).</summary>
    NVFP4 = 40,

    /// <summary>1-bit quantization, 128-element blocks.</summary>
    Q1_0 = 41,

    /// <summary>2-bit quantization, 64-element blocks.</summary>
    Q2_0 = 42,
}

/// <summary>Block and byte sizes of each <see cref="GgmlType"/>, as ggml_blck_size / ggml_type_size report them in v0.5.0.</summary>
internal static class GgmlTypeTraits
{
    // Indexed by type id; (0, 0) marks ids ggml removed (4, 5, 31-33, 36-38).
    private static readonly (int BlockSize, int TypeSize)[] Traits =
    [
        (1, 4), (1, 2), (32, 18), (32, 20), (0, 0), (0, 0), (32, 22), (32, 24), (32, 34), (32, 36),
        (256, 84), (256, 110), (256, 144), (256, 176), (256, 210), (256, 292), (256, 66), (256, 74), (256, 98), (256, 50),
        (32, 18), (256, 110), (256, 82), (256, 136), (1, 1), (1, 2), (1, 4), (1, 8), (1, 8), (256, 56),
        (1, 2), (0, 0), (0, 0), (0, 0), (256, 54), (256, 66), (0, 0), (0, 0), (0, 0), (32, 17),
        (64, 36), (128, 18), (64, 18),
    ];

    /// <summary>Whether ggml v0.5.0 can hold tensors of this type id.</summary>
    public static bool IsSupported(int type) => type >= 0 && type < Traits.Length && Traits[type].BlockSize != 0;

    /// <summary>Elements per block.</summary>
    public static int BlockSize(GgmlType type) => Traits[(int)type].BlockSize;

    /// <summary>Bytes per block.</summary>
    public static int TypeSize(GgmlType type) => Traits[(int)type].TypeSize;
}
