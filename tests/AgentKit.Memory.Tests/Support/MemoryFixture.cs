using System.Text.Json;
using AgentKit.Prompts;
using AgentKit.Rag.Embeddings;
using AgentKit.Testing;
using AgentKit.VectorStores.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;

namespace AgentKit.Memory.Tests.Support;

/// <summary>A clock the test moves.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Now += by;
}

/// <summary>Embeds texts the test gave a vector to with that vector; any other text with the hashing embedder.</summary>
internal sealed class KnownEmbeddings(int dimensions) : IEmbeddingGenerator<string, Embedding<float>>
{
    // The hashing embedder needs at least 16 dimensions; small test spaces take its first components.
    private readonly HashingEmbeddingGenerator _fallback = new(new HashingEmbeddingGeneratorOptions { Dimensions = Math.Max(16, dimensions) });

    public Dictionary<string, float[]> Vectors { get; } = new(StringComparer.Ordinal);

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(values.Select(v => new Embedding<float>(Vectors.TryGetValue(v, out var known) ? known : _fallback.Embed(v)[..dimensions]))));

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(EmbeddingGeneratorMetadata) ? new EmbeddingGeneratorMetadata("known", null, "known", dimensions) : null;

    public void Dispose() => _fallback.Dispose();
}

/// <summary>Answers each memory prompt with a handler the test sets; the prompt is recognised by its response schema name.</summary>
internal sealed class MemoryModel
{
    public MemoryModel() => Client = new ScriptedChatClient((messages, options) => Answer(messages, options));

    public ScriptedChatClient Client { get; }

    public Func<string, int> Importance { get; set; } = _ => 5;

    public Func<string, IReadOnlyList<(string Id, string Text)>, object> Reconcile { get; set; } = (_, _) => new { decisions = new[] { new { operation = "ADD", id = "", text = "", reason = "new" } } };

    public Func<IReadOnlyList<string>, object> Questions { get; set; } = _ => new { questions = new[] { "What matters?" } };

    public Func<string, IReadOnlyList<(string Id, string Text)>, object> Insights { get; set; } = (_, _) => new { insights = Array.Empty<object>() };

    public int CallsTo(string prompt) => Client.Calls.Count(c => SchemaName(c.Options) == Schema(prompt));

    private static string Schema(string prompt) => prompt.Replace('/', '_');

    private static string? SchemaName(ChatOptions? options) => (options?.ResponseFormat as ChatResponseFormatJson)?.SchemaName;

    private ChatResponse Answer(IReadOnlyList<ChatMessage> messages, ChatOptions? options)
    {
        var user = messages.Last(m => m.Role == ChatRole.User).Text;
        object answer = SchemaName(options) switch
        {
            "memory_importance" => new { importance = Importance(Between(user, "Memory: ", null)) },
            "memory_reconcile" => Reconcile(Between(user, "New fact: ", null), Listed(user)),
            "memory_reflect-questions" => Questions([.. user.Split('\n').Where(l => l.StartsWith("- (", StringComparison.Ordinal)).Select(l => l[(l.IndexOf(')', StringComparison.Ordinal) + 2)..].Trim())]),
            "memory_reflect-insights" => Insights(Between(user, "Question: ", "\n"), Listed(user)),
            var other => throw new InvalidOperationException($"Unexpected prompt schema '{other}'."),
        };
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, JsonSerializer.Serialize(answer)));
    }

    private static string Between(string text, string start, string? end)
    {
        var from = text.IndexOf(start, StringComparison.Ordinal) + start.Length;
        var to = end is null ? text.Length : text.IndexOf(end, from, StringComparison.Ordinal);
        return text[from..(to < 0 ? text.Length : to)].Trim();
    }

    private static List<(string Id, string Text)> Listed(string text) =>
        [.. text.Split('\n').Where(l => l.StartsWith('[')).Select(l => (l[1..l.IndexOf(']', StringComparison.Ordinal)], l[(l.IndexOf(']', StringComparison.Ordinal) + 1)..].Trim()))];
}

/// <summary>An <see cref="AgentMemory"/> on a real SQLite file in a temp folder, with a scripted model, known embeddings and a manual clock.</summary>
internal sealed class MemoryFixture : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "agentkit-memory-tests", Guid.NewGuid().ToString("N"));
    private readonly List<AgentMemory> _memories = [];

    public MemoryFixture(int dimensions = 64)
    {
        Directory.CreateDirectory(_folder);
        Store = new SqliteVectorStore(Path.Combine(_folder, "memory.db"));
        Embeddings = new KnownEmbeddings(dimensions);
        Prompts = CreatePrompts();
    }

    public SqliteVectorStore Store { get; }

    public KnownEmbeddings Embeddings { get; }

    public PromptRegistry Prompts { get; }

    public MemoryModel Model { get; } = new();

    public ManualClock Clock { get; } = new(Start);

    public static PromptRegistry CreatePrompts() => new(new PromptRegistryOptions { RootDirectory = Path.Combine(AppContext.BaseDirectory, "prompts") });

    public AgentMemory Create(MemoryOptions? options = null, ReflectionScheduler? scheduler = null, IChatClient? chat = null)
    {
        var memory = new AgentMemory(Store, Embeddings, chat ?? Model.Client, Prompts, options, Clock, scheduler);
        _memories.Add(memory);
        return memory;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var memory in _memories)
        {
            await memory.DisposeAsync();
        }

        Store.Dispose();
        Prompts.Dispose();
        Embeddings.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
