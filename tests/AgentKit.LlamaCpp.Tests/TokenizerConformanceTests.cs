using System.Globalization;
using System.Text;
using AgentKit.Testing;

namespace AgentKit.LlamaCpp.Tests;

/// <summary>
/// llama.cpp's own tokenizer vectors (tests/test-tokenizer-0.cpp): every vocabulary that ships with
/// <c>.inp</c>/<c>.out</c> files must tokenize every text to exactly the recorded ids through our binding.
/// </summary>
public sealed class TokenizerConformanceTests
{
    // test-tokenizer-0.cpp splits the .inp file on this separator and reads one .out line per text.
    private const string Separator = "\n__ggml_vocab_test__\n";

    public static TheoryData<string> Vocabularies => new(LlamaSourceAssets.VocabTestCases().Select(c => c.Name));

    [Fact]
    public void VocabTestCases_CoverTheVocabulariesLlamaCppTests()
    {
        var names = LlamaSourceAssets.VocabTestCases().Select(c => c.Name).ToArray();

        Assert.Superset(new HashSet<string>(["bert-bge", "gpt-2", "llama-bpe", "llama-spm", "phi-3", "qwen2", "starcoder"]), new HashSet<string>(names));
    }

    [Theory]
    [MemberData(nameof(Vocabularies))]
    public async Task Tokenize_MatchesLlamaCppVectors(string vocabulary)
    {
        var testCase = LlamaSourceAssets.VocabTestCases().Single(c => c.Name == vocabulary);
        var cases = ReadCases(testCase);
        using var model = await LlamaModel.LoadAsync(testCase.VocabPath, new LlamaModelOptions { VocabOnly = true }, cancellationToken: TestContext.Current.CancellationToken);

        var failures = new List<string>();
        foreach (var (text, expected) in cases)
        {
            // As test-tokenizer-0.cpp: add_special = false, parse_special = false.
            var actual = model.Vocabulary.Tokenize(text, addSpecial: false, parseSpecial: false).Select(t => t.Value).ToArray();
            if (!actual.SequenceEqual(expected))
            {
                failures.Add($"'{text}': expected [{string.Join(' ', expected)}], got [{string.Join(' ', actual)}]");
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{vocabulary}: {cases.Count - failures.Count}/{cases.Count} cases pass");
        Assert.True(failures.Count == 0, $"{vocabulary}: {failures.Count} of {cases.Count} cases differ:\n{string.Join('\n', failures.Take(10))}");
    }

    private static List<(string Text, int[] Expected)> ReadCases(VocabTestCase testCase)
    {
        var raw = File.ReadAllText(testCase.InputPath, new UTF8Encoding(false, throwOnInvalidBytes: true));
        var texts = new List<string>();
        var pos = 0;
        while (pos < raw.Length)
        {
            var next = raw.IndexOf(Separator, pos, StringComparison.Ordinal);
            if (next < 0)
            {
                texts.Add(raw[pos..]);
                break;
            }

            texts.Add(raw[pos..next]);
            pos = next + Separator.Length;
        }

        var lines = File.ReadAllLines(testCase.OutputPath);
        Assert.True(texts.Count == lines.Length, $"{testCase.Name}: {texts.Count} texts in {testCase.InputPath} but {lines.Length} lines in {testCase.OutputPath}");
        return texts.Zip(lines, (text, line) => (text, line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray())).ToList();
    }
}
