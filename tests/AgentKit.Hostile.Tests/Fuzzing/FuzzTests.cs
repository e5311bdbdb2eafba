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
/// Bounded fuzzing of the parsers and translators (see <see cref="Fuzzer"/> for the budget and seed). Each input ends
/// in a documented typed exception or a valid result, within the per-input bound; anything else fails with the input
/// in base64.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private static readonly string[] PromptTokens =
        ["---", "\n", ":", "{{", "}}", "{%", "%}", "{% if x %}", "{% endif %}", "{% for i in (1..3) %}", "{% endfor %}", "{% raw %}", "{% liquid", " | upcase", " | nope",
         "&a ", "*a", "[", "]", "{", "}", "\t", "- ", "inputs:\n  x: {type: string}\n", "outputs:\n  type: object\n", "system:\n", "user:\n", "\"", "'", "\\u0000", "\uFFFD"];

    private static readonly string[] XmlTokens =
        ["<", ">", "</", "/>", "<w:p>", "</w:p>", "<w:t>", "</w:t>", "<w:fldChar w:fldCharType=\"begin\"/>", "<w:instrText>TOC</w:instrText>", "<w:tbl>", "<w:tr>", "<w:tc>",
         "<a:p>", "<a:t>", "<a:tbl>", "<p:ph type=\"title\"/>", "<c r=\"XFD1048576\" t=\"s\"><v>99999</v></c>", "<c t=\"n\" s=\"7\"><v>1e308</v></c>", "<row>",
         "<text:h text:outline-level=\"-5\">", "<text:s text:c=\"2147483647\"/>", "table:number-columns-repeated=\"2147483647\" ", "table:number-rows-repeated=\"1048576\" ", "<text:note>", "<h1>", "<ul><li><a href=\"#x\">", "<!DOCTYPE x [<!ENTITY e \"e\">]>",
         "&amp;", "&#0;", "&e;", "\"", "xmlns:w=\"x\"", "\uFFFD", "]]>", "<![CDATA["];

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

    [Fact]
    public async Task PackageReaders_ReadOrThrowDocumentReadException()
    {
        // Each seed is a real package (pandoc's and LibreOffice's files of the reader tests); an input is either the
        // package with one XML part mutated and zipped again, or the package's bytes mutated (the zip layer).
        var readers = new Dictionary<string, IDocumentReader>(StringComparer.OrdinalIgnoreCase)
        {
            [".docx"] = new DocxDocumentReader(maxExpandedBytes: 8 * 1024 * 1024),
            [".pptx"] = new PptxDocumentReader(maxExpandedBytes: 8 * 1024 * 1024),
            [".xlsx"] = new XlsxDocumentReader(maxExpandedBytes: 8 * 1024 * 1024),
            [".odt"] = new OdtDocumentReader(maxExpandedBytes: 8 * 1024 * 1024),
            [".ods"] = new OdsDocumentReader(maxExpandedBytes: 8 * 1024 * 1024),
            [".odp"] = new OdpDocumentReader(maxExpandedBytes: 8 * 1024 * 1024),
            [".epub"] = new EpubDocumentReader(maxExpandedBytes: 8 * 1024 * 1024),
        };
        var seeds = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "corpus", "packages"))
            .Select(path => (Extension: Path.GetExtension(path), Bytes: File.ReadAllBytes(path)))
            .ToArray();
        Assert.True(seeds.Length >= 8, "the package seeds were not copied next to the tests");

        await Fuzzer.RunAsync(
            "package readers",
            random =>
            {
                var (extension, bytes) = seeds[random.Next(seeds.Length)];
                return (Extension: extension, Bytes: random.Next(4) == 0 ? Mutator.Mutate(random, bytes, XmlTokens) : MutatePart(random, bytes));
            },
            input => input.Bytes,
            ReadsOrNamesTheFile(readers),
            output);
    }

    [Fact]
    public async Task LegacyOfficeReaders_ReadOrThrowDocumentReadException()
    {
        // Seeds: the LibreOffice-saved .doc, .xls and (gzipped) .ppt files of the reader tests. Half the inputs keep every offset in
        // place and overwrite 32-bit values (sector numbers, sizes, file positions, record lengths) with edge values;
        // half are byte mutations with Word's field and cell marks spliced in.
        var readers = new Dictionary<string, IDocumentReader>(StringComparer.OrdinalIgnoreCase)
        {
            [".doc"] = new DocDocumentReader(),
            [".xls"] = new XlsDocumentReader(maxCells: 100_000),
            [".ppt"] = new PptDocumentReader(),
        };
        var seeds = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "corpus", "binary-office"))
            .Select(path => path.EndsWith(".gz", StringComparison.Ordinal)
                ? (Extension: Path.GetExtension(path[..^3]), Bytes: Gunzip(File.ReadAllBytes(path)))
                : (Extension: Path.GetExtension(path), Bytes: File.ReadAllBytes(path)))
            .ToArray();
        Assert.True(seeds.Length >= 5, "the .doc, .xls and .ppt seeds were not copied next to the tests");
        uint[] edges = [0, 1, 0x7F, 0x200, 0xFFFF, 0x3FFFFFFF, 0x40000000, 0x7FFFFFFF, 0xFFFFFFFA, 0xFFFFFFFE, 0xFFFFFFFF];

        await Fuzzer.RunAsync(
            "Word, Excel and PowerPoint 97-2003 readers",
            random =>
            {
                var (extension, seed) = seeds[random.Next(seeds.Length)];
                if (random.Next(2) == 0)
                {
                    return (Extension: extension, Bytes: Mutator.Mutate(random, seed, ["\u0013", "\u0014", "\u0015", "\u0007", "\r", "\u0002", "\u003C\u0000"]));
                }

                var bytes = (byte[])seed.Clone();
                for (var n = random.Next(1, 5); n > 0; n--)
                {
                    var at = random.Next(bytes.Length - 4) & ~1;
                    System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), edges[random.Next(edges.Length)]);
                }

                return (Extension: extension, Bytes: bytes);
            },
            input => input.Bytes,
            ReadsOrNamesTheFile(readers),
            output);
    }

    [Fact]
    public async Task CsvReader_ReadsOrThrowsDocumentReadException()
    {
        var seed = Encoding.UTF8.GetBytes("SKU,Product,Days\r\nA-1,\"Kettle, 1.7 l\",30\r\nB-2,\"say \"\"hi\"\"\",14\n");
        await Fuzzer.RunAsync(
            "CSV reader",
            random => Mutator.Mutate(random, seed, ["\"", ",", ";", "\t", "|", "\r", "\n", "\"\"", "\u0000", "1e5"]),
            bytes => bytes,
            bytes =>
            {
                try
                {
                    new CsvDocumentReader().Read("/fuzz/input.csv", bytes);
                }
                catch (DocumentReadException e) when (e.SourcePath == "/fuzz/input.csv")
                {
                }

                return null;
            },
            output);
    }

    /// <summary>
    /// The invariant of the reader targets: the reader for the input's extension reads it, or throws a
    /// <see cref="DocumentReadException"/> naming the input (anything else fails the round).
    /// </summary>
    private static Func<(string Extension, byte[] Bytes), string?> ReadsOrNamesTheFile(Dictionary<string, IDocumentReader> readers) =>
        input =>
        {
            var path = "/fuzz/input" + input.Extension;
            try
            {
                readers[input.Extension].Read(path, input.Bytes);
            }
            catch (DocumentReadException e) when (e.SourcePath == path)
            {
            }

            return null;
        };

    private static byte[] Gunzip(byte[] bytes)
    {
        using var gzip = new System.IO.Compression.GZipStream(new MemoryStream(bytes), System.IO.Compression.CompressionMode.Decompress);
        using var output = new MemoryStream();
        gzip.CopyTo(output);
        return output.ToArray();
    }

    /// <summary>The package with one of its XML parts (chosen at random) mutated, zipped again.</summary>
    private static byte[] MutatePart(Random random, byte[] package)
    {
        using var source = new System.IO.Compression.ZipArchive(new MemoryStream(package), System.IO.Compression.ZipArchiveMode.Read);
        var parts = source.Entries.Select(e => (e.FullName, Bytes: ReadEntry(e))).ToList();
        var xml = parts.Select((p, i) => (p, i)).Where(x => x.p.FullName.EndsWith(".xml", StringComparison.Ordinal) || x.p.FullName.EndsWith(".xhtml", StringComparison.Ordinal) || x.p.FullName.EndsWith(".rels", StringComparison.Ordinal) || x.p.FullName.EndsWith(".opf", StringComparison.Ordinal)).ToList();
        var (chosen, index) = xml[random.Next(xml.Count)];
        parts[index] = (chosen.FullName, Mutator.Mutate(random, chosen.Bytes, XmlTokens));
        using var buffer = new MemoryStream();
        using (var target = new System.IO.Compression.ZipArchive(buffer, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, bytes) in parts)
            {
                using var stream = target.CreateEntry(name, System.IO.Compression.CompressionLevel.Fastest).Open();
                stream.Write(bytes);
            }
        }

        return buffer.ToArray();

        static byte[] ReadEntry(System.IO.Compression.ZipArchiveEntry entry)
        {
            using var stream = entry.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        }
    }
}
