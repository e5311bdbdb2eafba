namespace AgentKit.Graph;

/// <summary>The knowledge graph's settings (configuration section <c>AgentKit:Graph</c>).</summary>
public sealed class GraphOptions
{
    /// <summary>The configuration section the host binds.</summary>
    public const string SectionName = "AgentKit:Graph";

    /// <summary>The SQLite file and the graph's bounds.</summary>
    public GraphStoreOptions Store { get; set; } = new();

    /// <summary>The extraction prompt and per-item bounds.</summary>
    public GraphExtractionOptions Extraction { get; set; } = new();

    /// <summary>When names merge.</summary>
    public EntityResolutionOptions Resolution { get; set; } = new();

    /// <summary>Local search bounds.</summary>
    public GraphSearchOptions Search { get; set; } = new();

    /// <summary>Community detection, summaries and their refresh after updates.</summary>
    public CommunitySummaryOptions Communities { get; set; } = new();

    /// <summary>Global search bounds.</summary>
    public GlobalSearchOptions GlobalSearch { get; set; } = new();

    /// <summary>The keyed <c>IChatClient</c> that extracts, summarises communities and runs global search (with the host, a chat model under <c>AgentKit:Models</c>); the unkeyed one when null.</summary>
    public string? ChatClientKey { get; set; }

    /// <summary>The keyed embedding generator for names and questions; the unkeyed one when null.</summary>
    public string? EmbeddingGeneratorKey { get; set; }

    /// <summary>Checks every part.</summary>
    /// <returns>The problems, each naming its setting; empty when valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        Check(Store.Validate, "Store");
        Check(Extraction.Validate, "Extraction");
        Check(Resolution.Validate, "Resolution");
        Check(Search.Validate, "Search");
        Check(Communities.Validate, "Communities");
        Check(GlobalSearch.Validate, "GlobalSearch");
        return errors;

        void Check(Action validate, string part)
        {
            try
            {
                validate();
            }
            catch (ArgumentException e)
            {
                errors.Add($"{SectionName}:{part}: {e.Message}");
            }
        }
    }
}
