using System.Text.Json;
using AgentKit.Embeddings.MiniLM;
using AgentKit.Prompts;
using AgentKit.Testing;
using Microsoft.Extensions.AI;

namespace AgentKit.Graph.Tests.Support;

/// <summary>The repository's prompt files and the real MiniLM model, shared by the tests.</summary>
internal static class Shared
{
    private static readonly Lazy<PromptRegistry> Prompts = new(() => new PromptRegistry(new PromptRegistryOptions
    {
        RootDirectory = PromptRegistry.FindDefaultDirectory() ?? throw new InvalidOperationException("No prompts folder beside the tests."),
        WatchForChanges = false,
    }));

    private static readonly Lazy<MiniLMEmbeddingGenerator> MiniLM = new(() => new MiniLMEmbeddingGenerator());

    public static IPromptRegistry Registry => Prompts.Value;

    public static IEmbeddingGenerator<string, Embedding<float>> Embedder => MiniLM.Value;
}

/// <summary>One fact an oracle extraction answers for a text.</summary>
internal sealed record OracleFact(string Source, string SourceType, string Relation, string Target, string TargetType);

/// <summary>
/// The scripted stand-in for the extraction model: a <see cref="ScriptedChatClient"/> that answers <c>graph/extract</c>
/// with the facts the test wrote for the text between the prompt's &lt;text&gt; tags (none for other texts).
/// </summary>
internal sealed class ScriptedExtractionModel
{
    public ScriptedExtractionModel() => Client = new ScriptedChatClient((messages, _) => Answer(messages));

    public ScriptedChatClient Client { get; }

    public Dictionary<string, IReadOnlyList<OracleFact>> Facts { get; } = new(StringComparer.Ordinal);

    /// <summary>Raw answers by text, for malformed-answer tests; they win over <see cref="Facts"/>.</summary>
    public Dictionary<string, string> RawAnswers { get; } = new(StringComparer.Ordinal);

    public static string TextOf(IReadOnlyList<ChatMessage> messages)
    {
        var user = messages.First(m => m.Role == ChatRole.User).Text;
        var start = user.IndexOf("<text>\n", StringComparison.Ordinal) + "<text>\n".Length;
        var end = user.LastIndexOf("\n</text>", StringComparison.Ordinal);
        return user[start..end];
    }

    public static string Json(IEnumerable<OracleFact> facts)
    {
        var list = facts.ToList();
        var entities = list.SelectMany(f => new[] { (f.Source, f.SourceType), (f.Target, f.TargetType) })
            .DistinctBy(e => e.Item1)
            .Select(e => new { name = e.Item1, type = e.Item2, description = $"{e.Item1} is a {e.Item2}." });
        var relations = list.Select(f => new { source = f.Source, relation = f.Relation, target = f.Target, description = $"{f.Source} {f.Relation} {f.Target}." });
        return JsonSerializer.Serialize(new { entities, relations });
    }

    private ChatResponse Answer(IReadOnlyList<ChatMessage> messages)
    {
        var text = TextOf(messages);
        var answer = RawAnswers.TryGetValue(text, out var raw) ? raw : Json(Facts.GetValueOrDefault(text) ?? []);
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, answer));
    }
}

/// <summary>A graph in a temporary SQLite file with the scripted extraction model and MiniLM.</summary>
internal sealed class GraphFixture : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("agentkit-graph-").FullName;

    public GraphFixture(GraphStoreOptions? store = null, EntityResolutionOptions? resolution = null, GraphExtractionOptions? extraction = null)
    {
        StoreOptions = store ?? new GraphStoreOptions();
        StoreOptions.Path = Path.Combine(_folder, "agentkit.db");
        Store = new SqliteGraphStore(StoreOptions);
        Extractor = new GraphExtractor(Model.Client, Shared.Registry, extraction, StoreOptions);
        Indexer = new GraphIndexer(Store, Extractor, new EntityResolver(Store, Shared.Embedder, resolution), extraction);
        Search = new GraphLocalSearch(Store, Shared.Embedder);
    }

    public string DatabasePath => StoreOptions.Path;

    public GraphStoreOptions StoreOptions { get; }

    public ScriptedExtractionModel Model { get; } = new();

    public SqliteGraphStore Store { get; }

    public GraphExtractor Extractor { get; }

    public GraphIndexer Indexer { get; }

    public GraphLocalSearch Search { get; }

    public void Dispose()
    {
        Indexer.Dispose();
        Store.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
