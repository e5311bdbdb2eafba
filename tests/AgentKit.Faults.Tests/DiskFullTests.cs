namespace AgentKit.Faults.Tests;

/// <summary>
/// The data folder on a full disk: a 2 MiB tmpfs mounted in a private mount namespace (<c>unshare --mount</c> as
/// root, else <c>unshare --user --map-root-user --mount</c>), so nothing outside the worker process sees it and it
/// disappears with the process. Skipped, with the reason, where neither is permitted.
/// </summary>
public sealed class DiskFullTests : IDisposable
{
    private static readonly string[] Components = ["vectors", "sessions", "memory", "ingestion"];
    private readonly TempFolder _folder = new();

    [Fact]
    public async Task DiskFull_EveryWriteFailsTypedNamingThePath_StoredDataStaysReadable_AndWritesWorkOnceSpaceIsFreed()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var lines = await RunOnSmallTmpfsAsync(timeout.Token);

        var expectedType = new Dictionary<string, string>
        {
            ["vectors"] = "VectorStoreException",
            ["sessions"] = "SessionStoreException",
            ["memory"] = "VectorStoreException",
            ["ingestion"] = "VectorStoreException",
        };
        foreach (var component in Components)
        {
            var result = Assert.Single(lines, l => l.StartsWith($"RESULT {component} ", StringComparison.Ordinal));
            Assert.StartsWith($"RESULT {component} error {expectedType[component]}: ", result, StringComparison.Ordinal);
            Assert.Contains(_folder.Path, result, StringComparison.Ordinal);
            Assert.Contains("disk is full (SQLITE_FULL)", result, StringComparison.Ordinal);
            Assert.Equal($"RETRY {component} ok", Assert.Single(lines, l => l.StartsWith($"RETRY {component} ", StringComparison.Ordinal)));
        }

        // Everything stored before the disk filled reads back in full, and nothing of the failed writes is there.
        Assert.Equal(["READ vectors 50", "READ sessions 2", "READ memory 3", "READ ingestion 12"], lines.Where(l => l.StartsWith("READ ", StringComparison.Ordinal)));

        // Once space is freed each store takes writes again: 200 more records, 2 more messages, 1 more memory, the second file's 36 chunks.
        Assert.Equal(["READ2 vectors 250", "READ2 sessions 4", "READ2 memory 4", "READ2 ingestion 48"], lines.Where(l => l.StartsWith("READ2 ", StringComparison.Ordinal)));
    }

    public void Dispose() => _folder.Dispose();

    private async Task<List<string>> RunOnSmallTmpfsAsync(CancellationToken cancellationToken)
    {
        const int NoMount = 97;
        const string MountThenRun = "mount -t tmpfs -o size=2m tmpfs \"$1\" || exit 97; shift; exec \"$@\"";
        var attempts = new List<string>();
        foreach (var unshare in new[] { new[] { "--mount" }, ["--user", "--map-root-user", "--mount"] })
        {
            string[] wrapper = ["unshare", .. unshare, "sh", "-c", MountThenRun, "sh", _folder.Path];
            using var worker = StartOrNull(wrapper);
            if (worker is null)
            {
                Assert.Skip("The disk-full test needs the unshare command (util-linux) to mount a tmpfs in a private mount namespace.");
            }

            var (exitCode, errors) = await worker.WaitForExitAsync(cancellationToken);
            if (exitCode == 0)
            {
                return worker.Lines;
            }

            if (exitCode != NoMount && worker.Lines.Count > 0)
            {
                Assert.Fail($"The disk-full worker failed (exit {exitCode}): {string.Join(" | ", worker.Lines)} {errors}");
            }

            attempts.Add($"unshare {string.Join(' ', unshare)}: exit {exitCode} {errors.Trim()}");
        }

        Assert.Skip($"A tmpfs cannot be mounted here (not root, and user namespaces are not permitted): {string.Join("; ", attempts)}");
        return [];
    }

    private WorkerProcess? StartOrNull(string[] wrapper)
    {
        try
        {
            return WorkerProcess.Start(["diskfull", _folder.Path], wrapper);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
