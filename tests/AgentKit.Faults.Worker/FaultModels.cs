using System.Globalization;
using System.Text.Json;
using AgentKit.Agents;
using AgentKit.Memory;
using AgentKit.Prompts;
using AgentKit.Rag.Embeddings;
using AgentKit.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.VectorData;

namespace AgentKit.Faults.Worker;

/// <summary>The scripted models and the components the worker and the tests build the same way.</summary>
public static class FaultModels
{
    /// <summary>The agent the session scenario runs.</summary>
    public const string AgentName = "faults";

    /// <summary>The agent whose memory the reflection scenario writes.</summary>
    public const string MemoryAgent = "agent-1";

    /// <summary>Insights each reflection writes (one question, this many insights).</summary>
    public const int InsightsPerReflection = 3;

    /// <summary>The importance given to each observation; <see cref="ReflectionThreshold"/> makes every third write reflect.</summary>
    public const int ObservationImportance = 10;

    /// <summary>The reflection threshold of the memory scenario.</summary>
    public const int ReflectionThreshold = 30;

    /// <summary>The user message of run <paramref name="k"/>.</summary>
    /// <param name="k">The run number.</param>
    /// <returns>The text.</returns>
    public static string Question(int k) => "question " + k.ToString(CultureInfo.InvariantCulture);

    /// <summary>The final answer of run <paramref name="k"/>.</summary>
    /// <param name="k">The run number.</param>
    /// <returns>The text.</returns>
    public static string Answer(int k) => "answer " + k.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// A model that answers <c>question k</c> by calling the <c>lookup</c> tool, then answers <c>answer k</c>: each
    /// run stores four messages (user, tool call, tool result, answer).
    /// </summary>
    /// <returns>The model.</returns>
    public static ScriptedChatClient SessionModel() => new((messages, _) =>
    {
        var question = messages.Last(m => m.Role == ChatRole.User).Text;
        var k = int.Parse(question["question ".Length..], CultureInfo.InvariantCulture);
        return messages[^1].Role == ChatRole.Tool
            ? new ChatResponse(new ChatMessage(ChatRole.Assistant, Answer(k)))
            : new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call-" + k.ToString(CultureInfo.InvariantCulture), "lookup", new Dictionary<string, object?> { ["k"] = k })]));
    });

    /// <summary>The services of the session scenario: agents with sessions in <paramref name="databasePath"/>, the <c>lookup</c> tool.</summary>
    /// <param name="databasePath">The session database.</param>
    /// <param name="chat">The model.</param>
    /// <returns>The services; dispose them.</returns>
    public static ServiceProvider SessionServices(string databasePath, IChatClient chat) =>
        new ServiceCollection()
            .AddSingleton(chat)
            .AddAgentKitAgents(databasePath)
            .AddAgentKitTools(AIFunctionFactory.Create((int k) => "looked up " + k.ToString(CultureInfo.InvariantCulture), "lookup"))
            .AddAgent(new AgentDefinition { Name = AgentName, Instructions = AgentInstructions.Literal("You answer questions."), Tools = ["lookup"] })
            .BuildServiceProvider();

    /// <summary>A model for the memory prompts: importance 5, one question, <see cref="InsightsPerReflection"/> insights citing memory 1.</summary>
    /// <returns>The model.</returns>
    public static ScriptedChatClient MemoryModel()
    {
        var reflections = 0;
        return new ScriptedChatClient((_, options) =>
        {
            object answer = (options?.ResponseFormat as ChatResponseFormatJson)?.SchemaName switch
            {
                "memory_importance" => new { importance = 5 },
                "memory_reflect-questions" => new { questions = new[] { "What happened lately?" } },
                "memory_reflect-insights" => new
                {
                    insights = Enumerable.Range(0, InsightsPerReflection)
                        .Select(i => new { text = $"insight {Interlocked.Increment(ref reflections)} of a reflection", evidence = new[] { "1" } }).ToArray(),
                },
                var other => throw new InvalidOperationException($"Unexpected prompt schema '{other}'."),
            };
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, JsonSerializer.Serialize(answer)));
        });
    }

    /// <summary>The memory of the reflection and disk-full scenarios: reflection inline at <see cref="ReflectionThreshold"/>, one question.</summary>
    /// <param name="store">The store.</param>
    /// <param name="embeddings">The embedder.</param>
    /// <param name="chat">The model.</param>
    /// <returns>The memory; dispose it.</returns>
    public static AgentMemory Memory(VectorStore store, IEmbeddingGenerator<string, Embedding<float>> embeddings, IChatClient chat) =>
        new(store, embeddings, chat, Prompts(), new MemoryOptions { ReflectionThreshold = ReflectionThreshold, ReflectionQuestionCount = 1 });

    /// <summary>The framework's prompt files, copied beside the program.</summary>
    /// <returns>The registry.</returns>
    public static PromptRegistry Prompts() => new(new PromptRegistryOptions { RootDirectory = Path.Combine(AppContext.BaseDirectory, "prompts") });

    /// <summary>The knowledge base the ingestion scenarios register with <c>AddAgentKitKnowledge</c>.</summary>
    public const string KnowledgeBaseName = "faults";

    /// <summary>
    /// The embedding model of every scenario, registered in the container as a host's default would be: the lexical
    /// hashing one at 64 dimensions, so that the worker needs no model file.
    /// </summary>
    /// <returns>The embedder.</returns>
    public static IEmbeddingGenerator<string, Embedding<float>> Embeddings() => new HashingEmbeddingGenerator(new HashingEmbeddingGeneratorOptions { Dimensions = 64 });

    /// <summary>A Markdown document of <paramref name="sections"/> sections of about 600 words each (several chunks per section).</summary>
    /// <param name="name">The document's name, repeated in its text.</param>
    /// <param name="sections">How many sections.</param>
    /// <returns>The Markdown.</returns>
    public static string Document(string name, int sections) => string.Join("\n\n", Enumerable.Range(0, sections).Select(s =>
        $"# {name} section {s.ToString(CultureInfo.InvariantCulture)}\n\n" + string.Join(' ', Enumerable.Range(0, 60).Select(w => $"The {name} document says thing {w} about topic {s}."))));
}
