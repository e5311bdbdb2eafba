using AgentKit.Abstractions.Embeddings;
using AgentKit.Embeddings.MiniLM;
using AgentKit.Rag.Ingestion;
using AgentKit.Rag.Retrieval;
using AgentKit.Rag.Tests.Support;
using static AgentKit.Rag.Tests.Support.Candidates;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;

namespace AgentKit.Rag.Tests.Retrieval;

/// <summary>Chunk codes: written at ingestion with the chunks, read by re-ranking instead of model runs over the candidates.</summary>
public sealed class ChunkCodeTests : IAsyncLifetime
{
    private readonly MiniLMEmbeddingGenerator _model = new();
    private readonly TempFolder _folder = new();
    private SqliteChunkStore _store = null!;
    private VectorStoreCollection<Guid, RagChunkCodeRecord> _codes = null!;
    private CountingEncoder _encoder = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _store = await SqliteChunkStore.OpenAsync(_model, Token);
        _codes = await RagChunkStore.OpenCodesAsync(_store.Store, RagChunkStore.DefaultName, Token);
        _encoder = new CountingEncoder((IPassageEncodingScorer)_model.GetService<IRelevanceScorer>()!);
        foreach (var (name, markdown) in Corpus.Files)
        {
            _folder.Write(name, markdown);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _codes.Dispose();
        await _store.DisposeAsync();
        _folder.Dispose();
        _model.Dispose();
    }

    [Fact]
    public async Task Ingest_WritesOneCodePerChunk_FromTheSameModelRun()
    {
        var report = await Ingestor().IngestDirectoryAsync(_folder.Root, cancellationToken: Token);

        var chunks = await _store.RecordsAsync();
        var codes = await AllCodesAsync();
        Assert.Equal(report.ChunksWritten, chunks.Count);
        Assert.Equal(chunks.Select(c => c.Id).Order(), codes.Select(c => c.Id).Order());
        foreach (var chunk in chunks)
        {
            var code = codes.Single(c => c.Id == chunk.Id);
            Assert.Equal((chunk.Source, chunk.FileHash, chunk.ContentHash, _encoder.EncodingId), (code.Source, code.FileHash, code.ContentHash, code.Encoding));
        }

        // The chunks were embedded by the encoder (one model run gives vector and code), not by the generator as well.
        Assert.Equal(chunks.Count, _encoder.Encoded);
        var stored = await _store.Collection.GetAsync(chunks[0].Id, new RecordRetrievalOptions { IncludeVectors = true }, Token);
        var again = await _model.GenerateAsync([chunks[0].Section.Length > 0 ? $"{chunks[0].Section}\n\n{chunks[0].Text}" : chunks[0].Text], cancellationToken: Token);
        Assert.Equal(again[0].Vector.ToArray(), stored!.Vector.ToArray());
    }

    [Fact]
    public async Task Ingest_ATableOfContents_GetsAnEmptyCode_NeverScored_AndStaysUnchangedOnTheNextRun()
    {
        _folder.Write("contents.md", "# Contents\n\n1 Priming the pump . . . . . . . . 3 2 Priming after storage . . . . . . . . 7 3 Pump seal . . . . . . . . 9 4 Pump filters . . . . . . . . 12 5 Warranty . . . . . . . . 15");
        await Ingestor().IngestDirectoryAsync(_folder.Root, cancellationToken: Token);

        var contents = Assert.Single(await _store.RecordsAsync(), r => r.Source.EndsWith("contents.md", StringComparison.Ordinal));
        Assert.True(contents.Navigation);
        Assert.Empty((await _codes.GetAsync(contents.Id, cancellationToken: Token))!.Code);
        Assert.All((await AllCodesAsync()).Where(c => c.Id != contents.Id), c => Assert.NotEmpty(c.Code));
        var again = await Ingestor().IngestDirectoryAsync(_folder.Root, cancellationToken: Token);
        Assert.All(again.Files, f => Assert.Equal(FileIngestionStatus.Unchanged, f.Status));
    }

    [Fact]
    public async Task Ingest_ChangedAndRemovedFiles_KeepCodesInStepWithChunks()
    {
        await Ingestor().IngestDirectoryAsync(_folder.Root, cancellationToken: Token);
        _folder.Write("pumps.md", "# Pumps\n\n## Priming\n\nPrime the pump with clean water. Never start it dry.\n\n## Noise\n\nA rattling pump has air in its suction line.");
        _folder.Delete("warranty.md");

        var second = await Ingestor().IngestDirectoryAsync(_folder.Root, cancellationToken: Token);

        Assert.Equal(FileIngestionStatus.Updated, second.Files.Single(f => f.Path.EndsWith("pumps.md", StringComparison.Ordinal)).Status);
        Assert.Equal(FileIngestionStatus.Removed, second.Files.Single(f => f.Path.EndsWith("warranty.md", StringComparison.Ordinal)).Status);
        var chunks = await _store.RecordsAsync();
        var codes = await AllCodesAsync();
        Assert.Equal(chunks.Select(c => (c.Id, c.FileHash, c.ContentHash)).Order(), codes.Select(c => (c.Id, c.FileHash, c.ContentHash)).Order());
    }

    [Fact]
    public async Task Ingest_ABaseWrittenWithoutCodes_IsEmbeddedAgainWithThem_ThenLeftAlone()
    {
        await new RagIngestor(_store.Collection, _model).IngestDirectoryAsync(_folder.Root, cancellationToken: Token);
        Assert.Empty(await AllCodesAsync());

        var withCodes = await Ingestor().IngestDirectoryAsync(_folder.Root, cancellationToken: Token);
        var unchanged = await Ingestor().IngestDirectoryAsync(_folder.Root, cancellationToken: Token);

        Assert.All(withCodes.Files, f => Assert.Equal(FileIngestionStatus.Updated, f.Status));
        Assert.Equal((await _store.RecordsAsync()).Count, (await AllCodesAsync()).Count);
        Assert.All(unchanged.Files, f => Assert.Equal(FileIngestionStatus.Unchanged, f.Status));
    }

    [Fact]
    public async Task Rerank_ReadsStoredCodes_WithNoModelRunOverTheCandidates_AndFindsTheAnswer()
    {
        await Ingestor().IngestDirectoryAsync(_folder.Root, cancellationToken: Token);
        var retriever = new RagRetriever(_store.Collection, _model, new RelevanceScorerReranker(_encoder), codes: _codes);

        var results = await retriever.RetrieveAsync("how often must the cartridge be changed", new RetrievalOptions { Top = 3, Rerank = true }, Token);

        Assert.StartsWith("filters", Path.GetFileName(results[0].Source), StringComparison.Ordinal);
        Assert.Equal(0, _encoder.ScoredTexts);
        Assert.True(_encoder.ScoredCodes > 0);
    }

    [Fact]
    public async Task Rerank_ACodeOfAnotherEncodingOrAnotherText_IsNotUsed_ThatCandidateIsScoredFromItsText()
    {
        await Ingestor().IngestDirectoryAsync(_folder.Root, cancellationToken: Token);
        var codes = await AllCodesAsync();
        var stale = codes[0];
        var foreign = codes[1];
        stale.ContentHash = "0000";
        foreign.Encoding = "another-model/maxsim-2bit";
        await _codes.UpsertAsync([stale, foreign], Token);
        var retriever = new RagRetriever(_store.Collection, _model, new RelevanceScorerReranker(_encoder), codes: _codes);

        var results = await retriever.RetrieveAsync("filter cartridge", new RetrievalOptions { Top = 5, Candidates = 20, Rerank = true }, Token);

        Assert.NotEmpty(results);
        Assert.Equal(2, _encoder.ScoredTexts);
        Assert.Equal(codes.Count - 2, _encoder.ScoredCodes);
    }

    [Fact]
    public async Task Rerank_ADamagedStoredCode_IsATypedErrorNamingTheChunks()
    {
        await Ingestor().IngestDirectoryAsync(_folder.Root, cancellationToken: Token);
        var codes = await AllCodesAsync();
        foreach (var code in codes)
        {
            code.Code = [2, 1, 2, 3];
        }

        await _codes.UpsertAsync(codes, Token);
        var retriever = new RagRetriever(_store.Collection, _model, new RelevanceScorerReranker(_encoder), codes: _codes);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => retriever.RetrieveAsync("filter cartridge", new RetrievalOptions { Rerank = true }, Token));

        Assert.Contains("cannot be read", error.Message, StringComparison.Ordinal);
        Assert.Contains(".md", error.Message, StringComparison.Ordinal);
        Assert.Contains("ingest those files again", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reranker_CodesForSomeCandidates_ScoresTheRestFromText_AndChecksItsInput()
    {
        var encoded = await _encoder.EncodeAsync(["Replace the filter cartridge every six months."], Token);
        var reranker = new RelevanceScorerReranker(_encoder);
        RetrievedChunk[] candidates = [Chunk("Replace the filter cartridge every six months.", 1), Chunk("Drain the tank before frost.", 0.5)];

        var scores = await reranker.ScoreAsync("when to replace the cartridge", candidates, [encoded[0].Code, null], Token);

        Assert.True(scores[0] > scores[1]);
        Assert.Equal((1, 1), (_encoder.ScoredCodes, _encoder.ScoredTexts));
        var mismatch = await Assert.ThrowsAsync<ArgumentException>(() => reranker.ScoreAsync("q", candidates, [null], Token));
        Assert.Contains("1 codes for 2 candidates", mismatch.Message, StringComparison.Ordinal);
        var plain = new RelevanceScorerReranker(new TextOnlyScorer(_encoder));
        Assert.Null(plain.Encoder);
        var noEncoder = await Assert.ThrowsAsync<ArgumentException>(() => plain.ScoreAsync("q", candidates, [encoded[0].Code, null], Token));
        Assert.Contains("encodes no passages", noEncoder.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ingestor_CodesWithoutAnEncoder_OrTheReverse_Throws()
    {
        Assert.Throws<ArgumentException>(() => new RagIngestor(_store.Collection, _model, codes: _codes));
        Assert.Throws<ArgumentException>(() => new RagIngestor(_store.Collection, _model, encoder: _encoder));
    }

    private RagIngestor Ingestor() => new(_store.Collection, _model, codes: _codes, encoder: _encoder);

    private async Task<List<RagChunkCodeRecord>> AllCodesAsync() =>
        await _codes.GetAsync(c => c.Source != "", 100_000, cancellationToken: Token).ToListAsync(Token);

    /// <summary>The real model's encoder, counting what it is asked to do.</summary>
    private sealed class CountingEncoder(IPassageEncodingScorer inner) : IPassageEncodingScorer
    {
        public int Encoded { get; private set; }

        public int ScoredCodes { get; private set; }

        public int ScoredTexts { get; private set; }

        public string EncodingId => inner.EncodingId;

        public Task<IReadOnlyList<EncodedPassage>> EncodeAsync(IReadOnlyList<string> passages, CancellationToken cancellationToken = default)
        {
            Encoded += passages.Count;
            return inner.EncodeAsync(passages, cancellationToken);
        }

        public Task<IReadOnlyList<double>> ScoreEncodedAsync(string query, IReadOnlyList<byte[]> codes, CancellationToken cancellationToken = default)
        {
            ScoredCodes += codes.Count;
            return inner.ScoreEncodedAsync(query, codes, cancellationToken);
        }

        public Task<IReadOnlyList<double>> ScoreAsync(string query, IReadOnlyList<string> passages, CancellationToken cancellationToken = default)
        {
            ScoredTexts += passages.Count;
            return inner.ScoreAsync(query, passages, cancellationToken);
        }
    }

    /// <summary>The real model's scorer without its encoder.</summary>
    private sealed class TextOnlyScorer(IRelevanceScorer inner) : IRelevanceScorer
    {
        public Task<IReadOnlyList<double>> ScoreAsync(string query, IReadOnlyList<string> passages, CancellationToken cancellationToken = default) =>
            inner.ScoreAsync(query, passages, cancellationToken);
    }
}
