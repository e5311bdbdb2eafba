using System.Text;
using System.Text.Json;
using AgentKit.Hostile.Tests.Pdf;
using AgentKit.LlamaCpp;
using AgentKit.LlamaCpp.Grammars;
using AgentKit.Prompts;
using AgentKit.Rag.Readers;
using AgentKit.VectorStores.Qdrant;
using AgentKit.VectorStores.Qdrant.Filters;
using AgentKit.VectorStores.Qdrant.Mapping;
using AgentKit.VectorStores.Qdrant.Tests;
using AgentKit.VectorStores.Qdrant.Tests.Seam;
using Filter = Qdrant.Client.Grpc.Filter;

namespace AgentKit.Hostile.Tests.Fuzzing;

/// <summary>
/// Bounded fuzzing of four parsers and translators (see <see cref="Fuzzer"/> for the budget and seed). Each input ends
/// in a documented typed exception or a valid result, within the per-input bound; anything else fails with the input
/// in base64.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private static readonly string[] PromptTokens =
        ["---", "\n", ":", "{{", "}}", "{%", "%}", "{% if x %}", "{% endif %}", "{% for i in (1..3) %}", "{% endfor %}", "{% raw %}", "{% liquid", " | upcase", " | nope",
         "&a ", "*a", "[", "]", "{", "}", "\t", "- ", "inputs:\n  x: {type: string}\n", "outputs:\n  type: object\n", "system:\n", "user:\n", "\"", "'", "\\u0000", "\uFFFD"];

    private static readonly string[] PdfTokens =
        ["obj", "endobj", "stream\n", "\nendstream", "<<", ">>", "[", "]", "/Count 2147483647", "/Length 99999999", "/Kids [3 0 R 3 0 R]", " 0 R", "xref\n", "trailer", "startxref\n0\n", "%%EOF", "/Filter /FlateDecode", "(", ")", "\\", "99999999999999999999"];

    [Fact]
    public async Task PromptFileParser_ParsesOrThrowsPromptException()
    {
        var seeds = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "corpus", "prompts")).Select(File.ReadAllBytes)
            .Append(Encoding.UTF8.GetBytes("---\nname: Seed\ninputs:\n  question: {type: string, default: hi}\n  n: {type: integer, default: 2}\noutputs:\n  type: object\n  properties:\n    a: {type: string}\nsample:\n  question: hi\n---\nsystem:\n{% for i in (1..n) %}{{ question | upcase }}{% endfor %}\nuser:\n{{ question }}\n"))
            .ToArray();

        await Fuzzer.RunAsync(
            "prompt-file parser",
            random => Encoding.UTF8.GetString(Mutator.Mutate(random, seeds[random.Next(seeds.Length)], PromptTokens)),
            Fuzzer.Utf8,
            text =>
            {
                try
                {
                    var template = PromptTemplate.Parse(text, "fuzz", "/fuzz/input.prompty");
                    template.Render(new Dictionary<string, object?>());
                }
                catch (PromptException e) when (e.FilePath == "/fuzz/input.prompty")
                {
                }

                return null;
            },
            output);
    }

    [Fact]
    public async Task JsonSchemaToGbnf_ConvertsToParsableGrammarOrThrowsLlamaGrammarException()
    {
        await Fuzzer.RunAsync(
            "JSON Schema -> GBNF",
            random => SchemaGenerator.Generate(random).ToJsonString(),
            Fuzzer.Utf8,
            schema =>
            {
                LlamaGrammar grammar;
                try
                {
                    grammar = JsonSchemaGrammarConverter.FromJsonSchema(JsonDocument.Parse(schema).RootElement, new JsonSchemaGrammarOptions { MaxStringLength = 64 });
                }
                catch (LlamaGrammarException)
                {
                    return null;
                }

                // The invariant: what the converter returns is a grammar AgentKit's own parser accepts, with its root.
                try
                {
                    return GbnfParser.Parse(grammar.Text, grammar.Root).ContainsKey(grammar.Root) ? null : $"the grammar has no rule '{grammar.Root}'";
                }
                catch (LlamaGrammarException e)
                {
                    return $"the converter returned a grammar its parser refuses: {e.Message}\n{grammar.Text}";
                }
            },
            output);
    }

    [Fact]
    public async Task QdrantFilterTranslator_ProducesWellFormedFilterOrThrowsNotSupported()
    {
        var layout = QdrantCollectionLayout.Create(typeof(Hotel), typeof(ulong), null, null, new QdrantVectorStoreOptions());

        await Fuzzer.RunAsync(
            "Qdrant filter translator",
            FilterGenerator.Generate,
            expression => Fuzzer.Utf8(expression.ToString()),
            expression =>
            {
                Filter filter;
                try
                {
                    filter = new QdrantFilterTranslator().Translate(expression, layout.Model);
                }
                catch (NotSupportedException)
                {
                    return null;
                }

                var problems = QdrantFilterChecks.Problems(filter);
                return problems.Count == 0 ? null : $"{expression} translated to {filter}, which Qdrant would refuse: {string.Join("; ", problems)}";
            },
            output);
    }

    [Fact]
    public async Task PdfReader_ReadsOrThrowsDocumentReadException()
    {
        var reader = new PdfDocumentReader(maxPages: 50);
        var seeds = new[]
        {
            RawPdf.ManyPages(3),
            RawPdf.OnePage("seed", pageExtra: "/Annots [<< /A [1 2 (x)] >>]"),
            File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "corpus", "pdf", "encrypted-aes256.pdf")),
        };

        await Fuzzer.RunAsync(
            "PDF reader",
            random => Mutator.Mutate(random, seeds[random.Next(seeds.Length)], PdfTokens),
            bytes => bytes,
            bytes =>
            {
                try
                {
                    var document = reader.Read("/fuzz/input.pdf", bytes);
                    return document.PageCount is null or <= 50 ? null : $"read {document.PageCount} pages past MaxPages";
                }
                catch (DocumentReadException e) when (e.SourcePath == "/fuzz/input.pdf")
                {
                    return null;
                }
            },
            output);
    }
}
