using System.Globalization;
using AgentKit.Agents;
using AgentKit.Memory;
using AgentKit.Rag.Ingestion;
using AgentKit.Rag.Knowledge;
using AgentKit.VectorStores.Sqlite;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.VectorData;

namespace AgentKit.Faults.Worker;

/// <summary>The crash scenarios: each writes until it is killed, acknowledging every completed write on stdout.</summary>
internal static class Scenarios
{
    /// <summary>
    /// Ingests a folder into <c>rag.db</c>; "ACK status path" after each file, and "UPSERTED n" after each store
    /// write, followed by a pause of <paramref name="pauseAfterWrite"/> (a window for a kill between two writes).
    /// </summary>
    public static async Task IngestAsync(string folder, string documents, TimeSpan pauseAfterWrite)
    {
        await using var services = new ServiceCollection()
            .AddSingleton<VectorStore>(_ => new AcknowledgingVectorStore(new SqliteVectorStore(Path.Combine(folder, "rag.db")), pauseAfterWrite))
            .AddSingleton(_ => FaultModels.Embeddings())
            .AddAgentKitKnowledge(FaultModels.KnowledgeBaseName, o =>
            {
                o.Sources = [documents];
                o.Collection = "knowledge";
                o.IngestOnStart = false;
            })
            .BuildServiceProvider();
        var knowledge = services.GetRequiredKeyedService<KnowledgeBase>(FaultModels.KnowledgeBaseName);
        await knowledge.GetCollectionAsync();
        Console.WriteLine("READY");
        var report = await knowledge.IngestAsync(new Acknowledger());
        Console.WriteLine($"DONE {report.Files.Count}");
    }

    /// <summary>Runs turns of one agent session in <c>sessions.db</c>; "SESSION id", then "ACK k" after each completed run.</summary>
    public static async Task SessionAsync(string folder)
    {
        using var services = FaultModels.SessionServices(Path.Combine(folder, "sessions.db"), FaultModels.SessionModel());
        var session = await services.GetRequiredService<AgentRunner>().CreateSessionAsync(FaultModels.AgentName);
        Console.WriteLine($"SESSION {session.Id}");
        for (var k = 0; ; k++)
        {
            var result = await session.RunAsync(FaultModels.Question(k));
            if (result.Outcome != AgentRunOutcome.Completed)
            {
                throw new InvalidOperationException($"Run {k} ended {result.Outcome}: {result.Error}");
            }

            Console.WriteLine("ACK " + k.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>
    /// Writes observations of importance 10 into <c>memory.db</c> with the reflection threshold at 30, so every third
    /// write reflects inline; "ACK k" after each write returns, "REFLECTED k" when it reflected. Each model call
    /// takes <paramref name="modelDelay"/>.
    /// </summary>
    public static async Task ReflectAsync(string folder, TimeSpan modelDelay)
    {
        using var store = new SqliteVectorStore(Path.Combine(folder, "memory.db"));
        using var embedder = FaultModels.Embeddings();
        var model = FaultModels.MemoryModel();
        await using var memory = FaultModels.Memory(store, embedder, new ChatClientBuilder(model).Use(async (messages, options, next, cancellationToken) =>
        {
            // A model that takes its time, so that a kill soon after an acknowledgement lands inside the reflection.
            await Task.Delay(modelDelay, cancellationToken);
            await next(messages, options, cancellationToken);
        }).Build());
        Console.WriteLine("READY");
        for (var k = 0; ; k++)
        {
            var result = await memory.RememberAsync(new MemoryScope(FaultModels.MemoryAgent), $"observation {k}", new RememberOptions { Importance = FaultModels.ObservationImportance });
            if (result.ReflectionTriggered)
            {
                Console.WriteLine("REFLECTED " + k.ToString(CultureInfo.InvariantCulture));
            }

            Console.WriteLine("ACK " + k.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Prints each file's outcome as soon as the ingestor reports it (synchronously, unlike <see cref="Progress{T}"/>).</summary>
    private sealed class Acknowledger : IProgress<IngestionProgress>
    {
        public void Report(IngestionProgress value)
        {
            if (value.Last is { } done)
            {
                Console.WriteLine($"ACK {done.Status} {done.Path}");
            }
        }
    }
}
