using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AgentKit.Bench.Rag;
using AgentKit.Rag.Embeddings;
using AgentKit.Rag.Ingestion;
using AgentKit.Rag.Readers;
using AgentKit.Rag.Retrieval;
using AgentKit.VectorStores.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.VectorData;
using UglyToad.PdfPig;

// RAG ingestion figures for issue #4: pages/s of the whole pipeline on real text PDFs from Debian documentation
// packages, against raw PdfPig extraction on the same files, and recall@5 of vector, keyword and hybrid retrieval
// on the labelled questions in questions.json.
// Usage: AgentKit.Bench.Rag [--cache DIR] [--dump-pages DIR]
//   --cache       where the .deb files and the corpus are kept (default ~/.cache/agentkit/bench-rag)
//   --dump-pages  also write each page's text as the PDF reader sees it (DIR/<file>/<page>.txt), for writing questions
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var cache = Option("--cache") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "agentkit", "bench-rag");
var dump = Option("--dump-pages");

DocPackage[] packages =
[
    new("glpk-doc", "usr/share/doc/glpk-doc/glpk.pdf", "usr/share/doc/glpk-doc/gmpl.pdf", "usr/share/doc/glpk-doc/graphs.pdf", "usr/share/doc/glpk-doc/cnfsat.pdf"),
    new("r-doc-pdf", "usr/share/R/doc/manual/R-intro.pdf", "usr/share/R/doc/manual/R-admin.pdf", "usr/share/R/doc/manual/R-data.pdf", "usr/share/R/doc/manual/R-FAQ.pdf"),
    new("python-reportlab-doc", "usr/share/doc/python-reportlab-doc/reportlab-userguide.pdf"),
];

Console.WriteLine($"# RAG ingestion benchmark: {Environment.ProcessorCount} cores, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
var corpus = Path.Combine(cache, "corpus");
List<CorpusPdf> pdfs;
try
{
    pdfs = await DebianDocs.FetchAsync(packages, cache, corpus);
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
    DumpPages(pdfs, dump);
}

// Each stage runs once to warm up (JIT, file cache), then Runs times; the best time is reported, since other
// processes share this machine.
const int Runs = 2;
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

// The whole pipeline: read, chunk, embed (hashing embedder, batches of 32), upsert into SQLite (synchronous=FULL),
// each run into a new collection of the same file.
var database = Path.Combine(Path.GetTempPath(), $"agentkit-bench-rag-{Environment.ProcessId}.db");
try
{
    using var store = new SqliteVectorStore(database);
    using var embedder = new HashingEmbeddingGenerator();
    VectorStoreCollection<Guid, RagChunkRecord> collection = null!;
    IngestionReport report = null!;
    var run = 0;
    var pipeline = await BestAsync(async () =>
    {
        collection = await RagChunkStore.OpenAsync(store, "bench" + run++, embedder);
        report = await new RagIngestor(collection, embedder).IngestDirectoryAsync(corpus);
        return report.PagesRead;
    });
    var again = await new RagIngestor(collection, embedder).IngestDirectoryAsync(corpus);
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
    Row($"pipeline: RagIngestor read + chunk + embed + SQLite upsert ({report.ChunksWritten:N0} chunks)", pipeline);
    Console.WriteLine($"| re-ingest, nothing changed ({again.Count(FileIngestionStatus.Unchanged)} files unchanged: hashes only) | {again.Elapsed.TotalSeconds:F2} s | | |");

    void Row(string stage, (double Seconds, int Pages) stat) =>
        Console.WriteLine($"| {stage} | {stat.Seconds:F2} s | {stat.Pages / stat.Seconds:F1} | {stat.Seconds / baseline.Seconds:F2}x |");

    // Recall@5 on the labelled questions: a hit is a top-5 chunk from the expected file and page.
    var questions = JsonSerializer.Deserialize<List<LabelledQuestion>>(
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "questions.json")), new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
    var retriever = new RagRetriever(collection, embedder);
    Console.WriteLine();
    Console.WriteLine($"Retrieval over {questions.Count} labelled questions (questions.json), top 5:");
    Console.WriteLine();
    Console.WriteLine("| Mode | Recall@1 | Recall@5 | MRR@5 | Mean ms/query |");
    Console.WriteLine("|---|---:|---:|---:|---:|");
    var misses = new List<string>();
    foreach (var mode in new[] { RetrievalMode.Vector, RetrievalMode.Keyword, RetrievalMode.Hybrid })
    {
        int at1 = 0, at5 = 0;
        double reciprocal = 0;
        var clock = Stopwatch.StartNew();
        foreach (var q in questions)
        {
            var results = await retriever.RetrieveAsync(q.Question, new RetrievalOptions { Mode = mode, Top = 5 });
            var rank = results.ToList().FindIndex(r => Path.GetFileName(r.Source) == q.Source && r.Page == q.Page);
            at1 += rank == 0 ? 1 : 0;
            at5 += rank >= 0 ? 1 : 0;
            reciprocal += rank >= 0 ? 1.0 / (rank + 1) : 0;
            if (rank < 0)
            {
                misses.Add($"{mode}: \"{q.Question}\" ({q.Source} p. {q.Page}); got {string.Join(", ", results.Take(3).Select(r => $"{Path.GetFileName(r.Source)} p. {r.Page}"))}");
            }
        }

        clock.Stop();
        Console.WriteLine($"| {mode.ToString().ToLowerInvariant()} | {(double)at1 / questions.Count:F2} | {(double)at5 / questions.Count:F2} | {reciprocal / questions.Count:F2} | {clock.Elapsed.TotalMilliseconds / questions.Count:F1} |");
    }

    Console.WriteLine();
    Console.WriteLine("Misses (expected; top 3 returned):");
    misses.ForEach(m => Console.WriteLine("- " + m));
}
finally
{
    SqliteConnection.ClearAllPools();
    foreach (var file in new[] { database, database + "-wal", database + "-shm" })
    {
        File.Delete(file);
    }
}

return 0;

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
        foreach (var section in reader.Read(pdf.Path, File.ReadAllBytes(pdf.Path)).Sections)
        {
            File.WriteAllText(Path.Combine(target, $"{section.Page:D4}.txt"), section.SectionPath + "\n\n" + section.Text);
        }
    }
}

string? Option(string name)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
}

/// <summary>A question and where its answer is: the PDF's file name and the 1-based physical page.</summary>
internal sealed record LabelledQuestion(string Question, string Source, int Page);
