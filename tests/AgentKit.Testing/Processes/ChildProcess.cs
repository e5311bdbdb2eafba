using System.Diagnostics;

namespace AgentKit.Testing.Processes;

/// <summary>
/// A .NET application run as a child process (<c>dotnet app.dll …</c>), its standard output read line by line, that
/// a test can send POSIX signals to (SIGTERM as a service manager stops a process, SIGINT as Ctrl+C does).
/// </summary>
public sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _errors;
    private readonly Lock _lock = new();
    private readonly List<string> _lines = [];

    private ChildProcess(Process process)
    {
        _process = process;
        _errors = process.StandardError.ReadToEndAsync();
    }

    /// <summary>Every standard output line read so far, in order.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lock)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>Starts <c>dotnet <paramref name="assemblyPath"/> <paramref name="arguments"/></c> in <paramref name="workingDirectory"/>, with <paramref name="environment"/> added to (or, for a null value, removed from) this process's environment.</summary>
    public static ChildProcess StartDotnet(string assemblyPath, IEnumerable<string> arguments, string? workingDirectory = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        start.ArgumentList.Add(assemblyPath);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return new ChildProcess(Process.Start(start) ?? throw new InvalidOperationException($"'dotnet {assemblyPath}' could not be started."));
    }

    /// <summary>Reads lines until one satisfies <paramref name="stop"/>; fails when the process exits first or the time is up.</summary>
    public async Task<string> ReadUntilAsync(Func<string, bool> stop, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(timeout);
        while (true)
        {
            string? line;
            try
            {
                line = await _process.StandardOutput.ReadLineAsync(bound.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"No expected line within {timeout}; stdout: {string.Join(" | ", Lines.TakeLast(5))}");
            }

            if (line is null)
            {
                throw new InvalidOperationException($"The process exited before the expected line; stdout: {string.Join(" | ", Lines.TakeLast(5))}; stderr: {await _errors.ConfigureAwait(false)}");
            }

            lock (_lock)
            {
                _lines.Add(line);
            }

            if (stop(line))
            {
                return line;
            }
        }
    }

    /// <summary>
    /// Why a child started from this process cannot receive <paramref name="signal"/> ("INT", "QUIT", "HUP"), or null.
    /// A process started in the background without job control (<c>nohup … &amp;</c>) ignores SIGINT and SIGQUIT, its
    /// children inherit that, and .NET then installs no handler: the signal never reaches the child's code.
    /// </summary>
    /// <param name="signal">The signal's name without "SIG".</param>
    /// <returns>The reason, or null when the child can receive it.</returns>
    public static string? IgnoredSignalReason(string signal)
    {
        var number = signal switch { "HUP" => 1, "INT" => 2, "QUIT" => 3, _ => 0 };
        const string status = "/proc/self/status";
        if (number == 0 || !File.Exists(status))
        {
            return null;
        }

        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        var mask = line is null ? 0UL : ulong.Parse(line["SigIgn:".Length..].Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
        return (mask & (1UL << (number - 1))) == 0
            ? null
            : $"SIG{signal} is ignored by this test process (started in the background without job control, e.g. nohup … &), and its children inherit that; run the tests in the foreground.";
    }

    /// <summary>Sends a signal by name (<c>TERM</c>, <c>INT</c>) with <c>kill -s</c>.</summary>
    public async Task SignalAsync(string signal, CancellationToken cancellationToken)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-s", signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false })
            ?? throw new InvalidOperationException("'kill' could not be started.");
        await kill.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -s {signal} {_process.Id} exited with {kill.ExitCode}.");
        }
    }

    /// <summary>Waits for the process to exit by itself within <paramref name="timeout"/>; returns its exit code, the rest of its output and its standard error.</summary>
    public async Task<(int ExitCode, string Output, string Errors)> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(timeout);
        try
        {
            await _process.WaitForExitAsync(bound.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The process did not exit within {timeout}; stdout: {string.Join(" | ", Lines.TakeLast(5))}");
        }

        var rest = await _process.StandardOutput.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        return (_process.ExitCode, rest, await _errors.ConfigureAwait(false));
    }

    /// <summary>Kills the process (and its children) if it is still running.</summary>
    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
