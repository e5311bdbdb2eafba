using AgentKit.Abstractions.Embeddings;
using AgentKit.Abstractions.Graph;
using AgentKit.Abstractions.Text;
using System.Diagnostics;
using System.Linq.Expressions;
using System.Security.Cryptography;
using AgentKit.Rag.Chunking;
using AgentKit.Rag.Readers;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.VectorData;

namespace AgentKit.Rag.Ingestion;

/// <summary>
/// Reads files, chunks them, embeds the chunks in batches and upserts them into a collection of
/// <see cref="RagChunkRecord"/>; incremental across runs.
/// </summary>
/// <remarks>
/// <para>
/// A file whose SHA-256 (and embedding model) matches what the collection holds is skipped as unchanged. A changed
/// file's chunks are overwritten in place (keys derive from path and index) and its surplus old chunks deleted.
/// A file's chunks are upserted in one batch (all or none on a store that writes a batch in one transaction, as the
/// SQLite store does), chunk 0, which carries the file hash, last: a run cut short leaves the file looking changed
/// and the next run redoes it; surplus chunks left by a cut-short update are deleted by the next run. When a folder is ingested, files that vanished from it have their chunks deleted.
/// </para>
/// <para>
/// One bad file never stops the run: unknown types, files over <see cref="RagIngestionOptions.MaxFileBytes"/>,
/// encrypted, corrupt or text-less files, files over <see cref="RagIngestionOptions.MaxChunksPerFile"/>, unreadable
/// files and embedding failures each become a <see cref="FileIngestionStatus.Skipped"/> entry with an
/// <see cref="IngestionSkipReason"/> and a message naming the file. A previously ingested file that now fails has
/// its stale chunks deleted. Store errors and cancellation do stop the run.
/// </para>
/// <para>
/// With a knowledge graph (an <see cref="IGraphEvidenceSink"/>), each file's chunks are handed to it after the file
/// is stored, unchanged files too: the graph extracts only chunks whose text it has not seen, so a file added or
/// changed costs model calls for its new chunks only, and a graph that missed a run catches up on the next. Files
/// removed or turned unreadable are removed from the graph. A graph failure is logged and does not fail the file.
/// </para>
/// </remarks>
public sealed class RagIngestor
{
    private readonly VectorStoreCollection<Guid, RagChunkRecord> _collection;
    private readonly IEmbeddingGenerator<string, Embedding<float>> _embedder;
    private readonly RagIngestionOptions _options;
    private readonly DocumentReaderRegistry _readers;
    private readonly TextChunker _chunker;
    private readonly string _modelName;
    private readonly IGraphEvidenceSink? _graph;
    private readonly VectorStoreCollection<Guid, RagPassageRecord>? _passages;
    private readonly VectorStoreCollection<Guid, RagChunkCodeRecord>? _codes;
    private readonly IPassageEncodingScorer? _encoder;
    private readonly ILogger _logger;

    /// <summary>Creates an ingestor.</summary>
    /// <param name="collection">The chunk collection (see <see cref="RagChunkStore.OpenAsync"/>).</param>
    /// <param name="embedder">The embedding generator; the same one must serve retrieval.</param>
    /// <param name="options">Limits and sizes; defaults when null.</param>
    /// <param name="readers">The readers; <see cref="DocumentReaderRegistry.CreateDefault"/> when null.</param>
    /// <param name="tokenCounter">
    /// Counts chunk tokens; when null, the embedder's own (<c>GetService&lt;ITokenCounter&gt;()</c>), else
    /// <see cref="EstimatedTokenCounter"/>.
    /// </param>
    /// <param name="logger">Where progress is logged; nowhere when null.</param>
    /// <param name="graph">The knowledge graph fed with each file's chunks (keyed by chunk key, source = file path); none when null.</param>
    /// <param name="passages">
    /// The passage collection beside <paramref name="collection"/> (<see cref="RagChunkStore.OpenPassagesAsync"/>): each
    /// chunk's overlapping windows of <see cref="RagIngestionOptions.PassageWords"/> words are embedded into it, for a
    /// <see cref="Retrieval.RagRetriever"/> given the same collection. None when null, or when PassageWords is 0.
    /// </param>
    /// <param name="codes">
    /// The code collection beside <paramref name="collection"/> (<see cref="RagChunkStore.OpenCodesAsync"/>): each chunk
    /// is embedded by <paramref name="encoder"/>, whose one model run also gives its token code, kept there for a
    /// <see cref="Retrieval.RagRetriever"/> given the same collection. None when null.
    /// </param>
    /// <param name="encoder">Embeds and encodes chunks when <paramref name="codes"/> is given; it must embed as <paramref name="embedder"/> does.</param>
    /// <exception cref="ArgumentOutOfRangeException">The options are out of range.</exception>
    /// <exception cref="ArgumentException">Only one of <paramref name="codes"/> and <paramref name="encoder"/> is given.</exception>
    public RagIngestor(
        VectorStoreCollection<Guid, RagChunkRecord> collection,
        IEmbeddingGenerator<string, Embedding<float>> embedder,
        RagIngestionOptions? options = null,
        DocumentReaderRegistry? readers = null,
        ITokenCounter? tokenCounter = null,
        ILogger<RagIngestor>? logger = null,
        IGraphEvidenceSink? graph = null,
        VectorStoreCollection<Guid, RagPassageRecord>? passages = null,
        VectorStoreCollection<Guid, RagChunkCodeRecord>? codes = null,
        IPassageEncodingScorer? encoder = null)
    {
        ArgumentNullException.ThrowIfNull(collection);
        ArgumentNullException.ThrowIfNull(embedder);
        if ((codes is null) != (encoder is null))
        {
            throw new ArgumentException("A code collection and a passage encoder go together: give both or neither.", codes is null ? nameof(codes) : nameof(encoder));
        }

        _codes = codes;
        _encoder = encoder;
        _options = options ?? new RagIngestionOptions();
        _options.Validate();
        _collection = collection;
        _embedder = embedder;
        _passages = _options.PassageWords > 0 ? passages : null;
        _readers = readers ?? DocumentReaderRegistry.CreateDefault();
        // The model's input limit only holds in its own tokens: a caller's counter may count differently.
        var counter = tokenCounter ?? TokenCounterFor(embedder);
        _chunker = new TextChunker(counter, _options.Chunking, tokenCounter is null ? embedder.GetService<ModelInputLimit>() : null);
        _modelName = RagChunkStore.ModelName(embedder);
        _graph = graph;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The embedder's own token counter (a model's tokenizer), else the estimate.</summary>
    internal static ITokenCounter TokenCounterFor(IEmbeddingGenerator<string, Embedding<float>> embedder) =>
        embedder.GetService<ITokenCounter>() ?? EstimatedTokenCounter.Instance;

    /// <summary>
    /// Ingests every file under a folder (recursively, hidden files and folders left out), then deletes the chunks of
    /// files under the folder that the collection holds but the folder no longer has.
    /// </summary>
    /// <param name="directory">The folder.</param>
    /// <param name="progress">Told as each batch of pages is embedded and after each file.</param>
    /// <param name="cancellationToken">Stops the run between files or batches; what was written stays.</param>
    /// <returns>The report.</returns>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public async Task<IngestionReport> IngestDirectoryAsync(string directory, IProgress<IngestionProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"The folder to ingest, '{root}', does not exist.");
        }

        var files = Directory.EnumerateFiles(root, "*", new EnumerationOptions
        {
            RecurseSubdirectories = true,
            IgnoreInaccessible = true,
            AttributesToSkip = FileAttributes.Hidden | FileAttributes.System,
        }).Order(StringComparer.Ordinal).ToList();
        return await RunAsync(files, root, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ingests the given files. Nothing is removed for files not in the list.</summary>
    /// <param name="files">The files.</param>
    /// <param name="progress">Told as each batch of pages is embedded and after each file.</param>
    /// <param name="cancellationToken">Stops the run between files or batches; what was written stays.</param>
    /// <returns>The report.</returns>
    public Task<IngestionReport> IngestFilesAsync(IEnumerable<string> files, IProgress<IngestionProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        var paths = files.Select(Path.GetFullPath).Distinct(StringComparer.Ordinal).ToList();
        return RunAsync(paths, null, progress, cancellationToken);
    }

    /// <summary>Deletes every chunk of a file from the collection.</summary>
    /// <param name="path">The file path (it need not exist any more).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many chunks were deleted.</returns>
    public async Task<int> RemoveFileAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        var deleted = await DeleteChunksAsync(full, cancellationToken).ConfigureAwait(false);
        await RemoveFromGraphAsync(full, cancellationToken).ConfigureAwait(false);
        return deleted;
    }

    private async Task<IngestionReport> RunAsync(List<string> files, string? root, IProgress<IngestionProgress>? progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var results = new List<FileIngestionResult>(files.Count);
        foreach (var file in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var done = results.Count;
            var pages = progress is null ? null : new Action<int, int>((page, count) =>
                progress.Report(new IngestionProgress(done, files.Count, null) { File = file, Page = page, Pages = count }));
            var result = await IngestFileAsync(file, pages, cancellationToken).ConfigureAwait(false);
            results.Add(result);
            Log(result);
            progress?.Report(new IngestionProgress(results.Count, files.Count, result) { File = file, Page = result.Pages, Pages = result.Pages });
        }

        if (root is not null)
        {
            var present = files.ToHashSet(StringComparer.Ordinal);
            var prefix = root + Path.DirectorySeparatorChar;
            foreach (var source in await KnownSourcesAsync(cancellationToken).ConfigureAwait(false))
            {
                if (source.StartsWith(prefix, StringComparison.Ordinal) && !present.Contains(source))
                {
                    var deleted = await DeleteChunksAsync(source, cancellationToken).ConfigureAwait(false);
                    await RemoveFromGraphAsync(source, cancellationToken).ConfigureAwait(false);
                    var removed = new FileIngestionResult(source, FileIngestionStatus.Removed, deleted);
                    results.Add(removed);
                    IngestionLog.FileRemoved(_logger, source, deleted);
                }
            }
        }

        var report = new IngestionReport(results, clock.Elapsed);
        int Count(FileIngestionStatus status) => results.Count(r => r.Status == status);
        var (added, updated, unchanged, skipped, removedCount) = (Count(FileIngestionStatus.Added), Count(FileIngestionStatus.Updated),
            Count(FileIngestionStatus.Unchanged), Count(FileIngestionStatus.Skipped), Count(FileIngestionStatus.Removed));
        var written = report.ChunksWritten;
        IngestionLog.RunFinished(_logger, clock.Elapsed, written, added, updated, unchanged, skipped, removedCount);
        return report;
    }

    /// <summary>Ingests one file; <paramref name="pages"/> is told (pages embedded, pages in the file) as its chunks are embedded.</summary>
    private async Task<FileIngestionResult> IngestFileAsync(string path, Action<int, int>? pages, CancellationToken cancellationToken)
    {
        if (!_readers.TryGetReader(path, out var reader))
        {
            var extension = Path.GetExtension(path);
            return Skipped(path, IngestionSkipReason.UnsupportedType, extension.Length == 0
                ? $"'{path}' has no extension, so no reader applies."
                : $"No reader handles '{extension}' files ('{path}').");
        }

        var existing = await FindFirstChunkAsync(path, cancellationToken).ConfigureAwait(false);
        var outcome = await ReadAndWriteAsync(path, reader, existing, pages, cancellationToken).ConfigureAwait(false);
        if (outcome.Status == FileIngestionStatus.Skipped && existing is not null)
        {
            // The file changed into something unreadable: what the collection holds for it is stale.
            await DeleteChunksAsync(path, cancellationToken).ConfigureAwait(false);
            await RemoveFromGraphAsync(path, cancellationToken).ConfigureAwait(false);
        }
        else if (outcome.Status != FileIngestionStatus.Skipped)
        {
            await FeedGraphAsync(path, cancellationToken).ConfigureAwait(false);
        }

        return outcome;
    }

    // The graph gets the file's chunks as stored; it extracts only those whose text it has not seen.
    private async Task FeedGraphAsync(string path, CancellationToken cancellationToken)
    {
        if (_graph is null)
        {
            return;
        }

        try
        {
            var observed = new DateTimeOffset(File.GetLastWriteTimeUtc(path), TimeSpan.Zero);
            var items = new List<GraphEvidenceItem>();
            await foreach (var record in _collection.GetAsync(r => r.Source == path, _options.MaxChunksPerFile + 1, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                items.Add(new GraphEvidenceItem(record.Id.ToString(), record.Text, observed));
            }

            await _graph.UpsertSourceAsync(path, GraphEvidenceKind.Chunk, items, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            IngestionLog.GraphFailed(_logger, path, e.Message, e);
        }
    }

    private async Task RemoveFromGraphAsync(string path, CancellationToken cancellationToken)
    {
        if (_graph is null)
        {
            return;
        }

        try
        {
            await _graph.DeleteSourceAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            IngestionLog.GraphFailed(_logger, path, e.Message, e);
        }
    }

    private async Task<FileIngestionResult> ReadAndWriteAsync(
        string path, IDocumentReader reader, RagChunkRecord? existing, Action<int, int>? progress, CancellationToken cancellationToken)
    {
        byte[] content;
        try
        {
            var length = new FileInfo(path).Length;
            if (length > _options.MaxFileBytes)
            {
                return Skipped(path, IngestionSkipReason.TooLarge, $"'{path}' is {length:N0} bytes, over the limit of {_options.MaxFileBytes:N0} bytes (MaxFileBytes).");
            }

            content = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
            if (content.LongLength > _options.MaxFileBytes)
            {
                return Skipped(path, IngestionSkipReason.TooLarge, $"'{path}' grew to {content.LongLength:N0} bytes while being read, over the limit of {_options.MaxFileBytes:N0} bytes (MaxFileBytes).");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Skipped(path, IngestionSkipReason.Unreadable, $"'{path}' cannot be read: {e.Message}");
        }

        var fileHash = Convert.ToHexStringLower(SHA256.HashData(content));
        if (existing is not null && existing.FileHash == fileHash && existing.EmbeddingModel == _modelName)
        {
            // A run killed between writing a changed file's chunks and deleting its surplus old ones left chunks of
            // the previous version behind (they carry its hash): finish that run's work.
            await DeleteStaleChunksAsync(path, fileHash, cancellationToken).ConfigureAwait(false);
            if ((_passages is null || await HasPassagesAsync(path, fileHash, cancellationToken).ConfigureAwait(false))
                && (_codes is null || await HasCodesAsync(path, fileHash, cancellationToken).ConfigureAwait(false)))
            {
                return new FileIngestionResult(path, FileIngestionStatus.Unchanged);
            }

            // Ingested before passages or codes were kept (or with them off, or codes of another encoding): embed
            // again, with the chunks.
        }

        Documents.RagDocument document;
        try
        {
            document = reader.Read(path, content, cancellationToken);
        }
        catch (DocumentReadException e)
        {
            var reason = e.Failure switch
            {
                DocumentReadFailure.Encrypted => IngestionSkipReason.Encrypted,
                DocumentReadFailure.TooLarge => IngestionSkipReason.TooLarge,
                _ => IngestionSkipReason.Corrupt,
            };
            return Skipped(path, reason, e.Message);
        }

        var pages = document.PageCount ?? 0;
        if (!document.HasText)
        {
            return Skipped(path, IngestionSkipReason.NoText, document.PageCount is { } count
                ? $"'{path}' has {count} page(s) and no text layer (image-only or scanned); it would need OCR."
                : $"'{path}' has no text.") with { Pages = pages };
        }

        var chunks = _chunker.Chunk(document, cancellationToken);
        if (chunks.Count > _options.MaxChunksPerFile)
        {
            return Skipped(path, IngestionSkipReason.TooManyChunks, $"'{path}' makes {chunks.Count:N0} chunks, over the limit of {_options.MaxChunksPerFile:N0} (MaxChunksPerFile).") with { Pages = pages };
        }

        progress?.Invoke(0, pages);
        var records = new RagChunkRecord[chunks.Count];
        var codeRecords = _codes is null ? null : new RagChunkCodeRecord[chunks.Count];
        List<RagPassageRecord> passageRecords;
        try
        {
            for (var start = 0; start < chunks.Count; start += _options.EmbeddingBatchSize)
            {
                var batch = chunks.Skip(start).Take(_options.EmbeddingBatchSize).ToList();
                string[] texts = [.. batch.Select(c => c.EmbeddingText)];
                if (_encoder is null)
                {
                    var embeddings = await EmbedAsync(texts, cancellationToken).ConfigureAwait(false);
                    for (var i = 0; i < batch.Count; i++)
                    {
                        records[start + i] = ToRecord(batch[i], fileHash, embeddings[i].Vector);
                    }
                }
                else
                {
                    var encoded = await EncodeAsync(texts, cancellationToken).ConfigureAwait(false);
                    for (var i = 0; i < batch.Count; i++)
                    {
                        var record = records[start + i] = ToRecord(batch[i], fileHash, encoded[i].Embedding.Vector);
                        codeRecords![start + i] = new RagChunkCodeRecord
                        {
                            Id = record.Id,
                            Source = record.Source,
                            FileHash = fileHash,
                            ContentHash = record.ContentHash,
                            Encoding = _encoder.EncodingId,
                            Code = record.Navigation ? [] : encoded[i].Code,
                        };
                    }
                }

                // Chunks come in page order, so the last one embedded says how far into the file the run is.
                progress?.Invoke(batch[^1].Page ?? 0, pages);
            }

            passageRecords = _passages is null ? [] : await EmbedPassagesAsync(chunks, records, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Skipped(path, IngestionSkipReason.EmbeddingFailed, $"Embedding the chunks of '{path}' failed: {e.Message}") with { Pages = pages };
        }

        // One batch: a store that writes a batch in one transaction (SQLite) stores the file's chunks all or none, so
        // a crash never leaves a document half-written. Chunk 0 carries the file hash that marks the file complete and
        // comes last, so on a store that splits batches a run cut short leaves the file looking changed. Passages go
        // first: until chunk 0 is written, a crash leaves the file to be redone.
        if (_passages is not null)
        {
            await _passages.UpsertAsync(passageRecords, cancellationToken).ConfigureAwait(false);
        }

        if (_codes is not null)
        {
            await _codes.UpsertAsync(codeRecords!, cancellationToken).ConfigureAwait(false);
        }

        await _collection.UpsertAsync([.. records.Skip(1), records[0]], cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            await DeleteStaleChunksAsync(path, fileHash, cancellationToken).ConfigureAwait(false);
        }

        return new FileIngestionResult(path, existing is null ? FileIngestionStatus.Added : FileIngestionStatus.Updated, records.Length, pages);
    }

    /// <summary>
    /// Each chunk's passages: a chunk of one window keeps its own vector, and so does a table of contents or index
    /// (never retrieved: one passage marks its file as done); longer chunks have their windows embedded, in batches of
    /// <see cref="RagIngestionOptions.EmbeddingBatchSize"/>.
    /// </summary>
    private async Task<List<RagPassageRecord>> EmbedPassagesAsync(IReadOnlyList<DocumentChunk> chunks, RagChunkRecord[] records, CancellationToken cancellationToken)
    {
        var passages = new List<RagPassageRecord>();
        var pending = new List<(RagPassageRecord Record, string Text)>();
        for (var c = 0; c < chunks.Count; c++)
        {
            IReadOnlyList<string> texts = records[c].Navigation ? [chunks[c].EmbeddingText] : chunks[c].PassageTexts(_options.PassageWords, _options.PassageStrideWords);
            for (var p = 0; p < texts.Count; p++)
            {
                var record = new RagPassageRecord
                {
                    Id = RagPassageRecord.CreateKey(records[c].Source, records[c].ChunkIndex, p),
                    ChunkId = records[c].Id,
                    Source = records[c].Source,
                    FileHash = records[c].FileHash,
                    Navigation = records[c].Navigation,
                    Vector = records[c].Vector,
                };
                passages.Add(record);
                if (texts.Count > 1)
                {
                    pending.Add((record, texts[p]));
                }
            }
        }

        for (var start = 0; start < pending.Count; start += _options.EmbeddingBatchSize)
        {
            var batch = pending.GetRange(start, Math.Min(_options.EmbeddingBatchSize, pending.Count - start));
            var embeddings = await EmbedAsync([.. batch.Select(p => p.Text)], cancellationToken).ConfigureAwait(false);

            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Record.Vector = embeddings[i].Vector;
            }
        }

        return passages;
    }

    /// <summary>One call to the embedding generator, checked to return one embedding per text.</summary>
    private async Task<GeneratedEmbeddings<Embedding<float>>> EmbedAsync(string[] texts, CancellationToken cancellationToken)
    {
        var embeddings = await _embedder.GenerateAsync(texts, cancellationToken: cancellationToken).ConfigureAwait(false);
        return embeddings.Count == texts.Length
            ? embeddings
            : throw new InvalidOperationException($"The embedding generator returned {embeddings.Count} embeddings for {texts.Length} inputs.");
    }

    /// <summary>One call to the passage encoder, checked to return one result per text.</summary>
    private async Task<IReadOnlyList<EncodedPassage>> EncodeAsync(string[] texts, CancellationToken cancellationToken)
    {
        var encoded = await _encoder!.EncodeAsync(texts, cancellationToken).ConfigureAwait(false);
        return encoded.Count == texts.Length
            ? encoded
            : throw new InvalidOperationException($"The passage encoder returned {encoded.Count} results for {texts.Length} inputs.");
    }

    /// <summary>Whether the file's first chunk has a code of the encoder's encoding (codes are written before chunks, all of a file at once).</summary>
    private async Task<bool> HasCodesAsync(string source, string fileHash, CancellationToken cancellationToken) =>
        await _codes!.GetAsync(RagChunkRecord.CreateKey(source, 0), cancellationToken: cancellationToken).ConfigureAwait(false) is { } code
            && code.FileHash == fileHash && code.Encoding == _encoder!.EncodingId;

    private async Task<bool> HasPassagesAsync(string source, string fileHash, CancellationToken cancellationToken) =>
        await _passages!.GetAsync(p => p.Source == source && p.FileHash == fileHash, 1, cancellationToken: cancellationToken).AnyAsync(cancellationToken).ConfigureAwait(false);

    private RagChunkRecord ToRecord(DocumentChunk chunk, string fileHash, ReadOnlyMemory<float> vector) => new()
    {
        Id = RagChunkRecord.CreateKey(chunk.SourcePath, chunk.Index),
        Text = chunk.Text,
        Source = chunk.SourcePath,
        Title = chunk.Title,
        Page = chunk.Page ?? 0,
        Section = chunk.SectionPath,
        ChunkIndex = chunk.Index,
        ContentHash = chunk.ContentHash,
        FileHash = fileHash,
        EmbeddingModel = _modelName,
        Terms = Terms(chunk.SectionPath + " " + chunk.Text),
        Navigation = chunk.IsNavigation,
        Vector = vector,
    };

    /// <summary>The distinct words of a text between single spaces, with a space at each end.</summary>
    internal static string Terms(string text) => " " + string.Join(' ', WordTokenizer.Words(text).Distinct(StringComparer.Ordinal)) + " ";

    private async Task<RagChunkRecord?> FindFirstChunkAsync(string source, CancellationToken cancellationToken)
    {
        await foreach (var record in _collection.GetAsync(r => r.Source == source && r.ChunkIndex == 0, 1, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            return record;
        }

        return null;
    }

    private async Task<List<string>> KnownSourcesAsync(CancellationToken cancellationToken)
    {
        var sources = new List<string>();
        await foreach (var record in _collection.GetAsync(r => r.ChunkIndex == 0, _options.MaxFiles, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            sources.Add(record.Source);
        }

        return sources;
    }

    /// <summary>Deletes every chunk of a file, and its passages and codes.</summary>
    private async Task<int> DeleteChunksAsync(string source, CancellationToken cancellationToken)
    {
        if (_passages is not null)
        {
            await DeletePassagesAsync(p => p.Source == source, cancellationToken).ConfigureAwait(false);
        }

        if (_codes is not null)
        {
            await DeleteCodesAsync(c => c.Source == source, cancellationToken).ConfigureAwait(false);
        }

        return await DeleteWhereAsync(r => r.Source == source, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes a file's chunks (and passages and codes) that belong to another version of it (surplus chunks of a longer old version).</summary>
    private async Task<int> DeleteStaleChunksAsync(string source, string fileHash, CancellationToken cancellationToken)
    {
        if (_passages is not null)
        {
            await DeletePassagesAsync(p => p.Source == source && p.FileHash != fileHash, cancellationToken).ConfigureAwait(false);
        }

        if (_codes is not null)
        {
            await DeleteCodesAsync(c => c.Source == source && c.FileHash != fileHash, cancellationToken).ConfigureAwait(false);
        }

        return await DeleteWhereAsync(r => r.Source == source && r.FileHash != fileHash, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes the passages a filter matches.</summary>
    private Task DeletePassagesAsync(Expression<Func<RagPassageRecord, bool>> filter, CancellationToken cancellationToken) =>
        DeletePagedAsync(_passages!, filter, p => p.Id, cancellationToken);

    /// <summary>Deletes the codes a filter matches.</summary>
    private Task DeleteCodesAsync(Expression<Func<RagChunkCodeRecord, bool>> filter, CancellationToken cancellationToken) =>
        DeletePagedAsync(_codes!, filter, c => c.Id, cancellationToken);

    /// <summary>Deletes the records a filter matches, a bounded page at a time.</summary>
    private static async Task DeletePagedAsync<TRecord>(
        VectorStoreCollection<Guid, TRecord> collection, Expression<Func<TRecord, bool>> filter, Func<TRecord, Guid> key, CancellationToken cancellationToken)
        where TRecord : class
    {
        const int Page = 10_000;
        while (true)
        {
            var keys = await collection.GetAsync(filter, Page, cancellationToken: cancellationToken).Select(key).ToListAsync(cancellationToken).ConfigureAwait(false);
            if (keys.Count > 0)
            {
                await collection.DeleteAsync(keys, cancellationToken).ConfigureAwait(false);
            }

            if (keys.Count < Page)
            {
                return;
            }
        }
    }

    private async Task<int> DeleteWhereAsync(Expression<Func<RagChunkRecord, bool>> filter, CancellationToken cancellationToken)
    {
        var keys = new List<Guid>();
        await foreach (var record in _collection.GetAsync(filter, _options.MaxChunksPerFile + 1, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            keys.Add(record.Id);
        }

        if (keys.Count > 0)
        {
            await _collection.DeleteAsync(keys, cancellationToken).ConfigureAwait(false);
        }

        return keys.Count;
    }

    private static FileIngestionResult Skipped(string path, IngestionSkipReason reason, string message) =>
        new(path, FileIngestionStatus.Skipped, Reason: reason, Message: message);

    private void Log(FileIngestionResult result)
    {
        switch (result.Status)
        {
            case FileIngestionStatus.Added or FileIngestionStatus.Updated:
                IngestionLog.FileWritten(_logger, result.Status, result.Path, result.Chunks, result.Pages);
                break;
            case FileIngestionStatus.Unchanged:
                IngestionLog.FileUnchanged(_logger, result.Path);
                break;
            case FileIngestionStatus.Skipped:
                IngestionLog.FileSkipped(_logger, result.Path, result.Reason!.Value, result.Message ?? "");
                break;
        }
    }
}
