using System.Collections.Concurrent;
using System.Numerics.Tensors;
using AgentKit.Abstractions.Embeddings;
using AgentKit.Abstractions.Search;
using Microsoft.Extensions.AI;

namespace AgentKit.Agents.Tools.Selection;

/// <summary>
/// Ranks tools by their relevance to a request: the embedding similarity of the request to each tool's name,
/// description and parameter descriptions, fused (z-scores, <see cref="ScoreFusion"/>) with BM25 keyword matching
/// over the same text. Each tool's text is embedded once and cached by its content hash, so a tool whose definition
/// changes (an MCP server's new tool list) is embedded again and an unchanged one never is. Thread-safe; one per
/// application (DI registers it with <c>AddAgentKitToolSelection</c>).
/// </summary>
public sealed class ToolSelector : IDisposable
{
    private const double K1 = 1.2;
    private const double B = 0.75;

    /// <summary>A request longer than this is cut: the embedding model reads a few hundred tokens at most.</summary>
    private const int MaxRequestLength = 2_000;

    private const int MaxCachedRequests = 256;

    private readonly IEmbeddingGenerator<string, Embedding<float>> _generator;
    private readonly int _maxCachedTools;
    private readonly ConcurrentDictionary<string, ToolDocument> _documents = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ReadOnlyMemory<float>> _requests = new(StringComparer.Ordinal);

    // A tool object's description does not change, so its text, hash and keyword statistics are worked out once per object.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<AIFunctionDeclaration, ToolDocument> _byTool = [];
    private readonly SemaphoreSlim _embedding = new(1, 1);
    private long _embeddedDescriptions;

    /// <summary>Creates a selector over an embedding model.</summary>
    /// <param name="generator">Embeds tool descriptions and requests (AgentKit's default: all-MiniLM-L6-v2).</param>
    /// <param name="maxCachedTools">How many tool descriptions' embeddings are kept; past it the cache starts over. Defaults to 20,000.</param>
    public ToolSelector(IEmbeddingGenerator<string, Embedding<float>> generator, int maxCachedTools = 20_000)
    {
        _generator = generator ?? throw new ArgumentNullException(nameof(generator));
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCachedTools, 1);
        _maxCachedTools = maxCachedTools;
    }

    /// <summary>How many tool descriptions have been embedded so far (each distinct text once).</summary>
    public long EmbeddedDescriptions => Interlocked.Read(ref _embeddedDescriptions);

    /// <summary>Embeds the descriptions of <paramref name="tools"/> that are not cached yet, ahead of the first request.</summary>
    /// <param name="tools">The tools.</param>
    /// <param name="cancellationToken">Cancels the embedding.</param>
    /// <returns>A task that completes when every description is embedded.</returns>
    public async Task PrepareAsync(IReadOnlyList<AIFunctionDeclaration> tools, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tools);
        _ = await DocumentsAsync(tools, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The <paramref name="top"/> tools most relevant to <paramref name="request"/>, best first.</summary>
    /// <param name="tools">The candidates; names should be unique.</param>
    /// <param name="request">What the user asks for (a message, or recent turns joined).</param>
    /// <param name="top">How many to return.</param>
    /// <param name="keywordWeight">The keyword side's weight in the fusion, from 0 to 1. Defaults to 0.35.</param>
    /// <param name="cancellationToken">Cancels the embedding.</param>
    /// <returns>The tools with their fused scores (higher is more relevant; comparable within one call only).</returns>
    public async Task<IReadOnlyList<ToolMatch>> RankAsync(
        IReadOnlyList<AIFunctionDeclaration> tools, string request, int top, double keywordWeight = 0.35, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tools);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        if (tools.Count == 0)
        {
            return [];
        }

        var documents = await DocumentsAsync(tools, cancellationToken).ConfigureAwait(false);
        var query = request.Length > MaxRequestLength ? request[..MaxRequestLength] : request;
        var vector = await EmbedRequestAsync(query, cancellationToken).ConfigureAwait(false);

        var semantic = new double[tools.Count];
        for (var i = 0; i < documents.Length; i++)
        {
            semantic[i] = TensorPrimitives.CosineSimilarity(vector.Span, documents[i].Vector.Span);
        }

        var keyword = Bm25(documents, ToolDocument.KeywordsOf(query).Distinct(StringComparer.Ordinal).ToList());
        var fused = new double[tools.Count];
        ScoreFusion.ZScore(semantic, keyword, keywordWeight, fused);
        return Enumerable.Range(0, tools.Count)
            .OrderByDescending(i => fused[i])
            .ThenBy(i => tools[i].Name, StringComparer.Ordinal)
            .Take(top)
            .Select(i => new ToolMatch(tools[i], fused[i]))
            .ToList();
    }

    private static double[] Bm25(ToolDocument[] documents, List<string> terms)
    {
        var scores = new double[documents.Length];
        if (terms.Count == 0)
        {
            return scores;
        }

        var averageLength = Math.Max(1.0, documents.Average(d => d.Length));
        foreach (var term in terms)
        {
            var frequency = documents.Count(d => d.Terms.ContainsKey(term));
            if (frequency == 0)
            {
                continue;
            }

            var idf = Math.Log(1 + ((documents.Length - frequency + 0.5) / (frequency + 0.5)));
            for (var i = 0; i < documents.Length; i++)
            {
                if (documents[i].Terms.TryGetValue(term, out var tf))
                {
                    scores[i] += idf * tf * (K1 + 1) / (tf + (K1 * (1 - B + (B * documents[i].Length / averageLength))));
                }
            }
        }

        return scores;
    }

    private async Task<ToolDocument[]> DocumentsAsync(IReadOnlyList<AIFunctionDeclaration> tools, CancellationToken cancellationToken)
    {
        var documents = new ToolDocument[tools.Count];
        List<int>? missing = null;
        for (var i = 0; i < tools.Count; i++)
        {
            var document = _byTool.GetValue(tools[i], ToolDocument.Create);
            if (!document.Vector.IsEmpty)
            {
                documents[i] = document;
            }
            else if (_documents.TryGetValue(document.Hash, out var cached))
            {
                documents[i] = cached;
            }
            else
            {
                documents[i] = document;
                (missing ??= []).Add(i);
            }
        }

        if (missing is null)
        {
            return documents;
        }

        // One embedding pass at a time: concurrent first turns of several agents would otherwise embed the same catalog each.
        await _embedding.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var stillMissing = new List<int>(missing.Count);
            foreach (var i in missing)
            {
                if (_documents.TryGetValue(documents[i].Hash, out var cached))
                {
                    documents[i] = cached;
                }
                else
                {
                    stillMissing.Add(i);
                }
            }

            if (stillMissing.Count == 0)
            {
                return documents;
            }

            var texts = stillMissing.Select(i => documents[i].Text).Distinct(StringComparer.Ordinal).ToList();
            var embeddings = await _generator.GenerateAsync(texts, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (embeddings.Count != texts.Count)
            {
                throw new InvalidOperationException($"The embedding model returned {embeddings.Count} embeddings for {texts.Count} tool descriptions.");
            }

            Interlocked.Add(ref _embeddedDescriptions, texts.Count);
            var byText = new Dictionary<string, ReadOnlyMemory<float>>(StringComparer.Ordinal);
            for (var t = 0; t < texts.Count; t++)
            {
                byText[texts[t]] = embeddings[t].Vector;
            }

            if (_documents.Count + stillMissing.Count > _maxCachedTools)
            {
                _documents.Clear();
            }

            foreach (var i in stillMissing)
            {
                documents[i].Vector = byText[documents[i].Text];
                documents[i] = _documents.GetOrAdd(documents[i].Hash, documents[i]);
            }

            return documents;
        }
        finally
        {
            _embedding.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _embedding.Dispose();

    private async Task<ReadOnlyMemory<float>> EmbedRequestAsync(string request, CancellationToken cancellationToken)
    {
        // find_tools' results are worked out again from its query on the turn's later model calls; this keeps that free.
        if (_requests.TryGetValue(request, out var cached))
        {
            return cached;
        }

        var vector = (await _generator.GenerateAsync([request], EmbeddingInputKind.ForQueries(), cancellationToken).ConfigureAwait(false))[0].Vector;
        if (_requests.Count >= MaxCachedRequests)
        {
            _requests.Clear();
        }

        _requests[request] = vector;
        return vector;
    }
}

/// <summary>A tool ranked for a request.</summary>
/// <param name="Tool">The tool.</param>
/// <param name="Score">Its fused relevance score (higher is more relevant; comparable within one ranking only).</param>
public sealed record ToolMatch(AIFunctionDeclaration Tool, double Score);
