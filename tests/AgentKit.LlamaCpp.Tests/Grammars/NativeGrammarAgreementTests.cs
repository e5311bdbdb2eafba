using System.Text;
using System.Text.Json;
using AgentKit.LlamaCpp.Grammars;
using AgentKit.LlamaCpp.Native;
using AgentKit.Testing;

namespace AgentKit.LlamaCpp.Tests.Grammars;

/// <summary>Checks that llama.cpp's own parser accepts what <see cref="LlamaGrammar.Parse"/> accepts, and rejects what both should.</summary>
public sealed unsafe class NativeGrammarAgreementTests
{
    // The vocabulary-only GGUF from the llama.cpp v0.5.0 source; grammar parsing needs a vocabulary.
    private static string VocabPath => LlamaSourceAssets.VocabFile("qwen2");

    public static TheoryData<string> ValidGrammars()
    {
        var data = new TheoryData<string> { LlamaGrammar.Json.Text };
        foreach (var row in JsonSchemaGrammarConverterTests.Schemas)
        {
            var schema = JsonDocument.Parse(row.Data).RootElement;
            data.Add(JsonSchemaGrammarConverter.FromJsonSchema(schema).Text);
        }

        ToolSchema[] tools =
        [
            new("get_weather", JsonDocument.Parse("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""").RootElement),
            new("add", JsonDocument.Parse("""{"type":"array","items":{"type":"integer"},"maxItems":999}""").RootElement),
        ];
        foreach (var format in Enum.GetValues<ToolCallFormat>())
        {
            data.Add(ToolCallGrammarBuilder.Build(tools, format, requireToolCall: false).Text);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ValidGrammars))]
    public void Native_AcceptsGeneratedGrammar(string gbnf)
    {
        LlamaGrammar.Parse(gbnf);

        Assert.True(NativeParses(gbnf), gbnf);
    }

    [Theory]
    [InlineData("root ::= missing")]
    [InlineData("root ::= \"a")]
    [InlineData("root ::= root \"a\" | \"b\"")]
    [InlineData("root ::= (\"a\"")]
    [InlineData("root ::= \"a\"{2001}")]
    [InlineData("other ::= \"a\"")]
    public void Native_RejectsWhatParseRejects(string gbnf)
    {
        Assert.Throws<LlamaGrammarException>(() => LlamaGrammar.Parse(gbnf));

        Assert.False(NativeParses(gbnf));
    }

    private static bool NativeParses(string gbnf)
    {
        LlamaNativeLibrary.Initialize();
        var parameters = NativeMethods.llama_model_default_params();
        parameters.vocab_only = 1;
        var path = Encoding.UTF8.GetBytes(VocabPath + "\0");
        nint model;
        fixed (byte* p = path)
        {
            model = NativeMethods.llama_model_load_from_file(p, parameters);
        }

        Assert.NotEqual(0, model);
        try
        {
            var vocab = NativeMethods.llama_model_get_vocab(model);
            var text = Encoding.UTF8.GetBytes(gbnf + "\0");
            var root = "root\0"u8.ToArray();
            fixed (byte* t = text)
            fixed (byte* r = root)
            {
                var sampler = NativeMethods.llama_sampler_init_grammar(vocab, t, r);
                if (sampler == 0)
                {
                    return false;
                }

                NativeMethods.llama_sampler_free(sampler);
                return true;
            }
        }
        finally
        {
            NativeMethods.llama_model_free(model);
        }
    }
}
