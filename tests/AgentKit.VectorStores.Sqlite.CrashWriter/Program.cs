using AgentKit.VectorStores.Sqlite;
using AgentKit.VectorStores.Sqlite.CrashWriter;

// Usage: CrashWriter <database path> <collection>
// Upserts batches of 10 records with consecutive int keys and prints "ACK <last key>" after each batch's task
// completes. The test kills this process with SIGKILL at an arbitrary point and then checks every acknowledged key.
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: CrashWriter <database path> <collection>");
    return 2;
}

using var store = new SqliteVectorStore(args[0]);
var collection = store.GetCollection<int, CrashRecord>(args[1]);
await collection.EnsureCollectionExistsAsync();
Console.WriteLine("READY");
for (var next = 0; ; next += 10)
{
    var batch = Enumerable.Range(next, 10).Select(CrashRecord.For).ToList();
    await collection.UpsertAsync(batch);
    Console.WriteLine($"ACK {next + 9}");
}
