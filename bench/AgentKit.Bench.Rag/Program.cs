using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AgentKit.Abstractions.Embeddings;
using AgentKit.Bench.Rag;
using AgentKit.Embeddings.MiniLM;
using AgentKit.Rag.Chunking;
using AgentKit.Rag.Embeddings;
using AgentKit.Rag.Ingestion;
using AgentKit.Rag.Knowledge;
using AgentKit.Rag.Readers;
using AgentKit.Rag.Retrieval;
using AgentKit.VectorStores.Sqlite;
using Microsoft.Extensions.AI;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.VectorData;
using UglyToad.PdfPig;

// RAG ingestion figures for issue #4: pages/s of the whole pipeline on real text PDFs from Debian documentation
// packages, against raw PdfPig extraction on the same files, and recall@5 of vector, keyword and hybrid retrieval
// on the labelled questions in questions.json, per kind of question.
// Usage: AgentKit.Bench.Rag [--cache DIR] [--corpus manuals|heldout|papers] [--corpus-dir DIR] [--questions FILE] [--dump-pages DIR]
//                           [--embedder minilm|arctic|lexical] [--quality] [--index FILE] [--fusion] [--rerank]
//   --cache       where the .deb files and the corpora are kept (default ~/.cache/agentkit/bench-rag)
//   --corpus      manuals (default: GLPK, R and ReportLab manuals, questions.json) or heldout (Bash reference
//                 manual and gnuplot manual, for a second question set kept out of tuning; needs --questions) or
//                 papers (four two-column LaTeX papers from texlive-publishers-doc, papers-questions.json: answers
//                 labelled by section, so text extraction and section assignment in columns are measured)
//   --corpus-dir  any folder of documents (every format `agentkit ingest` reads: PDF, Markdown, HTML, text,
//                 Word, PowerPoint, Excel, CSV, OpenDocument, EPUB), with
//                 --quality and --questions; questions name a file by name or by path relative to the folder, and
//                 their answer by pages or by a section (a part of the heading path, e.g. "Server > Usage")
//   --questions   the labelled questions (default for manuals: questions.json, for papers: papers-questions.json,
//                 next to the program)
//   --chunk-tokens, --overlap-tokens  chunk sizes (default: RagIngestionOptions' defaults)
//   --passage-words N  words per passage, e.g. 48 (default: KnowledgeBaseOptions' default, 0: chunk vectors only)
//   --index       with --quality: the index database (default CACHE/index-EMBEDDER.db, CACHE/heldout-EMBEDDER.db,
//                 CACHE/papers-EMBEDDER.db)
//   --dump-pages  also write each page's text as the PDF reader sees it (DIR/<file>/<page>.txt), for writing questions
//   --embedder    minilm (default: all-MiniLM-L6-v2, the default model), arctic (snowflake-arctic-embed-xs, built in)
//                 or lexical (the hashing embedder)
//   --rerank      also rank with re-ranking (RelevanceScorerReranker over the embedder's token-level scorer), vector and
//                 hybrid from the chunk codes stored at ingestion (as a knowledge base does by default), and hybrid
//                 scoring each candidate's text with a model run (no codes); every index keeps chunk codes when the
//                 embedder's scorer encodes passages (all-MiniLM-L6-v2), as a knowledge base does
//   --no-codes    keep no chunk codes (to time ingestion without them; --rerank then scores from texts)
//   --fusion      also compare fusion methods (RRF, min-max and z-score at several keyword weights) on the same
//                 vector and keyword rankings, to show why hybrid mode fuses as it does
//   --quality     retrieval quality only: no timed stages; the corpus is ingested once into CACHE/index-EMBEDDER.db,
//                 which later runs reuse (delete it after changing how documents are read or chunked)
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var cache = Option("--cache") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "agentkit", "bench-rag");
var dump = Option("--dump-pages");
var embedderName = Option("--embedder") ?? "minilm";
var corpusName = Option("--corpus") ?? "manuals";
var corpusDir = Option("--corpus-dir") is { } dir ? Path.GetFullPath(dir) : null;
var defaultChunking = new ChunkingOptions();
var passageWords = Option("--passage-words") is { } words ? int.Parse(words, CultureInfo.InvariantCulture) : new KnowledgeBaseOptions().PassageWords;
var ingestion = new RagIngestionOptions
{
    PassageWords = passageWords,
    PassageStrideWords = Math.Max(1, passageWords / 2),
    Chunking = new ChunkingOptions
    {
        MaxTokens = Option("--chunk-tokens") is { } chunkTokens ? int.Parse(chunkTokens, CultureInfo.InvariantCulture) : defaultChunking.MaxTokens,
        OverlapTokens = Option("--overlap-tokens") is { } overlapTokens ? int.Parse(overlapTokens, CultureInfo.InvariantCulture) : defaultChunking.OverlapTokens,
    },
};
var qualityOnly = args.Contains("--quality");
var compareFusion = args.Contains("--fusion");
var rerank = args.Contains("--rerank");
if (embedderName is not ("minilm" or "arctic" or "lexical"))
{
    Console.Error.WriteLine($"--embedder must be minilm, arctic or lexical, not '{embedderName}'.");
    return 2;
}

if (corpusName is not ("manuals" or "heldout" or "papers"))
{
    Console.Error.WriteLine($"--corpus must be manuals, heldout or papers, not '{corpusName}'.");
    return 2;
}

if (corpusDir is not null && (!qualityOnly || Option("--questions") is null || !Directory.Exists(corpusDir)))
{
    Console.Error.WriteLine(Directory.Exists(corpusDir)
        ? "--corpus-dir needs --quality and --questions FILE."
        : $"--corpus-dir: the folder '{corpusDir}' does not exist.");
    return 2;
}

// The held-out corpus and its questions were written before any tuning and are never read to tune: every default
// change must hold on both sets.
const string Publishers = "usr/share/doc/texlive-doc/latex/";
DocPackage[] packages = corpusName switch
{
    "heldout" =>
    [
        new("bash-doc", "usr/share/doc/bash/bashref.pdf"),
        new("gnuplot-doc", "usr/share/doc/gnuplot/gnuplot.pdf"),
    ],
    "papers" =>
    [
        new(
            "texlive-publishers-doc",
            Publishers + "acmart/samples/sample-sigconf.pdf",
            Publishers + "mnras/mnras_guide.pdf",
            Publishers + "asmejour/asmejour-template.pdf",
            Publishers + "asmeconf/asmeconf-template.pdf"),
    ],
    _ =>
    [
        new("glpk-doc", "usr/share/doc/glpk-doc/glpk.pdf", "usr/share/doc/glpk-doc/gmpl.pdf", "usr/share/doc/glpk-doc/graphs.pdf", "usr/share/doc/glpk-doc/cnfsat.pdf"),
        new("r-doc-pdf", "usr/share/R/doc/manual/R-intro.pdf", "usr/share/R/doc/manual/R-admin.pdf", "usr/share/R/doc/manual/R-data.pdf", "usr/share/R/doc/manual/R-FAQ.pdf"),
        new("python-reportlab-doc", "usr/share/doc/python-reportlab-doc/reportlab-userguide.pdf"),
    ],
};
var questionsFile = Option("--questions") ?? corpusName switch
{
    "heldout" => null,
    "papers" => Path.Combine(AppContext.BaseDirectory, "papers-questions.json"),
    _ => Path.Combine(AppContext.BaseDirectory, "questions.json"),
};
if (questionsFile is null || !File.Exists(questionsFile))
{
    Console.Error.WriteLine(questionsFile is null
        ? "--corpus heldout needs --questions FILE: the held-out questions are kept out of the repository's tuning loop."
        : $"The questions file '{questionsFile}' does not exist.");
    return 2;
}

Console.WriteLine($"# RAG ingestion benchmark: {Environment.ProcessorCount} cores, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
var corpus = corpusDir ?? Path.Combine(cache, corpusName switch { "heldout" => "heldout", "papers" => "papers", _ => "corpus" });
List<CorpusPdf> pdfs = [];
try
{
    if (corpusDir is null)
    {
        pdfs = await DebianDocs.FetchAsync(packages, cache, corpus);
    }
}
catch (AptUnavailableException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

Console.WriteLine();
Console.WriteLine("| Package file | PDF | Size |");
Console.WriteLine("|---|---|---:|");
foreach (var pdf in pdfs)
{
    Console.WriteLine($"| {pdf.PackageFile} | {pdf.PathInPackage} | {pdf.Bytes / 1024.0:F0} KiB |");
}

if (dump is not null)
{
    if (corpusDir is null)
    {
        DumpPages(pdfs, dump);
    }
    else
    {
        DumpSections(corpusDir, dump);
    }
}

// Each stage runs once to warm up (JIT, file cache), then Runs times; the best time is reported, since other
// processes share this machine.
const int Runs = 2;
var database = !qualityOnly ? Path.Combine(Path.GetTempPath(), $"agentkit-bench-rag-{Environment.ProcessId}.db")
    : Option("--index") is { } index ? Path.GetFullPath(index)
    : corpusDir is not null ? Path.Combine(cache, $"dir-{Path.GetFileName(corpusDir.TrimEnd('/'))}-{embedderName}.db")
    : Path.Combine(cache, $"{corpusName switch { "heldout" => "heldout", "papers" => "papers", _ => "index" }}-{embedderName}.db");
try
{
    using var store = new SqliteVectorStore(database);
    using IEmbeddingGenerator<string, Embedding<float>> embedder = embedderName switch
    {
        "minilm" => new MiniLMEmbeddingGenerator(),
        "arctic" => new MiniLMEmbeddingGenerator(new MiniLMEmbeddingGeneratorOptions { Model = BuiltInEmbeddingModel.ArcticEmbedXs }),
        _ => new HashingEmbeddingGenerator(),
    };
    VectorStoreCollection<Guid, RagChunkRecord> collection;
    VectorStoreCollection<Guid, RagPassageRecord>? passages = null;
    VectorStoreCollection<Guid, RagChunkCodeRecord>? codes = null;
    var encoder = args.Contains("--no-codes") ? null : embedder.GetService<IRelevanceScorer>() as IPassageEncodingScorer;
    if (qualityOnly)
    {
        collection = await RagChunkStore.OpenAsync(store, "bench", embedder);
        passages = passageWords > 0 ? await RagChunkStore.OpenPassagesAsync(store, "bench", embedder) : null;
        codes = encoder is null ? null : await RagChunkStore.OpenCodesAsync(store, "bench");
        var report = await new RagIngestor(collection, embedder, ingestion, passages: passages, codes: codes, encoder: encoder).IngestDirectoryAsync(corpus);
        var navigation = await collection.GetAsync(r => r.Navigation, 100_000).CountAsync();
        var chunks = await collection.GetAsync(r => r.ChunkIndex >= 0, 100_000).CountAsync();
        Console.WriteLine($"Index {database}: {report.Count(FileIngestionStatus.Unchanged)} files unchanged, {report.ChunksWritten} chunks written; {navigation} of {chunks} chunks are tables of contents or indexes.");
    }
    else
    {
        (collection, passages, codes) = await TimeIngestionAsync(store, embedder, encoder);
    }

    // Recall@k: a hit is a top-5 chunk from the expected file on one of the expected pages; MRR@5 is the mean of
    // 1 / (rank of the first hit), 0 without one.
    var questions = JsonSerializer.Deserialize<List<LabelledQuestion>>(
        File.ReadAllText(questionsFile), new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
    if (questions.Count == 0)
    {
        Console.Error.WriteLine($"The questions file '{questionsFile}' holds no questions.");
        return 2;
    }

    if (questions.FirstOrDefault(q => q.Pages is not { Length: > 0 } && string.IsNullOrEmpty(q.Section)) is { } unplaced)
    {
        Console.Error.WriteLine($"The questions file '{questionsFile}': \"{unplaced.Question}\" names neither pages nor a section.");
        return 2;
    }

    var scorer = rerank ? embedder.GetService<IRelevanceScorer>() ?? throw new InvalidOperationException($"--rerank: the embedder {embedderName} has no token-level relevance scorer.") : null;
    var retriever = new RagRetriever(collection, embedder, scorer is null ? null : new RelevanceScorerReranker(scorer), passages: passages, codes: codes);
    var liveRetriever = new RagRetriever(collection, embedder, scorer is null ? null : new RelevanceScorerReranker(scorer), passages: passages);
    Console.WriteLine();
    Console.WriteLine(passages is null ? "Vector search: chunk vectors only (--passage-words 0)." : $"Vector search: chunk vectors and passages of {passageWords} words (stride {ingestion.PassageStrideWords}).");
    var kinds = questions.Select(q => q.Kind).Distinct().Order(StringComparer.Ordinal).ToList();
    Console.WriteLine();
    Console.WriteLine($"Retrieval over {questions.Count} labelled questions ({Path.GetFileName(questionsFile)}), top 5, embedder {embedderName}:");
    Console.WriteLine();
    Console.WriteLine("| Mode | Questions | Recall@1 | Recall@5 | MRR@5 |");
    Console.WriteLine("|---|---|---:|---:|---:|");
    var misses = new List<string>();
    var latencies = new List<string>();
    var modes = new List<(string Name, RetrievalOptions Options, RagRetriever Retriever)>
    {
        ("vector", new RetrievalOptions { Mode = RetrievalMode.Vector, Top = 5 }, retriever),
        ("keyword", new RetrievalOptions { Mode = RetrievalMode.Keyword, Top = 5 }, retriever),
        ("hybrid", new RetrievalOptions { Mode = RetrievalMode.Hybrid, Top = 5 }, retriever),
    };
    if (rerank)
    {
        var from = codes is null ? "" : " from stored codes";
        modes.Add(($"vector, re-ranked{from}", new RetrievalOptions { Mode = RetrievalMode.Vector, Top = 5, Rerank = true }, retriever));
        modes.Add(($"hybrid, re-ranked{from}", new RetrievalOptions { Mode = RetrievalMode.Hybrid, Top = 5, Rerank = true }, retriever));
        if (codes is not null)
        {
            modes.Add(("hybrid, re-ranked by model runs over the candidates", new RetrievalOptions { Mode = RetrievalMode.Hybrid, Top = 5, Rerank = true }, liveRetriever));
        }
    }

    foreach (var (name, options, modeRetriever) in modes)
    {
        var ranks = new List<(LabelledQuestion Question, int Rank)>();
        var times = new List<double>();
        foreach (var q in questions)
        {
            var started = Stopwatch.GetTimestamp();
            var results = await modeRetriever.RetrieveAsync(q.Question, options);
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            var rank = results.ToList().FindIndex(q.IsAnsweredBy);
            ranks.Add((q, rank));
            if (rank < 0)
            {
                misses.Add($"{name}: [{q.Kind}] \"{q.Question}\" ({q.Where}); got {string.Join(", ", results.Take(3).Select(LabelledQuestion.Describe))}");
            }
        }

        foreach (var kind in kinds)
        {
            Scores($"{name}", $"{kind} ({questions.Count(q => q.Kind == kind)})", ranks.Where(r => r.Question.Kind == kind).Select(r => r.Rank).ToList());
        }

        Scores($"**{name}**", $"**all ({questions.Count})**", ranks.Select(r => r.Rank).ToList());
        times.Sort();
        latencies.Add(string.Create(CultureInfo.InvariantCulture, $"{name} p50 {times[times.Count / 2]:F1} ms, p95 {times[(int)(times.Count * 0.95)]:F1} ms"));
    }

    Console.WriteLine();
    Console.WriteLine("Search latency (query embedding included): " + string.Join("; ", latencies));

    if (compareFusion)
    {
        await CompareFusionAsync(retriever, questions);
    }

    Console.WriteLine();
    Console.WriteLine("Misses (expected; top 3 returned):");
    misses.ForEach(m => Console.WriteLine("- " + m));
}
finally
{
    SqliteConnection.ClearAllPools();
    if (!qualityOnly)
    {
        foreach (var file in new[] { database, database + "-wal", database + "-shm" })
        {
            File.Delete(file);
        }
    }
}

return 0;

async Task<(VectorStoreCollection<Guid, RagChunkRecord>, VectorStoreCollection<Guid, RagPassageRecord>?, VectorStoreCollection<Guid, RagChunkCodeRecord>?)> TimeIngestionAsync(
    SqliteVectorStore store, IEmbeddingGenerator<string, Embedding<float>> embedder, IPassageEncodingScorer? encoder)
{
    long words = 0;
    var baseline = await BestAsync(() =>
    {
    // Baseline: PdfPig alone, opening each file and extracting every page's words with its default word extractor.
    var pages = 0;
    words = 0;
    foreach (var pdf in pdfs)
    {
        using var document = PdfDocument.Open(File.ReadAllBytes(pdf.Path));
        foreach (var page in document.GetPages())
        {
            pages++;
            words += page.GetWords().Count();
        }
    }

    return Task.FromResult(pages);
    });

    var reader = new PdfDocumentReader();
    var readerOnly = await BestAsync(() =>
    // The reader alone: nearest-neighbour words, Docstrum blocks, reading order, header/footer removal.
    Task.FromResult(pdfs.Sum(pdf => reader.Read(pdf.Path, File.ReadAllBytes(pdf.Path)).PageCount ?? 0)));

    // The whole pipeline: read, chunk, embed (the chosen embedder, batches of 32), upsert into SQLite (synchronous=FULL),
    // each run into a new collection of the same file.
    VectorStoreCollection<Guid, RagChunkRecord> collection = null!;
    VectorStoreCollection<Guid, RagPassageRecord>? passages = null;
    VectorStoreCollection<Guid, RagChunkCodeRecord>? codes = null;
    IngestionReport report = null!;
    var run = 0;
    var pipeline = await BestAsync(async () =>
    {
        collection = await RagChunkStore.OpenAsync(store, "bench" + run, embedder);
        passages = passageWords > 0 ? await RagChunkStore.OpenPassagesAsync(store, "bench" + run, embedder) : null;
        codes = encoder is null ? null : await RagChunkStore.OpenCodesAsync(store, "bench" + run);
        run++;
        report = await new RagIngestor(collection, embedder, ingestion, passages: passages, codes: codes, encoder: encoder).IngestDirectoryAsync(corpus);
        return report.PagesRead;
    });
    var again = await new RagIngestor(collection, embedder, ingestion, passages: passages, codes: codes, encoder: encoder).IngestDirectoryAsync(corpus);
    foreach (var skipped in report.Files.Where(f => f.Status == FileIngestionStatus.Skipped))
    {
        Console.WriteLine($"skipped: {skipped.Path}: {skipped.Reason}: {skipped.Message}");
    }

    Console.WriteLine();
    Console.WriteLine($"Ingestion of {pdfs.Count} PDFs, {report.PagesRead} pages, {words:N0} words (best of {Runs} runs after a warm-up run):");
    Console.WriteLine();
    Console.WriteLine("| Stage | Time | Pages/s | Time vs baseline |");
    Console.WriteLine("|---|---:|---:|---:|");
    Row("baseline: PdfPig open + page.GetWords() (default word extractor)", baseline);
    Row("PdfDocumentReader only (NN words, Docstrum, reading order, header/footer removal)", readerOnly);
    Row($"pipeline: RagIngestor read + chunk + embed + SQLite upsert ({report.ChunksWritten:N0} chunks{(passages is null ? ", no passages" : $", passages of {passageWords} words")}{(codes is null ? "" : ", chunk codes")})", pipeline);
    Console.WriteLine($"| re-ingest, nothing changed ({again.Count(FileIngestionStatus.Unchanged)} files unchanged: hashes only) | {again.Elapsed.TotalSeconds:F2} s | | |");

    void Row(string stage, (double Seconds, int Pages) stat) =>
        Console.WriteLine($"| {stage} | {stat.Seconds:F2} s | {stat.Pages / stat.Seconds:F1} | {stat.Seconds / baseline.Seconds:F2}x |");
    return (collection, passages, codes);
}

// Fuses each question's vector and keyword rankings (top Fusion.HybridDepth of each, as hybrid mode reads them)
// with each method, and scores the top 5.
static async Task CompareFusionAsync(RagRetriever retriever, List<LabelledQuestion> questions)
{
    var rankings = new List<(LabelledQuestion Question, IReadOnlyList<RetrievedChunk> Vector, IReadOnlyList<RetrievedChunk> Keyword)>();
    foreach (var q in questions)
    {
        var vector = await retriever.RetrieveAsync(q.Question, new RetrievalOptions { Mode = RetrievalMode.Vector, Top = Fusion.HybridDepth });
        var keyword = await retriever.RetrieveAsync(q.Question, new RetrievalOptions { Mode = RetrievalMode.Keyword, Top = Fusion.HybridDepth });
        rankings.Add((q, vector, keyword));
    }

    var methods = new List<(string Name, Func<IReadOnlyList<RetrievedChunk>, IReadOnlyList<RetrievedChunk>, List<RetrievedChunk>> Fuse)>
    {
        ("vector only", (v, k) => v.ToList()),
        ("keyword only", (v, k) => k.ToList()),
        ("RRF (k = 60)", (v, k) => Fusion.ReciprocalRank(v, k)),
    };
    foreach (var weight in new[] { 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7 })
    {
        methods.Add(($"min-max, keyword weight {weight:F1}", (v, k) => Fusion.MinMax(v, k, weight)));
        methods.Add(($"z-score, keyword weight {weight:F1}", (v, k) => Fusion.ZScore(v, k, weight)));
    }

    Console.WriteLine();
    Console.WriteLine($"Fusion methods on the same rankings (top {Fusion.HybridDepth} of each side), top 5:");
    Console.WriteLine();
    Console.WriteLine("| Fusion | Questions | Recall@1 | Recall@5 | MRR@5 |");
    Console.WriteLine("|---|---|---:|---:|---:|");
    foreach (var (name, fuse) in methods)
    {
        var ranks = rankings.Select(r => fuse(r.Vector, r.Keyword).Take(5).ToList()
            .FindIndex(r.Question.IsAnsweredBy)).ToList();
        Scores(name, $"all ({ranks.Count})", ranks);
    }
}

static void Scores(string mode, string questions, List<int> ranks) =>
    Console.WriteLine($"| {mode} | {questions} | {ranks.Count(r => r == 0) / (double)ranks.Count:F2} | {ranks.Count(r => r >= 0) / (double)ranks.Count:F2} | {ranks.Sum(r => r >= 0 ? 1.0 / (r + 1) : 0) / ranks.Count:F2} |");

static async Task<(double Seconds, int Pages)> BestAsync(Func<Task<int>> stage)
{
    await stage();
    var best = (Seconds: double.MaxValue, Pages: 0);
    for (var i = 0; i < Runs; i++)
    {
        var clock = Stopwatch.StartNew();
        var pages = await stage();
        best = clock.Elapsed.TotalSeconds < best.Seconds ? (clock.Elapsed.TotalSeconds, pages) : best;
    }

    return best;
}

static void DumpPages(List<CorpusPdf> pdfs, string folder)
{
    var reader = new PdfDocumentReader();
    foreach (var pdf in pdfs)
    {
        var target = Directory.CreateDirectory(Path.Combine(folder, Path.GetFileNameWithoutExtension(pdf.Path))).FullName;
        // A page where a section starts halfway down holds two sections: write them all, in reading order.
        foreach (var page in reader.Read(pdf.Path, File.ReadAllBytes(pdf.Path)).Sections.GroupBy(s => s.Page))
        {
            File.WriteAllText(Path.Combine(target, $"{page.Key:D4}.txt"), string.Join("\n\n", page.Select(s => s.SectionPath + "\n\n" + s.Text)));
        }
    }
}

// Each file's sections as its reader sees them (heading path, then text), DIR/<path in the corpus>.txt.
static void DumpSections(string corpus, string folder)
{
    var readers = DocumentReaderRegistry.CreateDefault();
    foreach (var file in Directory.EnumerateFiles(corpus, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
    {
        if (readers.TryGetReader(file, out var reader))
        {
            var target = Path.Combine(folder, Path.GetRelativePath(corpus, file) + ".txt");
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.WriteAllText(target, string.Join("\n\n", reader.Read(file, File.ReadAllBytes(file)).Sections.Select(s => "=== " + s.SectionPath + " ===\n\n" + s.Text)));
        }
    }
}

string? Option(string name)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
}

/// <summary>
/// A question, its kind (<c>document</c>: in the document's words; <c>user</c>: in a user's words; <c>paraphrase</c>;
/// <c>howto</c>: a "how do I…" task) and where its answer is: the file (its name, or its path relative to the corpus
/// folder where names repeat) and either the 1-based physical page(s) or a section: a part of the heading path that
/// the answering chunk's path contains (case-insensitive), for formats without pages.
/// </summary>
internal sealed record LabelledQuestion(string Question, string Kind, string Source, int[]? Pages, string? Section)
{
    /// <summary>Whether a retrieved chunk holds the answer.</summary>
    public bool IsAnsweredBy(RetrievedChunk chunk)
    {
        var source = chunk.Source.Replace('\\', '/');
        if (source != Source && Path.GetFileName(source) != Source && !source.EndsWith("/" + Source, StringComparison.Ordinal))
        {
            return false;
        }

        return Pages is { Length: > 0 } ? Pages.Contains(chunk.Page ?? 0) : chunk.Section.Contains(Section!, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Where the answer is, for the list of misses.</summary>
    public string Where => Pages is { Length: > 0 } ? $"{Source} p. {string.Join('/', Pages)}" : $"{Source} § {Section}";

    /// <summary>A retrieved chunk, for the list of misses.</summary>
    public static string Describe(RetrievedChunk chunk) =>
        chunk.Page is { } page ? $"{Path.GetFileName(chunk.Source)} p. {page}" : $"{Path.GetFileName(chunk.Source)} § {chunk.Section}";
}
