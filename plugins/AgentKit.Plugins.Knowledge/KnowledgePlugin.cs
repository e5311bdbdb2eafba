using System.ComponentModel;
using AgentKit.Rag.Retrieval;
using Microsoft.Extensions.AI;

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

    private readonly RagRetriever _retriever;
    private readonly KnowledgePluginOptions _options;

    /// <summary>Creates the plugin over a retriever.</summary>
    /// <param name="retriever">The knowledge base's retriever.</param>
    /// <param name="options">Retrieval mode and limits; defaults when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">The options are out of range.</exception>
    public KnowledgePlugin(RagRetriever retriever, KnowledgePluginOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(retriever);
        _retriever = retriever;
        _options = options ?? new KnowledgePluginOptions();
        _options.Validate();
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
        };
        var chunks = await _retriever.RetrieveAsync(query, options, cancellationToken).ConfigureAwait(false);
        return chunks.Select((c, i) => new KnowledgeSearchResult(i + 1, c.Citation, c.Source, c.Page, c.Section, c.Text, Math.Round(c.Score, 6))).ToList();
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
public sealed record KnowledgeSearchResult(int Rank, string Citation, string Source, int? Page, string Section, string Text, double Score);

/// <summary>Settings of <see cref="KnowledgePlugin"/>.</summary>
public sealed record KnowledgePluginOptions
{
    /// <summary>The retrieval mode. Default <see cref="RetrievalMode.Hybrid"/>.</summary>
    public RetrievalMode Mode { get; init; } = RetrievalMode.Hybrid;

    /// <summary>The most passages one call returns, whatever the model asks. Default 20; from 1 to 100.</summary>
    public int MaxTop { get; init; } = 20;

    /// <summary>MMR diversification (see <see cref="RetrievalOptions.MmrLambda"/>). Default <see langword="null"/> (off).</summary>
    public double? MmrLambda { get; init; }

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
