using System.ComponentModel;
using System.Diagnostics;

namespace AgentKit.Bench.Llama;

/// <summary>Runs a program to completion and captures its output.</summary>
internal static class ChildProcess
{
    public sealed record Outcome(int ExitCode, string Output, string Errors, bool TimedOut)
    {
        /// <summary>The last non-empty line of standard error, or of the output, for one-line error messages.</summary>
        public string LastLine =>
            (Errors + "\n" + Output).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "no output";
    }

    /// <summary>Starts <paramref name="file"/>; returns null when it cannot be started at all (not installed).</summary>
    public static async Task<Outcome?> RunAsync(string file, IEnumerable<string> arguments, TimeSpan timeout, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process? process;
        try
        {
            process = Process.Start(start);
        }
        catch (Win32Exception)
        {
            return null;
        }

        if (process is null)
        {
            return null;
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            using var deadline = new CancellationTokenSource(timeout);
            var timedOut = false;
            try
            {
                await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                timedOut = true;
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync().ConfigureAwait(false);
            }

            return new Outcome(process.ExitCode, await output.ConfigureAwait(false), await errors.ConfigureAwait(false), timedOut);
        }
    }
}
