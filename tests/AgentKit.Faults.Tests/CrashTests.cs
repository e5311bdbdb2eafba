using System.Globalization;
using AgentKit.Agents;
using AgentKit.Agents.Sessions;
using AgentKit.Faults.Worker;
using AgentKit.Memory;
using AgentKit.Rag.Ingestion;
using AgentKit.VectorStores.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AgentKit.Faults.Tests;

/// <summary>
/// <c>kill -9</c> of a process in the middle of its writes: after a restart nothing acknowledged is lost, nothing is
/// half-written, and the interrupted work resumes. The kill point is drawn from a fixed seed (printed on failure).
/// </summary>
public sealed class CrashTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly TempFolder _folder = new();

    [Theory]
    [InlineData(3, 0)]
    [InlineData(6, 0)]
    [InlineData(0, 11)]
    public async Task Ingestion_KilledMidRun_KeepsEveryAcknowledgedFile_NoFileHalfWritten_AndTheRerunCompletesIncrementally(int killAfterWrites, int seed)
    {
        // Killed right after the n-th store write (the worker pauses 400 ms after each), where an ingestor that needs
        // two writes for one file would leave it half-written; or, with a seed, at a random moment after a few files.
        using var timeout = new CancellationTokenSource(Bound);
        var random = new Random(seed);
        var documents = Path.Combine(_folder.Path, "docs");
        Directory.CreateDirectory(documents);
        for (var i = 0; i < 30; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(documents, $"doc{i:D2}.md"), FaultModels.Document($"doc{i}", 6), timeout.Token);
        }

        var killAfterFiles = random.Next(2, 12);
        using (var worker = WorkerProcess.Start(["ingest", _folder.Path, documents, killAfterWrites > 0 ? "400" : "0"]))
        {
            var (writes, acked) = (0, 0);
            await worker.ReadUntilAsync(
                line => killAfterWrites > 0
                    ? line.StartsWith("UPSERTED ", StringComparison.Ordinal) && ++writes == killAfterWrites
                    : line.StartsWith("ACK ", StringComparison.Ordinal) && ++acked == killAfterFiles,
                timeout.Token);
            if (killAfterWrites == 0)
            {
                await Task.Delay(random.Next(0, 40), timeout.Token);
            }

            await worker.KillAsync();
            Assert.DoesNotContain(worker.Lines, l => l.StartsWith("DONE", StringComparison.Ordinal));
            var acknowledged = worker.Lines.Where(l => l.StartsWith("ACK Added ", StringComparison.Ordinal)).Select(l => l["ACK Added ".Length..]).ToList();

            using var store = new SqliteVectorStore(Path.Combine(_folder.Path, "rag.db"));
            using var embedder = FaultModels.Embeddings();
            var collection = await RagChunkStore.OpenAsync(store, "knowledge", embedder, timeout.Token);
            var afterCrash = await ChunksBySourceAsync(collection, timeout.Token);
            Assert.Subset(afterCrash.Keys.ToHashSet(), acknowledged.ToHashSet());

            var report = await new RagIngestor(collection, embedder).IngestDirectoryAsync(documents, cancellationToken: timeout.Token);

            var complete = await ChunksBySourceAsync(collection, timeout.Token);
            Assert.Equal(30, complete.Count);
            foreach (var (source, chunks) in afterCrash)
            {
                // All or none: a file present after the crash has exactly the chunks of a complete ingestion.
                Assert.Equal(complete[source], chunks);
            }

            Assert.All(report.Files, f => Assert.Equal(afterCrash.ContainsKey(f.Path) ? FileIngestionStatus.Unchanged : FileIngestionStatus.Added, f.Status));
            Assert.Equal(complete.Values.Sum(c => c.Count), await CountRowsAsync(Path.Combine(_folder.Path, "rag.db"), "knowledge"));
        }

        AssertIntegrity(Path.Combine(_folder.Path, "rag.db"));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(17)]
    public async Task SessionRuns_KilledMidWrite_KeepEveryAcknowledgedRun_EachRunAllOrNone_AndTheSessionContinues(int seed)
    {
        using var timeout = new CancellationTokenSource(Bound);
        var random = new Random(seed);
        var database = Path.Combine(_folder.Path, "sessions.db");
        var killAfter = random.Next(20, 80);
        string sessionId;
        int lastAcked;
        using (var worker = WorkerProcess.Start(["session", _folder.Path]))
        {
            sessionId = (await worker.ReadUntilAsync(l => l.StartsWith("SESSION ", StringComparison.Ordinal), timeout.Token))["SESSION ".Length..];
            await worker.ReadUntilAsync(l => l == "ACK " + killAfter.ToString(CultureInfo.InvariantCulture), timeout.Token);
            await Task.Delay(random.Next(0, 20), timeout.Token);
            await worker.KillAsync();
            lastAcked = worker.Lines.Where(l => l.StartsWith("ACK ", StringComparison.Ordinal)).Select(l => int.Parse(l[4..], CultureInfo.InvariantCulture)).Max();
        }

        AssertIntegrity(database);
        var history = await new SqliteSessionStore(database).LoadMessagesAsync(sessionId, timeout.Token);
        Assert.Equal(0, history.Count % 4);
        var runs = history.Count / 4;
        Assert.InRange(runs, lastAcked + 1, lastAcked + 2);
        for (var k = 0; k < runs; k++)
        {
            var run = history.Skip(4 * k).Take(4).ToList();
            Assert.Equal(FaultModels.Question(k), run[0].Text);
            Assert.IsType<FunctionCallContent>(Assert.Single(run[1].Contents));
            Assert.IsType<FunctionResultContent>(Assert.Single(run[2].Contents));
            Assert.Equal(FaultModels.Answer(k), run[3].Text);
        }

        // After the restart the session goes on from where the stored history ends.
        using var services = FaultModels.SessionServices(database, FaultModels.SessionModel());
        var session = await services.GetRequiredService<AgentRunner>().OpenSessionAsync(sessionId, timeout.Token);
        var next = await session.RunAsync(FaultModels.Question(runs), timeout.Token);
        Assert.Equal(AgentRunOutcome.Completed, next.Outcome);
        Assert.Equal(FaultModels.Answer(runs), next.Text);
        Assert.Equal(history.Count + 4, (await session.GetHistoryAsync(timeout.Token)).Count);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(8)]
    public async Task Reflection_KilledMidway_KeepsAcknowledgedMemories_StoresAllOrNoneOfItsInsights_AndReflectsAgainAfterRestart(int seed)
    {
        using var timeout = new CancellationTokenSource(Bound);
        var random = new Random(seed);
        var database = Path.Combine(_folder.Path, "memory.db");

        // Writes 2, 5, 8, … reach the threshold and reflect inline (four model calls of 30 ms each); the kill comes
        // after the acknowledgement of the write before one of them, at a random point of the next write's reflection.
        var killAfter = (3 * random.Next(1, 4)) + 1;
        int lastAcked;
        int reflected;
        using (var worker = WorkerProcess.Start(["reflect", _folder.Path, "30"]))
        {
            await worker.ReadUntilAsync(l => l == "ACK " + killAfter.ToString(CultureInfo.InvariantCulture), timeout.Token);
            await Task.Delay(random.Next(0, 150), timeout.Token);
            await worker.KillAsync();
            lastAcked = worker.Lines.Where(l => l.StartsWith("ACK ", StringComparison.Ordinal)).Select(l => int.Parse(l[4..], CultureInfo.InvariantCulture)).Max();
            reflected = worker.Lines.Count(l => l.StartsWith("REFLECTED ", StringComparison.Ordinal));
        }

        AssertIntegrity(database);
        using var store = new SqliteVectorStore(database);
        using var embedder = FaultModels.Embeddings();
        await using var memory = FaultModels.Memory(store, embedder, FaultModels.MemoryModel());
        var scope = new MemoryScope(FaultModels.MemoryAgent);
        var all = await memory.ListRecentAsync(scope, 1000, timeout.Token);
        var observations = all.Where(m => m.Kind == MemoryKind.Observation).Select(m => m.Text).ToHashSet();
        for (var k = 0; k <= lastAcked; k++)
        {
            Assert.Contains($"observation {k}", observations);
        }

        Assert.InRange(observations.Count, lastAcked + 1, lastAcked + 2);
        var reflections = all.Where(m => m.Kind == MemoryKind.Reflection).GroupBy(m => m.Created).ToList();
        Assert.All(reflections, r => Assert.Equal(FaultModels.InsightsPerReflection, r.Count()));
        Assert.InRange(reflections.Count, reflected, reflected + 1);
        var ids = all.Select(m => m.Id).ToHashSet();
        Assert.All(reflections.SelectMany(r => r), insight => Assert.All(insight.EvidenceIds, id => Assert.Contains(id, ids)));

        // The importance since the last stored reflection is recounted from the store: an interrupted reflection is
        // due again, so the next write runs it.
        var lastReflection = reflections.Select(r => r.Key).DefaultIfEmpty(DateTimeOffset.MinValue).Max();
        var pending = all.Where(m => m.Kind != MemoryKind.Reflection && m.Created > lastReflection).Sum(m => m.Importance);
        var result = await memory.RememberAsync(scope, "observation after the restart", new RememberOptions { Importance = FaultModels.ObservationImportance }, timeout.Token);
        Assert.Equal(pending + FaultModels.ObservationImportance >= FaultModels.ReflectionThreshold, result.ReflectionTriggered);
        var after = await memory.ListRecentAsync(scope, 1000, timeout.Token);
        Assert.Equal(reflections.Sum(r => r.Count()) + (result.ReflectionTriggered ? FaultModels.InsightsPerReflection : 0), after.Count(m => m.Kind == MemoryKind.Reflection));
    }

    [Fact]
    public async Task Ingestion_UpdateKilledBeforeItsSurplusChunksWereDeleted_NextRunDeletesThem()
    {
        using var timeout = new CancellationTokenSource(Bound);
        var file = Path.Combine(_folder.Path, "policy.md");
        await File.WriteAllTextAsync(file, FaultModels.Document("policy", 8), timeout.Token);
        using var store = new SqliteVectorStore(Path.Combine(_folder.Path, "rag.db"));
        using var embedder = FaultModels.Embeddings();
        var collection = await RagChunkStore.OpenAsync(store, "knowledge", embedder, timeout.Token);
        var ingestor = new RagIngestor(collection, embedder);
        await ingestor.IngestFilesAsync([file], cancellationToken: timeout.Token);
        var longVersion = await collection.GetAsync(r => r.Source == file, 1000, new() { IncludeVectors = true }, timeout.Token).ToListAsync(timeout.Token);

        // The file shrinks; its update is written, then the process dies before the surplus old chunks are deleted:
        // the old version's tail is back beside the new version's chunks.
        await File.WriteAllTextAsync(file, FaultModels.Document("policy", 2), timeout.Token);
        var update = await ingestor.IngestFilesAsync([file], cancellationToken: timeout.Token);
        var shortVersion = await ChunksBySourceAsync(collection, timeout.Token);
        var tail = longVersion.Where(r => r.ChunkIndex >= shortVersion[file].Count).ToList();
        Assert.NotEmpty(tail);
        await collection.UpsertAsync(tail, timeout.Token);

        var rerun = await ingestor.IngestFilesAsync([file], cancellationToken: timeout.Token);

        Assert.Equal(FileIngestionStatus.Updated, Assert.Single(update.Files).Status);
        Assert.Equal(FileIngestionStatus.Unchanged, Assert.Single(rerun.Files).Status);
        Assert.Equal(shortVersion, await ChunksBySourceAsync(collection, timeout.Token));
    }

    public void Dispose() => _folder.Dispose();

    private static async Task<Dictionary<string, List<(Guid Id, int Index, string Hash, string FileHash)>>> ChunksBySourceAsync(Microsoft.Extensions.VectorData.VectorStoreCollection<Guid, RagChunkRecord> collection, CancellationToken cancellationToken)
    {
        var records = await collection.GetAsync(r => r.ChunkIndex >= 0, 100_000, cancellationToken: cancellationToken).ToListAsync(cancellationToken);
        return records.GroupBy(r => r.Source).ToDictionary(g => g.Key, g => g.OrderBy(r => r.ChunkIndex).Select(r => (r.Id, r.ChunkIndex, r.ContentHash, r.FileHash)).ToList());
    }

    private static async Task<long> CountRowsAsync(string database, string table)
    {
        await using var connection = new SqliteConnection($"Data Source={database}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM \"{table}\"";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static void AssertIntegrity(string database)
    {
        using var connection = new SqliteConnection($"Data Source={database}");
        connection.Open();
        using var check = connection.CreateCommand();
        check.CommandText = "PRAGMA integrity_check";
        Assert.Equal("ok", check.ExecuteScalar());
    }
}
