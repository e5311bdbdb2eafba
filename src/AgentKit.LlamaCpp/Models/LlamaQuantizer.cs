using System.Diagnostics.CodeAnalysis;
using AgentKit.LlamaCpp.Native;

namespace AgentKit.LlamaCpp.Models;

/// <summary>The weight formats <see cref="LlamaQuantizer"/> writes (llama.cpp's <c>llama_ftype</c>; "mostly": norms stay f32).</summary>
[SuppressMessage("Naming", "CA1707:Identifiers should not contain underscores", Justification = "Names mirror llama.cpp's type names (q4_0, q4_k_m) as its tools and model files spell them.")]
[SuppressMessage("Design", "CA1008:Enums should have zero value", Justification = "Values are llama_ftype's; its zero (all f32) is not offered.")]
public enum LlamaQuantizationType
{
    /// <summary>16-bit floats.</summary>
    F16 = 1,

    /// <summary>4-bit blocks with a scale (~4.5 bits per weight).</summary>
    Q4_0 = 2,

    /// <summary>4-bit blocks with a scale and an offset.</summary>
    Q4_1 = 3,

    /// <summary>8-bit blocks with a scale (~8.5 bits per weight; nearly lossless).</summary>
    Q8_0 = 7,

    /// <summary>5-bit blocks with a scale.</summary>
    Q5_0 = 8,

    /// <summary>5-bit blocks with a scale and an offset.</summary>
    Q5_1 = 9,

    /// <summary>2-bit k-quant.</summary>
    Q2_K = 10,

    /// <summary>3-bit k-quant, medium.</summary>
    Q3_K_M = 12,

    /// <summary>4-bit k-quant, small.</summary>
    Q4_K_S = 14,

    /// <summary>4-bit k-quant, medium (a common default).</summary>
    Q4_K_M = 15,

    /// <summary>5-bit k-quant, small.</summary>
    Q5_K_S = 16,

    /// <summary>5-bit k-quant, medium.</summary>
    Q5_K_M = 17,

    /// <summary>6-bit k-quant.</summary>
    Q6_K = 18,

    /// <summary>bfloat16.</summary>
    BF16 = 32,
}

/// <summary>Writes a quantized copy of a GGUF model with llama.cpp's <c>llama_model_quantize</c> (e.g. a draft model for speculative decoding).</summary>
public static class LlamaQuantizer
{
    /// <summary>Parses a type name as llama.cpp's tools write it (<c>q4_0</c>, <c>Q8_0</c>, <c>q4_k_m</c>, <c>f16</c>, ...).</summary>
    /// <exception cref="ArgumentException">The name is not a supported type; the message lists them.</exception>
    public static LlamaQuantizationType ParseType(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (Enum.TryParse<LlamaQuantizationType>(name.Trim(), ignoreCase: true, out var type) && Enum.IsDefined(type) && !int.TryParse(name, out _))
        {
            return type;
        }

        throw new ArgumentException($"'{name}' is not a quantization type; use one of {string.Join(", ", Enum.GetNames<LlamaQuantizationType>().Select(n => n.ToLowerInvariant()))}.", nameof(name));
    }

    /// <summary>
    /// Quantizes <paramref name="inputPath"/> into <paramref name="outputPath"/> (written whole or not at all: a failed
    /// run leaves no file). Not cancellable once the native call runs; <paramref name="cancellationToken"/> is checked before.
    /// </summary>
    /// <param name="inputPath">A GGUF model (f32, f16 or bf16 weights; requantizing a quantized file is refused by llama.cpp).</param>
    /// <param name="outputPath">The file to write; its folder must exist and it must not be the input.</param>
    /// <param name="type">The weight format.</param>
    /// <param name="threads">Threads; default <see cref="Environment.ProcessorCount"/>.</param>
    /// <param name="cancellationToken">Cancels before the work starts.</param>
    /// <exception cref="LlamaModelLoadException">The input is missing or not a GGUF model.</exception>
    /// <exception cref="ArgumentException">The output path is the input, or its folder does not exist.</exception>
    /// <exception cref="LlamaException">llama.cpp failed; the message carries its log.</exception>
    public static Task QuantizeAsync(string inputPath, string outputPath, LlamaQuantizationType type, int? threads = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(inputPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputPath);
        if (!Enum.IsDefined(type))
        {
            throw new ArgumentOutOfRangeException(nameof(type), type, "Not a supported quantization type.");
        }

        if (threads is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(threads), threads, "Threads must be 1 or more.");
        }

        var input = Path.GetFullPath(inputPath);
        var output = Path.GetFullPath(outputPath);
        ModelFileValidator.Validate(input, vocabOnly: false);
        if (string.Equals(input, output, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The output '{output}' is the input file; write the quantized copy elsewhere.", nameof(outputPath));
        }

        var folder = Path.GetDirectoryName(output)!;
        if (!Directory.Exists(folder))
        {
            throw new ArgumentException($"The output folder '{folder}' does not exist.", nameof(outputPath));
        }

        if (Directory.Exists(output))
        {
            throw new ArgumentException($"The output '{output}' is a directory; name a file.", nameof(outputPath));
        }

        cancellationToken.ThrowIfCancellationRequested();
        return Task.Run(() => Quantize(input, output, type, threads ?? Environment.ProcessorCount), cancellationToken);
    }

    private static unsafe void Quantize(string input, string output, LlamaQuantizationType type, int threads)
    {
        LlamaNativeLibrary.Initialize();
        var parameters = NativeMethods.llama_model_quantize_default_params();
        parameters.nthread = threads;
        parameters.ftype = (int)type;
        var temporary = output + ".partial-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            LastErrorCapture.Begin();
            var result = NativeMethods.llama_model_quantize(input, temporary, &parameters);
            if (result != 0)
            {
                var detail = LastErrorCapture.Describe();
                throw new LlamaException($"llama.cpp could not quantize '{input}' to {type.ToString().ToLowerInvariant()}: {(detail.Length > 0 ? detail : $"error {result}")}");
            }

            File.Move(temporary, output, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
