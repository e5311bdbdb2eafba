using System.Security.Cryptography;
using System.Text;
using AgentKit.Abstractions.Graph;
using AgentKit.Abstractions.Models;
using AgentKit.Graph.Diagnostics;
using AgentKit.Prompts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentKit.Graph;

/// <summary>
/// Keeps the graph in step with its sources, incrementally: an update compares each item's SHA-256 with the hash the
/// graph holds and sends only new or changed items to the model; items gone from the source lose their evidence, and
/// entities no evidence mentions any more are removed. Nothing is ever re-indexed as a whole.
/// </summary>
/// <remarks>
/// Extraction runs outside any lock; resolution and the write of each item run one at a time, so two updates never
/// create the same entity twice. An item whose extraction fails (a model error, an answer that stays invalid) keeps
/// its previous graph and its old hash, so the next update tries it again.
/// </remarks>
public sealed class GraphIndexer : IGraphEvidenceSink, IDisposable
{
    private readonly IGraphStore _store;
    private readonly GraphExtractor _extractor;
    private readonly EntityResolver _resolver;
    private readonly GraphExtractionOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _writes = new(1, 1);

    /// <summary>Creates an indexer.</summary>
    /// <param name="store">The graph.</param>
    /// <param name="extractor">Extracts each item.</param>
    /// <param name="resolver">Resolves extracted entities.</param>
    /// <param name="options">Bounds per source; defaults when null.</param>
    /// <param name="logger">Logs updates and failures.</param>
    public GraphIndexer(IGraphStore store, GraphExtractor extractor, EntityResolver resolver, GraphExtractionOptions? options = null, ILogger<GraphIndexer>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(extractor);
        ArgumentNullException.ThrowIfNull(resolver);
        _store = store;
        _extractor = extractor;
        _resolver = resolver;
        _options = options ?? new GraphExtractionOptions();
        _options.Validate();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Raised after each update with its report.</summary>
    public event EventHandler<GraphIndexReport>? SourceUpdated;

    /// <summary>Brings a source's part of the graph up to date with its items.</summary>
    /// <param name="source">The document path or memory source.</param>
    /// <param name="kind">What the items are.</param>
    /// <param name="items">All of the source's items; ids unique.</param>
    /// <param name="cancellationToken">Cancels the update; items already written stay written.</param>
    /// <returns>What was extracted, kept, removed and what failed.</returns>
    /// <exception cref="ArgumentException">Two items share an id.</exception>
    /// <exception cref="GraphLimitExceededException">The source has more than <see cref="GraphExtractionOptions.MaxItemsPerSource"/> items, or the graph would exceed a bound.</exception>
    public async Task<GraphIndexReport> UpdateSourceAsync(string source, GraphEvidenceKind kind, IReadOnlyList<GraphEvidenceItem> items, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count > _options.MaxItemsPerSource)
        {
            throw new GraphLimitExceededException(nameof(GraphExtractionOptions.MaxItemsPerSource), _options.MaxItemsPerSource,
                $"Source '{source}' has {items.Count} items, more than GraphExtractionOptions.MaxItemsPerSource ({_options.MaxItemsPerSource}).");
        }

        var duplicate = items.GroupBy(i => i.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Source '{source}' lists item '{duplicate.Key}' {duplicate.Count()} times; item ids must be unique.", nameof(items));
        }

        var stored = await _store.GetSourceHashesAsync(source, cancellationToken).ConfigureAwait(false);
        var failures = new List<GraphIndexFailure>();
        int extracted = 0, unchanged = 0;
        foreach (var item in items)
        {
            var hash = Hash(item.Text);
            if (stored.TryGetValue(item.Id, out var previous) && previous == hash)
            {
                unchanged++;
                continue;
            }

            extracted++;
            ExtractedGraph graph;
            try
            {
                graph = await _extractor.ExtractAsync(item.Id, item.Text, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is PromptOutputException or ModelException or GraphLimitExceededException or HttpRequestException)
            {
                GraphLog.ExtractionFailed(_logger, item.Id, source, e.Message, e);
                failures.Add(new GraphIndexFailure(item.Id, e.Message));
                continue;
            }

            await _writes.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var resolved = await _resolver.ResolveAsync(graph, cancellationToken).ConfigureAwait(false);
                await _store.ReplaceEvidenceAsync(new GraphEvidenceRecord(item.Id, source, kind, hash, item.ObservedAt), resolved, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _writes.Release();
            }
        }

        var current = items.Select(i => i.Id).ToHashSet(StringComparer.Ordinal);
        var gone = stored.Keys.Where(id => !current.Contains(id)).ToList();
        var entitiesRemoved = await DeleteAsync(gone, cancellationToken).ConfigureAwait(false);
        var report = new GraphIndexReport(source, extracted, unchanged, gone.Count, entitiesRemoved, failures);
        GraphLog.SourceUpdated(_logger, source, extracted, unchanged, gone.Count, failures.Count);
        SourceUpdated?.Invoke(this, report);
        return report;
    }

    /// <summary>Removes a source from the graph: its evidence, its relations, and entities only it mentioned.</summary>
    /// <param name="source">The document path or memory source.</param>
    /// <param name="cancellationToken">Cancels the removal.</param>
    /// <returns>The report (only <see cref="GraphIndexReport.Removed"/> and <see cref="GraphIndexReport.EntitiesRemoved"/> are set).</returns>
    public async Task<GraphIndexReport> RemoveSourceAsync(string source, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        var stored = await _store.GetSourceHashesAsync(source, cancellationToken).ConfigureAwait(false);
        var entitiesRemoved = await DeleteAsync([.. stored.Keys], cancellationToken).ConfigureAwait(false);
        var report = new GraphIndexReport(source, 0, 0, stored.Count, entitiesRemoved, []);
        GraphLog.SourceUpdated(_logger, source, 0, 0, stored.Count, 0);
        SourceUpdated?.Invoke(this, report);
        return report;
    }

    Task IGraphEvidenceSink.UpsertSourceAsync(string source, GraphEvidenceKind kind, IReadOnlyList<GraphEvidenceItem> items, CancellationToken cancellationToken) =>
        UpdateSourceAsync(source, kind, items, cancellationToken);

    Task IGraphEvidenceSink.DeleteSourceAsync(string source, CancellationToken cancellationToken) => RemoveSourceAsync(source, cancellationToken);

    private async Task<int> DeleteAsync(List<string> evidenceIds, CancellationToken cancellationToken)
    {
        if (evidenceIds.Count == 0)
        {
            return 0;
        }

        await _writes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await _store.DeleteEvidenceAsync(evidenceIds, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writes.Release();
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _writes.Dispose();

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
