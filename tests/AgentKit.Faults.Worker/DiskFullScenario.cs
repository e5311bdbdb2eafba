using System.Globalization;
using AgentKit.Agents.Sessions;
using AgentKit.Memory;
using AgentKit.Rag.Knowledge;
using AgentKit.VectorStores.Sqlite;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.VectorData;

namespace AgentKit.Faults.Worker;

/// <summary>
/// Runs on a small file system (the test mounts a tmpfs at the data folder): stores data in every component, fills
/// the disk, tries one write per component, reads everything back, frees the space and writes again.
/// </summary>
/// <remarks>
/// Output, one line each: <c>SEEDED</c>, <c>FULL</c>, <c>RESULT name ok</c> or <c>RESULT name error Type: message</c>
/// for each write on the full disk, <c>READ name count</c>, <c>FREED</c>, <c>RETRY name ...</c> like RESULT, and
/// <c>READ2 name count</c>. The components are <c>vectors</c> (SQLite vector store upsert), <c>sessions</c> (session
/// append), <c>memory</c> (memory write) and <c>ingestion</c> (RAG ingestion of a new file).
/// </remarks>
internal static class DiskFullScenario
{
    public static async Task<int> RunAsync(string folder)
    {
        var documents = Path.Combine(folder, "docs");
        Directory.CreateDirectory(documents);
        var first = Path.Combine(documents, "first.md");
        var second = Path.Combine(documents, "second.md");
        var staged = Path.Combine(folder, "second.staged");
        await File.WriteAllTextAsync(first, FaultModels.Document("first", 4));
        await File.WriteAllTextAsync(staged, FaultModels.Document("second", 12));

        using var store = new SqliteVectorStore(Path.Combine(folder, "data.db"));
        var records = store.GetCollection<int, FaultRecord>("records");
        await records.EnsureCollectionExistsAsync();
        await records.UpsertAsync(Enumerable.Range(0, 50).Select(FaultRecord.For));
        var sessions = new SqliteSessionStore(Path.Combine(folder, "sessions.db"));
        var session = await sessions.CreateAsync(FaultModels.AgentName);
        await sessions.AppendMessagesAsync(session.Id, [new ChatMessage(ChatRole.User, "hello"), new ChatMessage(ChatRole.Assistant, "hi")]);
        using var embedder = FaultModels.Embeddings();
        await using var memory = FaultModels.Memory(store, embedder, FaultModels.MemoryModel());
        var scope = new MemoryScope(FaultModels.MemoryAgent);
        for (var i = 0; i < 3; i++)
        {
            await memory.RememberAsync(scope, $"seeded memory {i}", new RememberOptions { Importance = 1 });
        }

        await using var services = new ServiceCollection()
            .AddSingleton<VectorStore>(store)
            .AddSingleton(embedder)
            .AddAgentKitKnowledge(FaultModels.KnowledgeBaseName, o =>
            {
                o.Sources = [documents];
                o.Collection = "knowledge";
                o.IngestOnStart = false;
            })
            .BuildServiceProvider();
        var knowledge = services.GetRequiredKeyedService<KnowledgeBase>(FaultModels.KnowledgeBaseName);
        await knowledge.IngestAsync();
        var chunks = await knowledge.GetCollectionAsync();
        Console.WriteLine("SEEDED");

        var filler = Path.Combine(folder, "filler");
        Console.WriteLine($"FULL {Fill(filler)}");
        var writes = new (string Name, Func<int, Task> Write)[]
        {
            ("vectors", round => records.UpsertAsync(Enumerable.Range(1000 * round, 200).Select(FaultRecord.For))),
            ("sessions", round => sessions.AppendMessagesAsync(session.Id, [new ChatMessage(ChatRole.User, new string('q', 16_384)), new ChatMessage(ChatRole.Assistant, $"reply {round}")]).AsTask()),
            ("memory", round => memory.RememberAsync(scope, $"a memory written in round {round}", new RememberOptions { Importance = 1 })),
            ("ingestion", _ => IngestSecondAsync()),
        };
        foreach (var (name, write) in writes)
        {
            Console.WriteLine($"RESULT {name} {await OutcomeAsync(() => write(1))}");
        }

        await ReadAsync("READ");
        File.Delete(filler);
        Console.WriteLine("FREED");
        foreach (var (name, write) in writes)
        {
            Console.WriteLine($"RETRY {name} {await OutcomeAsync(() => write(2))}");
        }

        await ReadAsync("READ2");
        return 0;

        // The new document arrives by a rename, which needs no free space, so only the ingestion meets the full disk.
        Task IngestSecondAsync()
        {
            if (!File.Exists(second))
            {
                File.Move(staged, second);
            }

            return knowledge.IngestAsync();
        }

        async Task ReadAsync(string label)
        {
            var keys = Enumerable.Range(0, 50).Concat(Enumerable.Range(1000, 200)).Concat(Enumerable.Range(2000, 200)).ToList();
            var found = await records.GetAsync(keys).ToListAsync();
            Console.WriteLine($"{label} vectors {found.Count(r => r.Text == FaultRecord.For(r.Id).Text)}");
            Console.WriteLine($"{label} sessions {(await sessions.LoadMessagesAsync(session.Id)).Count}");
            Console.WriteLine($"{label} memory {(await memory.ListRecentAsync(scope, 100)).Count}");
            Console.WriteLine($"{label} ingestion {await chunks.GetAsync(r => r.ChunkIndex >= 0, 10_000).CountAsync()}");
        }
    }

    /// <summary>Writes a file until the file system has no space left, in ever smaller blocks; returns its size.</summary>
    private static long Fill(string path)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1);
        foreach (var block in new[] { 65_536, 4_096, 512, 1 })
        {
            var bytes = new byte[block];
            try
            {
                while (true)
                {
                    stream.Write(bytes);
                }
            }
            catch (IOException)
            {
                // No space for a block of this size: try smaller ones.
            }
        }

        return stream.Length;
    }

    private static async Task<string> OutcomeAsync(Func<Task> write)
    {
        try
        {
            await write();
            return "ok";
        }
        catch (Exception e) when (e is VectorStoreException or SessionStoreException or MemoryException or IOException)
        {
            return $"error {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}";
        }
    }
}
