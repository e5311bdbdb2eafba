using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using AgentKit.LlamaCpp.Gguf;
using AgentKit.LlamaCpp.Models;
using AgentKit.LlamaCpp.Native;
using AgentKit.Testing;

namespace AgentKit.LlamaCpp.Tests;

/// <summary>
/// Compiles a C program against the llama.cpp v0.5.0 headers that prints sizeof and offsetof of every
/// field of every struct we marshal, and the enum values we mirror, and compares them with the CLR's layout.
/// A mismatch means a P/Invoke would read or write the wrong bytes.
/// </summary>
public sealed class AbiLayoutTests
{
    private static readonly (Type Managed, string Native)[] Structs =
    [
        (typeof(LlamaModelParamsNative), "struct llama_model_params"),
        (typeof(LlamaContextParamsNative), "struct llama_context_params"),
        (typeof(LlamaBatchNative), "struct llama_batch"),
        (typeof(LlamaTokenDataNative), "struct llama_token_data"),
        (typeof(LlamaTokenDataArrayNative), "struct llama_token_data_array"),
        (typeof(LlamaLogitBiasNative), "struct llama_logit_bias"),
        (typeof(LlamaSamplerChainParamsNative), "struct llama_sampler_chain_params"),
        (typeof(LlamaChatMessageNative), "struct llama_chat_message"),
        (typeof(LlamaPerfContextDataNative), "struct llama_perf_context_data"),
        (typeof(LlamaPerfSamplerDataNative), "struct llama_perf_sampler_data"),
        (typeof(LlamaModelQuantizeParamsNative), "struct llama_model_quantize_params"),
    ];

    // Each managed member paired with the C enumerator it mirrors.
    private static readonly (Type Managed, (string Member, string Native)[] Pairs)[] Enums =
    [
        (typeof(LlamaPoolingType), [("Unspecified", "LLAMA_POOLING_TYPE_UNSPECIFIED"), ("None", "LLAMA_POOLING_TYPE_NONE"), ("Mean", "LLAMA_POOLING_TYPE_MEAN"),
            ("Cls", "LLAMA_POOLING_TYPE_CLS"), ("Last", "LLAMA_POOLING_TYPE_LAST"), ("Rank", "LLAMA_POOLING_TYPE_RANK")]),
        (typeof(LlamaFlashAttention), [("Auto", "LLAMA_FLASH_ATTN_TYPE_AUTO"), ("Disabled", "LLAMA_FLASH_ATTN_TYPE_DISABLED"), ("Enabled", "LLAMA_FLASH_ATTN_TYPE_ENABLED")]),
        (typeof(LlamaCacheType), [("F32", "GGML_TYPE_F32"), ("F16", "GGML_TYPE_F16"), ("Q4", "GGML_TYPE_Q4_0"), ("Q4WithOffset", "GGML_TYPE_Q4_1"),
            ("Q5", "GGML_TYPE_Q5_0"), ("Q5WithOffset", "GGML_TYPE_Q5_1"), ("Q8", "GGML_TYPE_Q8_0"), ("BF16", "GGML_TYPE_BF16")]),
        (typeof(GgmlType), [.. Enum.GetNames<GgmlType>().Select(n => (n, "GGML_TYPE_" + n))]),
        (typeof(LlamaQuantizationType), [.. Enum.GetNames<LlamaQuantizationType>().Select(n => (n, "LLAMA_FTYPE_MOSTLY_" + n))]),
    ];

    private static readonly Lazy<IReadOnlyDictionary<string, long>> NativeValues = new(CompileAndRun);

    public static TheoryData<string> StructNames => new(Structs.Select(s => s.Managed.Name));

    public static TheoryData<string> EnumNames => new(Enums.Select(e => e.Managed.Name));

    [Theory]
    [MemberData(nameof(StructNames))]
    public void Struct_MatchesHeaderLayout(string name)
    {
        var (managed, native) = Structs.Single(s => s.Managed.Name == name);
        var values = NativeValues.Value;
        var problems = new List<string>();
        foreach (var field in managed.GetFields(BindingFlags.Public | BindingFlags.Instance))
        {
            var expected = values[$"{native}.{field.Name}"];
            var actual = (long)Marshal.OffsetOf(managed, field.Name);
            if (expected != actual)
            {
                problems.Add($"{name}.{field.Name}: offset {actual}, but {native}.{field.Name} is at {expected}");
            }
        }

        var size = Marshal.SizeOf(managed);
        if (values[native] != size)
        {
            problems.Add($"{name}: size {size}, but sizeof({native}) is {values[native]} (a field is missing, extra or of the wrong size)");
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Theory]
    [MemberData(nameof(EnumNames))]
    public void Enum_MatchesHeaderValues(string name)
    {
        var (managed, pairs) = Enums.Single(e => e.Managed.Name == name);
        Assert.Equal(Enum.GetNames(managed).Order(StringComparer.Ordinal), pairs.Select(p => p.Member).Order(StringComparer.Ordinal));
        var problems = pairs
            .Select(p => (p.Member, p.Native, Managed: Convert.ToInt64(Enum.Parse(managed, p.Member), CultureInfo.InvariantCulture), Expected: NativeValues.Value[p.Native]))
            .Where(p => p.Managed != p.Expected)
            .Select(p => $"{name}.{p.Member} is {p.Managed}, but {p.Native} is {p.Expected}")
            .ToList();

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    private static Dictionary<string, long> CompileAndRun()
    {
        var source = new StringBuilder("#include <stdio.h>\n#include <stddef.h>\n#include \"llama.h\"\nint main(void) {\n");
        foreach (var (managed, native) in Structs)
        {
            source.Append(CultureInfo.InvariantCulture, $"    printf(\"%s %zu\\n\", \"{native}\", sizeof({native}));\n");
            foreach (var field in managed.GetFields(BindingFlags.Public | BindingFlags.Instance))
            {
                source.Append(CultureInfo.InvariantCulture, $"    printf(\"%s %zu\\n\", \"{native}.{field.Name}\", offsetof({native}, {field.Name}));\n");
            }
        }

        foreach (var enumerator in Enums.SelectMany(e => e.Pairs).Select(p => p.Native).Distinct())
        {
            source.Append(CultureInfo.InvariantCulture, $"    printf(\"%s %lld\\n\", \"{enumerator}\", (long long){enumerator});\n");
        }

        source.Append("    return 0;\n}\n");

        var dir = Directory.CreateTempSubdirectory("agentkit-abi-").FullName;
        try
        {
            var c = Path.Combine(dir, "layout.c");
            var exe = Path.Combine(dir, "layout");
            File.WriteAllText(c, source.ToString());
            var (compileExit, _, compileErrors) = Run("gcc", ["-std=c11", "-o", exe, c, "-I", LlamaSourceAssets.IncludeDir, "-I", LlamaSourceAssets.GgmlIncludeDir]);
            Assert.True(compileExit == 0, $"The layout program did not compile against {LlamaSourceAssets.IncludeDir} (a C# field name that is not in llama.h?):\n{compileErrors}");
            var (runExit, output, runErrors) = Run(exe, []);
            Assert.True(runExit == 0, $"The layout program failed: {runErrors}");
            return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.Split(' '))
                .ToDictionary(p => string.Join(' ', p[..^1]), p => long.Parse(p[^1], CultureInfo.InvariantCulture), StringComparer.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static (int Exit, string Output, string Errors) Run(string file, string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"'{file}' could not be started ({ex.Message}). The ABI layout tests need a C compiler: install gcc.", ex);
        }

        using (process)
        {
            var errors = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output, errors.Result);
        }
    }
}
