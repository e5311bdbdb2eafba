using AgentKit.Rag.Documents;
using AgentKit.Rag.Embeddings;
using AgentKit.Rag.Ingestion;
using AgentKit.Rag.Readers;
using AgentKit.VectorStores.Sqlite;

namespace AgentKit.Hostile.Tests.Pdf;

/// <summary>
/// Corrupt, encrypted, huge and bomb PDFs through <see cref="PdfDocumentReader"/> (PdfPig) and the ingestor: each is
/// a <see cref="DocumentReadException"/> naming the file (or a skipped file in the ingestion report naming the limit),
/// never another exception, a hang or an allocation sized by the file's claims; other documents are untouched.
/// </summary>
public sealed class PdfHostileTests
{
    private static readonly PdfDocumentReader Reader = new();

    private static string Corpus(string name) => Path.Combine(AppContext.BaseDirectory, "corpus", "pdf", name);

    private static async Task<DocumentReadException> RefusedAsync(byte[] bytes, string name, PdfDocumentReader? reader = null)
    {
        var path = "/hostile/" + name;
        var error = await Bounded.ThrowsAsync<DocumentReadException>(() => (reader ?? Reader).Read(path, bytes, TestContext.Current.CancellationToken), name);
        Assert.Equal(path, error.SourcePath);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        return error;
    }

    [Fact]
    public async Task Garbage_EmptyAndHeaderOnly_AreCorrupt()
    {
        var random = new Random(3);
        var garbage = new byte[4096];
        random.NextBytes(garbage);
        foreach (var (name, bytes) in new[]
        {
            ("garbage.pdf", garbage),
            ("empty.pdf", Array.Empty<byte>()),
            ("header-only.pdf", "%PDF-1.7\n"u8.ToArray()),
            ("text.pdf", "This is a plain text file named .pdf\n"u8.ToArray()),
            ("html.pdf", "<!doctype html><html><body>not a pdf</body></html>"u8.ToArray()),
        })
        {
            var error = await RefusedAsync(bytes, name);
            Assert.Equal(DocumentReadFailure.Corrupt, error.Failure);
        }
    }

    /// <summary>A valid document cut at 40 offsets: each prefix either reads (lenient parsing recovers) or is Corrupt.</summary>
    [Fact]
    public async Task Truncated_AtManyOffsets_ReadsOrIsCorrupt()
    {
        var whole = RawPdf.ManyPages(3);
        Assert.Equal(3, Reader.Read("whole.pdf", whole, TestContext.Current.CancellationToken).PageCount);
        var random = new Random(5);
        var cuts = new SortedSet<int> { 1, 8, 9, whole.Length - 1, whole.Length - 7 };
        while (cuts.Count < 40)
        {
            cuts.Add(random.Next(10, whole.Length - 1));
        }

        foreach (var cut in cuts)
        {
            RagDocument? document = null;
            var error = await Bounded.CatchAsync(() => document = Reader.Read($"cut-{cut}.pdf", whole.AsMemory(0, cut), TestContext.Current.CancellationToken), $"the PDF cut at {cut}");
            if (error is not null)
            {
                var read = Assert.IsType<DocumentReadException>(error);
                Assert.Equal(DocumentReadFailure.Corrupt, read.Failure);
                Assert.Contains($"cut-{cut}.pdf", read.Message, StringComparison.Ordinal);
            }
            else
            {
                Assert.InRange(document!.PageCount ?? 0, 0, 3);
            }
        }
    }

    /// <summary>Files encrypted by qpdf (AES-256, R6; RC4-128, R3) with a user password (see corpus/README.md).</summary>
    [Theory]
    [InlineData("encrypted-aes256.pdf")]
    [InlineData("encrypted-rc4-128.pdf")]
    public async Task Encrypted_WithUserPassword_IsEncrypted(string name)
    {
        var error = await RefusedAsync(File.ReadAllBytes(Corpus(name)), name);

        Assert.Equal(DocumentReadFailure.Encrypted, error.Failure);
        Assert.Contains("needs a password", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A page tree whose /Count claims 2^31-1 pages (it has one): PdfPig counts the pages the tree really holds, so
    /// the claim sizes nothing; the document reads as its one page, quickly.
    /// </summary>
    [Fact]
    public async Task PageCountBomb_ReadsAsTheRealPages()
    {
        RagDocument? document = null;
        var error = await Bounded.CatchAsync(
            () => document = Reader.Read("page-count-bomb.pdf", RawPdf.OnePage("tiny", pagesCount: "2147483647"), TestContext.Current.CancellationToken),
            "page-count bomb", TimeSpan.FromSeconds(10));

        Assert.Null(error);
        Assert.Equal(1, document!.PageCount);
        Assert.Equal("tiny", Assert.Single(document.Sections).Text);
    }

    [Fact]
    public async Task NegativePageCount_IsCorruptOrEmpty()
    {
        var error = await Bounded.CatchAsync(() => Reader.Read("negative.pdf", RawPdf.OnePage("tiny", pagesCount: "-5"), TestContext.Current.CancellationToken), "negative page count");

        Assert.True(error is null or DocumentReadException, $"{error}");
    }

    [Fact]
    public async Task RealPagesOverTheLimit_AreRefused_AndAtTheLimitRead()
    {
        var limited = new PdfDocumentReader(maxPages: 20);

        var error = await RefusedAsync(RawPdf.ManyPages(21), "21-pages.pdf", limited);
        Assert.Equal(DocumentReadFailure.TooLarge, error.Failure);
        Assert.Contains("MaxPages", error.Message, StringComparison.Ordinal);

        var document = limited.Read("20-pages.pdf", RawPdf.ManyPages(20), TestContext.Current.CancellationToken);
        Assert.Equal(20, document.PageCount);
        Assert.Equal(20, document.Sections[^1].Page);
    }

    /// <summary>Arrays and dictionaries nested tens of thousands deep in a page dictionary and in the content stream.</summary>
    [Theory]
    [InlineData("array", 50_000)]
    [InlineData("dictionary", 50_000)]
    public async Task DeepNesting_IsRefusedOrRead_NeverOverflowsTheStack(string kind, int depth)
    {
        var nested = kind == "array"
            ? new string('[', depth) + new string(']', depth)
            : string.Concat(Enumerable.Repeat("<< /A ", depth)) + string.Concat(Enumerable.Repeat(" >>", depth));
        var bytes = RawPdf.OnePage("deep", pageExtra: "/Junk " + nested);

        var error = await Bounded.CatchAsync(() => Reader.Read("deep.pdf", bytes, TestContext.Current.CancellationToken), $"{kind} nested {depth} deep");

        Assert.True(error is null or DocumentReadException, $"{error}");
    }

    /// <summary>
    /// One folder: a good text file, the encrypted, corrupt, bomb PDFs and a PDF over MaxFileBytes. The good file is
    /// ingested (and the page-count bomb as its one real page); each bad one is skipped with a reason and a message naming the file (and limit).
    /// </summary>
    [Fact]
    public async Task Ingestion_SkipsEachBadPdf_WithItsReason_AndKeepsTheGoodDocument()
    {
        var ct = TestContext.Current.CancellationToken;
        var folder = Directory.CreateTempSubdirectory("agentkit-hostile-ingest-");
        try
        {
            File.WriteAllText(Path.Combine(folder.FullName, "good.txt"), "Returns are accepted within thirty days of delivery.");
            File.Copy(Corpus("encrypted-aes256.pdf"), Path.Combine(folder.FullName, "encrypted.pdf"));
            File.WriteAllBytes(Path.Combine(folder.FullName, "corrupt.pdf"), RawPdf.ManyPages(2)[..200]);
            File.WriteAllBytes(Path.Combine(folder.FullName, "bomb.pdf"), RawPdf.OnePage("tiny", pagesCount: "2147483647"));
            File.WriteAllBytes(Path.Combine(folder.FullName, "huge.pdf"), RawPdf.ManyPages(40));

            using var embedder = new HashingEmbeddingGenerator();
            using var store = new SqliteVectorStore(Path.Combine(folder.FullName, "..", folder.Name + ".db"));
            var collection = await RagChunkStore.OpenAsync(store, RagChunkStore.DefaultName, embedder, ct);
            var ingestor = new RagIngestor(collection, embedder, new RagIngestionOptions { MaxFileBytes = 4096 });

            var report = await ingestor.IngestDirectoryAsync(folder.FullName, cancellationToken: ct).WaitAsync(TimeSpan.FromSeconds(60), ct);

            FileIngestionResult Of(string file) => Assert.Single(report.Files, f => Path.GetFileName(f.Path) == file);
            Assert.Equal(FileIngestionStatus.Added, Of("good.txt").Status);
            Assert.Equal(IngestionSkipReason.Encrypted, Of("encrypted.pdf").Reason);
            Assert.Equal(IngestionSkipReason.Corrupt, Of("corrupt.pdf").Reason);
            Assert.Equal(FileIngestionStatus.Added, Of("bomb.pdf").Status);
            Assert.Equal(1, Of("bomb.pdf").Pages);
            Assert.Equal(IngestionSkipReason.TooLarge, Of("huge.pdf").Reason);
            Assert.Contains("MaxFileBytes", Of("huge.pdf").Message, StringComparison.Ordinal);
            foreach (var bad in report.Files.Where(f => f.Status == FileIngestionStatus.Skipped))
            {
                Assert.Contains(bad.Path, bad.Message, StringComparison.Ordinal);
            }

            var sources = (await collection.GetAsync(r => r.ChunkIndex >= 0, 100, cancellationToken: ct).ToListAsync(ct)).Select(c => Path.GetFileName(c.Source));
            Assert.Equal(["bomb.pdf", "good.txt"], sources.Order(StringComparer.Ordinal));
        }
        finally
        {
            folder.Delete(recursive: true);
            File.Delete(Path.Combine(folder.Parent!.FullName, folder.Name + ".db"));
        }
    }
}
