using System.Diagnostics;
using AgentKit.VectorStores.Sqlite.CrashWriter;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.VectorData;

namespace AgentKit.VectorStores.Sqlite.Tests;

/// <summary>An acknowledged upsert survives <c>kill -9</c> of the writing process, and the file stays intact.</summary>
public sealed class DurabilityTests : IDisposable
{
    private readonly TempDatabase _database = new();

    [Fact]
    public async Task KilledWriter_EveryAcknowledgedRecord_SurvivesReopen()
    {
        var lastAcked = await RunWriterUntilKilledAsync(minimumAcked: 300);

        using var store = new SqliteVectorStore(_database.Path);
        var collection = store.GetCollection<int, CrashRecord>("crash");
        var keys = Enumerable.Range(0, lastAcked + 1).ToList();
        var found = await collection.GetAsync(keys, new RecordRetrievalOptions { IncludeVectors = true }).ToListAsync();

        Assert.Equal(keys.Count, found.Count);
        Assert.All(found, record =>
        {
            var expected = CrashRecord.For(record.Id);
            Assert.Equal(expected.Text, record.Text);
            Assert.Equal(expected.Embedding.ToArray(), record.Embedding.ToArray());
        });
        var nearest = await collection.SearchAsync(CrashRecord.For(7).Embedding, 1, new VectorSearchOptions<CrashRecord> { Filter = r => r.Id <= lastAcked }).SingleAsync();
        Assert.Equal(7, nearest.Record.Id);
        using var connection = new SqliteConnection($"Data Source={_database.Path}");
        connection.Open();
        using var check = connection.CreateCommand();
        check.CommandText = "PRAGMA integrity_check";
        Assert.Equal("ok", check.ExecuteScalar());
    }

    public void Dispose() => _database.Dispose();

    private async Task<int> RunWriterUntilKilledAsync(int minimumAcked)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(CrashWriterPath());
        start.ArgumentList.Add(_database.Path);
        start.ArgumentList.Add("crash");
        using var process = Process.Start(start)!;
        var lastAcked = -1;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            while (lastAcked < minimumAcked)
            {
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token)
                    ?? throw new InvalidOperationException($"The writer exited early: {await process.StandardError.ReadToEndAsync(timeout.Token)}");
                if (line.StartsWith("ACK ", StringComparison.Ordinal))
                {
                    lastAcked = int.Parse(line[4..], System.Globalization.CultureInfo.InvariantCulture);
                }
            }
        }
        finally
        {
            // SIGKILL on Unix: no finalizers, no disposal, mid-transaction as likely as not.
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }

        // Lines printed between the last read and the kill were acknowledged too; count them.
        var rest = await process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        foreach (var line in rest.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.StartsWith("ACK ", StringComparison.Ordinal))
            {
                lastAcked = int.Parse(line[4..], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return lastAcked;
    }

    private static string CrashWriterPath()
    {
        var baseDirectory = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        var framework = Path.GetFileName(baseDirectory);
        var configuration = Path.GetFileName(Path.GetDirectoryName(baseDirectory)!);
        var path = Path.GetFullPath(Path.Combine(baseDirectory, "..", "..", "..", "..", "AgentKit.VectorStores.Sqlite.CrashWriter", "bin", configuration, framework, "AgentKit.VectorStores.Sqlite.CrashWriter.dll"));
        Assert.True(File.Exists(path), $"The crash writer is built with the tests; not found at {path}.");
        return path;
    }
}
