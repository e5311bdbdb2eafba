using AgentKit.Rag.Chunking;
using AgentKit.Rag.Embeddings;
using AgentKit.Rag.Ingestion;
using AgentKit.Rag.Retrieval;
using AgentKit.Rag.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentKit.Rag.Tests.Ingestion;

/// <summary>Ingestion into the real embedded store: a SQLite file per test.</summary>
public sealed class RagIngestorTests : IAsyncLifetime
{
    private readonly TempFolder _folder = new();
    private readonly HashingEmbeddingGenerator _embedder = new();
    private SqliteChunkStore _store = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _store = await SqliteChunkStore.OpenAsync(_embedder, Token);

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        _folder.Dispose();
        _embedder.Dispose();
    }

    private RagIngestor Ingestor(RagIngestionOptions? options = null, IEmbeddingGenerator<string, Embedding<float>>? embedder = null) =>
        new(_store.Collection, embedder ?? _embedder, options);

    private static FileIngestionResult For(IngestionReport report, string name) =>
        Assert.Single(report.Files, f => Path.GetFileName(f.Path) == name);

    [Fact]
    public async Task IngestDirectory_MixedFolder_WritesGoodFilesAndGivesEveryBadOneATypedReason()
    {
        _folder.Write("guide.md", "# Guide\n\nThe pump needs priming.\n\n## Storage\n\nDrain it before winter.");
        _folder.Write("notes/readme.txt", "Plain notes about the compressor.");
        _folder.Write("manual.pdf", TestPdfs.Simple(["Page one text about valves."], ["Page two text about seals."]));
        _folder.Write("scan.pdf", TestPdfs.ImageOnly(3));
        _folder.Write("secret.pdf", TestPdfs.Encrypted());
        _folder.Write("broken.pdf", TestPdfs.Corrupt());
        _folder.Write("huge.txt", new string('x', 5000));
        _folder.Write("photo.png", TestPdfs.Png(4, 4));
        _folder.Write(".hidden.md", "# Hidden\n\nNot ingested.");

        var report = await Ingestor(new RagIngestionOptions { MaxFileBytes = 4000 }).IngestDirectoryAsync(_folder.Root, cancellationToken: Token);

        Assert.Equal(8, report.Files.Count);
        Assert.Equal((FileIngestionStatus.Added, 2), (For(report, "guide.md").Status, For(report, "guide.md").Chunks));
        Assert.Equal(FileIngestionStatus.Added, For(report, "readme.txt").Status);
        Assert.Equal((FileIngestionStatus.Added, 2, 2), (For(report, "manual.pdf").Status, For(report, "manual.pdf").Chunks, For(report, "manual.pdf").Pages));
        Assert.Equal(IngestionSkipReason.NoText, For(report, "scan.pdf").Reason);
        Assert.Contains("3 page(s)", For(report, "scan.pdf").Message, StringComparison.Ordinal);
        Assert.Equal(IngestionSkipReason.Encrypted, For(report, "secret.pdf").Reason);
        Assert.Equal(IngestionSkipReason.Corrupt, For(report, "broken.pdf").Reason);
        Assert.Equal(IngestionSkipReason.TooLarge, For(report, "huge.txt").Reason);
        Assert.Contains("4,000", For(report, "huge.txt").Message, StringComparison.Ordinal);
        Assert.Contains("huge.txt", For(report, "huge.txt").Message, StringComparison.Ordinal);
        Assert.Equal(IngestionSkipReason.UnsupportedType, For(report, "photo.png").Reason);
        Assert.All(report.Files.Where(f => f.Status == FileIngestionStatus.Skipped), f => Assert.Contains(Path.GetFileName(f.Path), f.Message, StringComparison.Ordinal));
        Assert.Equal(5, report.ChunksWritten);
        Assert.Equal(5, (await _store.RecordsAsync()).Count);
    }

    [Fact]
    public async Task IngestDirectory_OfficeFilesAndEpub_AreChunkedBySectionAndBadPackagesSkipped()
    {
        foreach (var name in (string[])["returns-handbook.docx", "returns-handbook.doc", "returns-handbook.odt", "returns-handbook.epub"])
        {
            _folder.Write(name, File.ReadAllBytes(TestPackages.Fixture(name)));
        }

        byte[] compoundFile = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        _folder.Write("locked.docx", [.. compoundFile, .. new byte[512], .. System.Text.Encoding.Unicode.GetBytes("EncryptedPackage")]);
        _folder.Write("renamed.epub", System.Text.Encoding.UTF8.GetBytes("<html>not a zip</html>"));
        _folder.Write("cut-short.doc", File.ReadAllBytes(TestPackages.Fixture("returns-handbook.doc"))[..1000]);
        _folder.Write("returns-training.pptx", File.ReadAllBytes(TestPackages.Fixture("returns-training.pptx")));

        var report = await Ingestor().IngestDirectoryAsync(_folder.Root, cancellationToken: Token);
        var records = await _store.RecordsAsync();

        foreach (var name in (string[])["returns-handbook.docx", "returns-handbook.doc", "returns-handbook.odt", "returns-handbook.epub"])
        {
            Assert.Equal((FileIngestionStatus.Added, 4), (For(report, name).Status, For(report, name).Chunks));
            var shipping = Assert.Single(records, r => r.Source.EndsWith(name, StringComparison.Ordinal) && r.Section == "Shipping");
            Assert.Equal(("Standard shipping takes 3 days.", "Returns Handbook"), (shipping.Text, shipping.Title));
        }

        Assert.Equal((FileIngestionStatus.Added, 3, 4), (For(report, "returns-training.pptx").Status, For(report, "returns-training.pptx").Chunks, For(report, "returns-training.pptx").Pages));
        Assert.Equal(3, Assert.Single(records, r => r.Source.EndsWith("returns-training.pptx", StringComparison.Ordinal) && r.Section == "Refund methods").Page);
        Assert.Equal(IngestionSkipReason.Encrypted, For(report, "locked.docx").Reason);
        Assert.Equal(IngestionSkipReason.Corrupt, For(report, "renamed.epub").Reason);
        Assert.Equal(IngestionSkipReason.Corrupt, For(report, "cut-short.doc").Reason);
    }

    [Fact]
    public async Task IngestDirectory_Records_CarryCitationFieldsHashesAndVectors()
    {
        var path = _folder.Write("manual.pdf", TestPdfs.Simple(["Valves first."], ["Seals second."]));
        _folder.Write("guide.md", "# Guide\n\n## Storage\n\nDrain it before winter.");

        await Ingestor().IngestDirectoryAsync(_folder.Root, cancellationToken: Token);
        await _store.ReopenAsync(Token);
        var records = await _store.Collection.GetAsync(r => r.ChunkIndex >= 0, 100, new() { IncludeVectors = true }, Token).ToListAsync(Token);

        var page2 = Assert.Single(records, r => r.Source == path && r.Page == 2);
        Assert.Equal(("Seals second.", "manual", 1), (page2.Text, page2.Title, page2.ChunkIndex));
        Assert.Equal(DocumentChunk.Hash("Seals second."), page2.ContentHash);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path))), page2.FileHash);
        Assert.Equal(RagChunkRecord.CreateKey(path, 1), page2.Id);
        Assert.Equal(384, page2.Vector.Length);
        Assert.Contains(" seals ", page2.Terms, StringComparison.Ordinal);
        var storage = Assert.Single(records, r => r.Source.EndsWith("guide.md", StringComparison.Ordinal));
        Assert.Equal(("Guide > Storage", 0, "Guide"), (storage.Section, storage.Page, storage.Title));
    }

    [Fact]
    public async Task IngestDirectory_SecondRunWithoutChanges_SkipsEveryFileByHashWithoutWriting()
    {
        _folder.Write("a.md", "# A\n\nAlpha.");
        _folder.Write("b.txt", "Bravo.");
        var ingestor = Ingestor();
        await ingestor.IngestDirectoryAsync(_folder.Root, cancellationToken: Token);
        var generation = _store.WriteGeneration();
        Assert.True(generation > 0);

        var report = await ingestor.IngestDirectoryAsync(_folder.Root, cancellationToken: Token);

        Assert.Equal(2, report.Files.Count);
        Assert.All(report.Files, f => Assert.Equal(FileIngestionStatus.Unchanged, f.Status));
        Assert.Equal(generation, _store.WriteGeneration());
        Assert.Equal(0, report.ChunksWritten);
    }

    [Fact]
    public async Task IngestDirectory_AfterReopeningTheFile_UnchangedSkippedChangedReplacedDeletedRemoved()
    {
        _folder.Write("same.md", "# Same\n\nThe valve stays shut.");
        var changed = _folder.Write("changed.txt", "The old filter is paper.");
        var deleted = _folder.Write("deleted.txt", "The gasket is rubber.");
        await Ingestor().IngestDirectoryAsync(_folder.Root, cancellationToken: Token);

        await _store.ReopenAsync(Token);
        File.WriteAllText(changed, "The new filter is zeolite.");
        _folder.Delete("deleted.txt");
        var report = await Ingestor().IngestDirectoryAsync(_folder.Root, cancellationToken: Token);

        Assert.Equal(FileIngestionStatus.Unchanged, For(report, "same.md").Status);
        Assert.Equal((FileIngestionStatus.Updated, 1), (For(report, "changed.txt").Status, For(report, "changed.txt").Chunks));
        Assert.Equal((FileIngestionStatus.Removed, 1), (For(report, "deleted.txt").Status, For(report, "deleted.txt").Chunks));
        var records = await _store.RecordsAsync();
        Assert.Equal(["The new filter is zeolite.", "The valve stays shut."], records.Select(r => r.Text).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(records, r => r.Source == deleted);
        var hits = await new RagRetriever(_store.Collection, _embedder).RetrieveAsync("zeolite", new() { Mode = RetrievalMode.Hybrid }, Token);
        Assert.Equal(changed, hits[0].Source);
        Assert.Empty(await new RagRetriever(_store.Collection, _embedder).RetrieveAsync("paper", new() { Mode = RetrievalMode.Keyword }, Token));
    }

    [Fact]
    public async Task IngestDirectory_ChangedFile_IsReplacedAndItsSurplusChunksDeleted()
    {
        var options = new RagIngestionOptions { Chunking = new ChunkingOptions { MaxTokens = 16, OverlapTokens = 0 } };
        var path = _folder.Write("long.txt", string.Join(" ", Enumerable.Range(1, 12).Select(i => $"Sentence number {i} is about pumps.")));
        await Ingestor(options).IngestDirectoryAsync(_folder.Root, cancellationToken: Token);
        var before = (await _store.RecordsAsync()).Count(r => r.Source == path);
        Assert.True(before > 3);

        File.WriteAllText(path, "Now it only talks about compressors.");
        var report = await Ingestor(options).IngestDirectoryAsync(_folder.Root, cancellationToken: Token);

        Assert.Equal((FileIngestionStatus.Updated, 1), (For(report, "long.txt").Status, For(report, "long.txt").Chunks));
        var record = Assert.Single(await _store.RecordsAsync(), r => r.Source == path);
        Assert.Equal(("Now it only talks about compressors.", 0), (record.Text, record.ChunkIndex));
    }

    [Fact]
    public async Task IngestDirectory_DeletedFile_IsRemovedWithItsChunks()
    {
        _folder.Write("keep.md", "# Keep\n\nStays.");
        var gone = _folder.Write("sub/gone.md", "# Gone\n\nGoes away.");
        await Ingestor().IngestDirectoryAsync(_folder.Root, cancellationToken: Token);

        _folder.Delete("sub/gone.md");
        var report = await Ingestor().IngestDirectoryAsync(_folder.Root, cancellationToken: Token);

        var removed = Assert.Single(report.Files, f => f.Status == FileIngestionStatus.Removed);
        Assert.Equal((gone, 1), (removed.Path, removed.Chunks));
        var records = await _store.RecordsAsync();
        Assert.DoesNotContain(records, r => r.Source == gone);
        Assert.Contains(records, r => r.Source.EndsWith("keep.md", StringComparison.Ordinal));
    }

    [Fact]
    public async Task IngestDirectory_FilesOfAnotherFolder_AreNotRemoved()
    {
        using var other = new TempFolder();
        var elsewhere = other.Write("other.md", "# Other\n\nElsewhere.");
        await Ingestor().IngestFilesAsync([elsewhere], cancellationToken: Token);
        _folder.Write("mine.md", "# Mine\n\nHere.");

        var report = await Ingestor().IngestDirectoryAsync(_folder.Root, cancellationToken: Token);

        Assert.DoesNotContain(report.Files, f => f.Status == FileIngestionStatus.Removed);
        Assert.Contains(await _store.RecordsAsync(), r => r.Source == elsewhere);
    }

    [Fact]
    public async Task IngestDirectory_FileThatBecameCorrupt_IsSkippedAndItsStaleChunksDeleted()
    {
        var path = _folder.Write("doc.pdf", TestPdfs.Simple(["Valid text."]));
        await Ingestor().IngestDirectoryAsync(_folder.Root, cancellationToken: Token);

        File.WriteAllBytes(path, TestPdfs.Corrupt());
        var report = await Ingestor().IngestDirectoryAsync(_folder.Root, cancellationToken: Token);

        Assert.Equal(IngestionSkipReason.Corrupt, For(report, "doc.pdf").Reason);
        Assert.Empty(await _store.RecordsAsync());
    }

    [Fact]
    public async Task IngestFiles_OverMaxChunksPerFile_IsSkippedNamingTheLimit()
    {
        var path = _folder.Write("many.txt", string.Join("\n\n", Enumerable.Range(1, 5).Select(i => $"Paragraph {i} talks about pumps and valves at some length.")));

        var report = await Ingestor(new RagIngestionOptions { MaxChunksPerFile = 3, Chunking = new ChunkingOptions { MaxTokens = 16, OverlapTokens = 0 } })
            .IngestFilesAsync([path], cancellationToken: Token);

        var result = Assert.Single(report.Files);
        Assert.Equal(IngestionSkipReason.TooManyChunks, result.Reason);
        Assert.Contains("MaxChunksPerFile", result.Message, StringComparison.Ordinal);
        Assert.Contains("3", result.Message, StringComparison.Ordinal);
        Assert.Empty(await _store.RecordsAsync());
    }

    [Fact]
    public async Task IngestFiles_EmbeddingFailureOnOneFile_DoesNotStopTheOthers()
    {
        var bad = _folder.Write("bad.txt", "POISON text the embedder refuses.");
        var good = _folder.Write("good.txt", "Ordinary text.");
        using var embedder = new FailingEmbedder(_embedder, "POISON");

        var report = await Ingestor(embedder: embedder).IngestFilesAsync([bad, good], cancellationToken: Token);

        Assert.Equal(IngestionSkipReason.EmbeddingFailed, For(report, "bad.txt").Reason);
        Assert.Contains("refused", For(report, "bad.txt").Message, StringComparison.Ordinal);
        Assert.Equal(FileIngestionStatus.Added, For(report, "good.txt").Status);
    }

    [Fact]
    public async Task IngestFiles_AnotherEmbeddingModel_ReembedsUnchangedFiles()
    {
        var path = _folder.Write("a.txt", "Same content.");
        await Ingestor().IngestFilesAsync([path], cancellationToken: Token);
        using var other = new HashingEmbeddingGenerator(new HashingEmbeddingGeneratorOptions { IncludeBigrams = false });

        var report = await Ingestor(embedder: other).IngestFilesAsync([path], cancellationToken: Token);

        Assert.Equal(FileIngestionStatus.Updated, Assert.Single(report.Files).Status);
    }

    [Fact]
    public async Task IngestDirectory_ReportsProgressAfterEachFile()
    {
        _folder.Write("a.txt", "A.");
        _folder.Write("b.txt", "B.");
        var seen = new List<IngestionProgress>();

        await Ingestor().IngestDirectoryAsync(_folder.Root, new SynchronousProgress<IngestionProgress>(seen.Add), Token);

        var done = seen.Where(p => p.Last is not null).ToList();
        Assert.Equal([(1, 2), (2, 2)], done.Select(p => (p.Completed, p.Total)));
        Assert.EndsWith("b.txt", done[1].Last!.Path, StringComparison.Ordinal);
        Assert.Equal(1.0, seen[^1].Fraction);
    }

    [Fact]
    public async Task IngestDirectory_PagedFile_ReportsPagesAsTheyAreEmbedded()
    {
        _folder.Write("manual.pdf", TestPdfs.Simple(
            ["Close the inlet valve."], ["Drain the pump housing."], ["Remove the worn seal."],
            ["Fit the new seal ring."], ["Refill the housing with water."], ["Open the inlet valve again."]));
        var seen = new List<IngestionProgress>();

        await Ingestor(new RagIngestionOptions { EmbeddingBatchSize = 2 }).IngestDirectoryAsync(_folder.Root, new SynchronousProgress<IngestionProgress>(seen.Add), Token);

        var running = seen.Where(p => p.Last is null).ToList();
        Assert.Equal([0, 2, 4, 6], running.Select(p => p.Page));
        Assert.All(running, p => Assert.Equal((6, 0, 1), (p.Pages, p.Completed, p.Total)));
        Assert.Equal([0.0, 1 / 3.0, 2 / 3.0, 1.0], running.Select(p => p.Fraction), new ToleranceComparer(1e-9));
        Assert.Equal((1, 6, 6), (seen[^1].Completed, seen[^1].Page, seen[^1].Pages));
        Assert.All(seen, p => Assert.EndsWith("manual.pdf", p.File, StringComparison.Ordinal));
    }

    [Fact]
    public async Task IngestDirectory_TableOfContents_IsFlaggedAndNeverRetrieved()
    {
        _folder.Write("contents.md", "# Contents\n\n1 Priming the pump . . . . . . . . 3 2 Priming after storage . . . . . . . . 7 3 Pump seal . . . . . . . . 9 4 Pump filters . . . . . . . . 12 5 Warranty . . . . . . . . 15");
        _folder.Write("pumps.md", "# Pumps\n\n## Priming\n\nPrime the pump with water before the first start. A dry start ruins the seal.");
        await Ingestor().IngestDirectoryAsync(_folder.Root, cancellationToken: Token);
        var retriever = new RagRetriever(_store.Collection, _embedder);

        var records = await _store.RecordsAsync();

        Assert.True(Assert.Single(records, r => r.Source.EndsWith("contents.md", StringComparison.Ordinal)).Navigation);
        Assert.False(Assert.Single(records, r => r.Source.EndsWith("pumps.md", StringComparison.Ordinal)).Navigation);
        foreach (var mode in Enum.GetValues<RetrievalMode>())
        {
            var results = await retriever.RetrieveAsync("priming the pump", new RetrievalOptions { Mode = mode, Top = 5 }, Token);
            Assert.Equal("pumps.md", Path.GetFileName(Assert.Single(results).Source));
        }
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }

    [Fact]
    public async Task IngestDirectory_Cancelled_Throws()
    {
        _folder.Write("a.txt", "A.");
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Ingestor().IngestDirectoryAsync(_folder.Root, cancellationToken: cancelled.Token));
    }

    [Fact]
    public async Task IngestDirectory_MissingFolder_ThrowsNamingIt()
    {
        var missing = Path.Combine(_folder.Root, "nope");

        var error = await Assert.ThrowsAsync<DirectoryNotFoundException>(() => Ingestor().IngestDirectoryAsync(missing, cancellationToken: Token));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    private sealed class FailingEmbedder(IEmbeddingGenerator<string, Embedding<float>> inner, string poison)
        : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
    {
        public override Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            var list = values.ToList();
            return list.Any(v => v.Contains(poison, StringComparison.Ordinal))
                ? throw new InvalidOperationException("The input was refused.")
                : base.GenerateAsync(list, options, cancellationToken);
        }
    }
}
