using AgentKit.Testing.Processes;

namespace AgentKit.Cli.Tests;

/// <summary><c>agentkit serve</c> as a child process stops cleanly on SIGTERM (a service manager) and SIGINT (Ctrl+C).</summary>
public sealed class ServeSignalTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("agentkit-serve-signal-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task Serve_OnSignal_StopsCleanlyWithExitCode0(string signal)
    {
        Assert.SkipWhen(ChildProcess.IgnoredSignalReason(signal) is not null, ChildProcess.IgnoredSignalReason(signal) ?? string.Empty);
        var ct = TestContext.Current.CancellationToken;
        // A remote model: nothing to load, so the server is up at once (the endpoint is never called).
        var config = Path.Combine(_folder.FullName, "agentkit.json");
        await File.WriteAllTextAsync(config, """
            { "AgentKit": { "Models": { "remote": { "Provider": "OpenAI", "Endpoint": "http://127.0.0.1:9/v1", "ApiKey": "unused", "Model": "m" } },
                            "Storage": { "Directory": "data" } } }
            """, ct);
        using var serve = ChildProcess.StartDotnet(
            Path.Combine(AppContext.BaseDirectory, "AgentKit.Cli.dll"), ["serve", "--config", config, "--urls", "http://127.0.0.1:0"], _folder.FullName);
        await serve.ReadUntilAsync(l => l.Contains("Listening on", StringComparison.Ordinal), TimeSpan.FromSeconds(60), ct);

        await serve.SignalAsync(signal, ct);
        var (exitCode, output, errors) = await serve.WaitForExitAsync(TimeSpan.FromSeconds(20), ct);

        Assert.True(exitCode == 0, $"exit code {exitCode}; stderr: {errors}");
        Assert.Contains("Stopped.", output, StringComparison.Ordinal);
    }
}
