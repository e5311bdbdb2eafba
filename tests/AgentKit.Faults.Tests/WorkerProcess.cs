using System.Diagnostics;

namespace AgentKit.Faults.Tests;

/// <summary>The fault worker (<c>AgentKit.Faults.Worker</c>) as a child process whose stdout the test reads line by line.</summary>
internal sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _errors;

    private WorkerProcess(Process process)
    {
        _process = process;
        _errors = process.StandardError.ReadToEndAsync();
    }

    /// <summary>Every stdout line read so far, in order.</summary>
    public List<string> Lines { get; } = [];

    /// <summary>Starts the worker, optionally behind a wrapper command (<c>unshare … sh -c …</c>).</summary>
    public static WorkerProcess Start(IEnumerable<string> arguments, IEnumerable<string>? wrapper = null)
    {
        var command = (wrapper ?? []).Concat(["dotnet", WorkerPath()]).Concat(arguments).ToList();
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        return new WorkerProcess(Process.Start(start) ?? throw new InvalidOperationException($"'{command[0]}' could not be started."));
    }

    /// <summary>Reads lines until one satisfies <paramref name="stop"/>; fails when the worker exits first.</summary>
    public async Task<string> ReadUntilAsync(Func<string, bool> stop, CancellationToken cancellationToken)
    {
        while (true)
        {
            var line = await _process.StandardOutput.ReadLineAsync(cancellationToken)
                ?? throw new InvalidOperationException($"The worker exited before the expected line; stdout: {string.Join(" | ", Lines.TakeLast(5))}; stderr: {await _errors}");
            Lines.Add(line);
            if (stop(line))
            {
                return line;
            }
        }
    }

    /// <summary>Kills the worker with SIGKILL (no finalizers, no disposal) and reads what it printed before dying.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync(CancellationToken.None);
        await ReadRestAsync();
    }

    /// <summary>Waits for the worker to exit by itself; returns its exit code and stderr.</summary>
    public async Task<(int ExitCode, string Errors)> WaitForExitAsync(CancellationToken cancellationToken)
    {
        await _process.WaitForExitAsync(cancellationToken);
        await ReadRestAsync();
        return (_process.ExitCode, await _errors);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private async Task ReadRestAsync()
    {
        var rest = await _process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        Lines.AddRange(rest.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    private static string WorkerPath()
    {
        var baseDirectory = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        var framework = Path.GetFileName(baseDirectory);
        var configuration = Path.GetFileName(Path.GetDirectoryName(baseDirectory)!);
        var path = Path.GetFullPath(Path.Combine(baseDirectory, "..", "..", "..", "..", "AgentKit.Faults.Worker", "bin", configuration, framework, "AgentKit.Faults.Worker.dll"));
        Assert.True(File.Exists(path), $"The fault worker is built with the tests; not found at {path}.");
        return path;
    }
}

/// <summary>A temp folder for one test's data files, deleted afterwards.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "agentkit-faults-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Path, recursive: true);
    }
}
