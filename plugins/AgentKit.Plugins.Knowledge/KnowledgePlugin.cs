using System.ComponentModel;
using AgentKit.Rag.Knowledge;
using AgentKit.Rag.Retrieval;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AgentKit.Plugins.Knowledge;

/// <summary>
/// A tool plugin that lets an agent search the knowledge base: <c>search_knowledge(query, top)</c> returns ranked
/// chunks, each with a citation (file, page, section). The chunks' text is returned as tool output, which agents
/// treat as data, not instructions.
/// </summary>
public sealed class KnowledgePlugin
{
    /// <summary>The tool's name as models see it.</summary>
    public const string FunctionName = "search_knowledge";

    /// <summary>The tool's description as models see it.</summary>
    public const string FunctionDescription = "Searches the knowledge base (ingested documents) and returns the most relevant passages, most relevant first, each with a citation (file, page, section) to quote when using it.";

    private readonly Func<string, RetrievalOptions, CancellationToken, Task<IReadOnlyList<RetrievedChunk>>> _search;
    private readonly KnowledgePluginOptions _options;
    private readonly Func<RetrievalMode, CancellationToken, Task<bool>> _rerankByDefault;

    /// <summary>Creates the plugin over a retriever.</summary>
    /// <param name="retriever">The knowledge base's retriever.</param>
    /// <param name="options">Retrieval mode and limits; defaults when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">The options are out of range.</exception>
    public KnowledgePlugin(RagRetriever retriever, KnowledgePluginOptions? options = null)
        : this(ValidateNotNull(retriever).RetrieveAsync, options ?? new KnowledgePluginOptions(), static (_, _) => Task.FromResult(false))
    {
    }

    private KnowledgePlugin(Func<string, RetrievalOptions, CancellationToken, Task<IReadOnlyList<RetrievedChunk>>> search, KnowledgePluginOptions options, Func<RetrievalMode, CancellationToken, Task<bool>> rerankByDefault)
    {
        options.Validate();
        _search = search;
        _options = options;
        _rerankByDefault = rerankByDefault;
    }

    /// <summary>
    /// The plugin over a configured knowledge base (<c>AgentKit:Knowledge:&lt;name&gt;</c>): by default it searches in
    /// the base's mode and with its MMR and re-ranking settings.
    /// </summary>
    /// <param name="knowledge">The knowledge base.</param>
    /// <param name="options">Retrieval mode and limits; the base's mode, MMR and re-ranking when null.</param>
    /// <returns>The plugin.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The options are out of range.</exception>
    public static KnowledgePlugin For(KnowledgeBase knowledge, KnowledgePluginOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(knowledge);
        return new KnowledgePlugin(
            knowledge.SearchAsync,
            options ?? new KnowledgePluginOptions { Mode = knowledge.Options.Mode, MmrLambda = knowledge.Options.MmrLambda },
            async (mode, cancellationToken) =>
            {
                await knowledge.GetCollectionAsync(cancellationToken).ConfigureAwait(false);
                return knowledge.ReranksByDefault(mode);
            });
    }

    /// <summary>
    /// <c>search_knowledge</c> over the knowledge base registered under <paramref name="knowledgeBase"/>
    /// (<c>AddAgentKitKnowledge</c> or <c>AgentKit:Knowledge</c>), for a tool catalog.
    /// </summary>
    /// <param name="services">The services holding the knowledge base.</param>
    /// <param name="knowledgeBase">Its name.</param>
    /// <param name="options">Retrieval mode and limits; the base's mode and MMR when null.</param>
    /// <returns>The function.</returns>
    /// <exception cref="InvalidOperationException">No knowledge base has that name.</exception>
    public static AIFunction CreateFunction(IServiceProvider services, string knowledgeBase, KnowledgePluginOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(knowledgeBase);
        var knowledge = services.GetKeyedService<KnowledgeBase>(knowledgeBase)
            ?? throw new InvalidOperationException($"No knowledge base named '{knowledgeBase}' is registered (AgentKit:Knowledge:{knowledgeBase} or AddAgentKitKnowledge).");
        return For(knowledge, options).AsAIFunction();
    }

    private static RagRetriever ValidateNotNull(RagRetriever retriever)
    {
        ArgumentNullException.ThrowIfNull(retriever);
        return retriever;
    }

    /// <summary>Searches the knowledge base.</summary>
    /// <param name="query">What to look for.</param>
    /// <param name="top">How many passages to return; clamped to 1 … <see cref="KnowledgePluginOptions.MaxTop"/>.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <returns>The passages, most relevant first.</returns>
    [Description(FunctionDescription)]
    public async Task<IReadOnlyList<KnowledgeSearchResult>> SearchKnowledgeAsync(
        [Description("What to look for, in natural language or keywords.")] string query,
        [Description("How many passages to return (1-20).")] int top = 5,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(query);
        var options = new RetrievalOptions
        {
            Mode = _options.Mode,
            Top = Math.Clamp(top, 1, _options.MaxTop),
            MmrLambda = _options.MmrLambda,
            Rerank = _options.Rerank ?? await _rerankByDefault(_options.Mode, cancellationToken).ConfigureAwait(false),
        };
        var chunks = await _search(query, options, cancellationToken).ConfigureAwait(false);
        return chunks.Select((c, i) => new KnowledgeSearchResult(i + 1, c.Citation, c.Source, c.Page, c.Section, c.Text, Math.Round(c.Score, 6)) { Updated = c.SourceTime }).ToList();
    }

    /// <summary>The search as an <see cref="AIFunction"/> named <see cref="FunctionName"/>, ready for <see cref="ChatOptions.Tools"/>.</summary>
    /// <returns>The function.</returns>
    public AIFunction AsAIFunction() =>
        AIFunctionFactory.Create(SearchKnowledgeAsync, new AIFunctionFactoryOptions { Name = FunctionName });
}

/// <summary>One passage found by <see cref="KnowledgePlugin.SearchKnowledgeAsync"/>.</summary>
/// <param name="Rank">Its position in the results, from 1.</param>
/// <param name="Citation">File name, page and section, to quote.</param>
/// <param name="Source">The full path of the file.</param>
/// <param name="Page">The page, for paged formats.</param>
/// <param name="Section">The heading path.</param>
/// <param name="Text">The passage.</param>
/// <param name="Score">The retrieval score (higher is better; comparable within one result list).</param>
public sealed record KnowledgeSearchResult(int Rank, string Citation, string Source, int? Page, string Section, string Text, double Score)
{
    /// <summary>When the source file was last changed, when known: lets the agent loop tell newer passages from older ones.</summary>
    public DateTimeOffset? Updated { get; init; }
}

/// <summary>Settings of <see cref="KnowledgePlugin"/>.</summary>
public sealed record KnowledgePluginOptions
{
    /// <summary>The retrieval mode. Default <see cref="RetrievalMode.Hybrid"/>.</summary>
    public RetrievalMode Mode { get; init; } = RetrievalMode.Hybrid;

    /// <summary>The most passages one call returns, whatever the model asks. Default 20; from 1 to 100.</summary>
    public int MaxTop { get; init; } = 20;

    /// <summary>MMR diversification (see <see cref="RetrievalOptions.MmrLambda"/>). Default <see langword="null"/> (off).</summary>
    public double? MmrLambda { get; init; }

    /// <summary>
    /// Whether the search re-ranks its candidates (see <see cref="RetrievalOptions.Rerank"/>; needs a re-ranker).
    /// Default (null): over a knowledge base, as the base does (<see cref="KnowledgeBase.ReranksByDefault"/> for <see cref="Mode"/>); over a
    /// retriever, no.
    /// </summary>
    public bool? Rerank { get; init; }

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        if (MaxTop is < 1 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxTop), MaxTop, "MaxTop must be from 1 to 100.");
        }

        new RetrievalOptions { MmrLambda = MmrLambda }.Validate();
    }
}
