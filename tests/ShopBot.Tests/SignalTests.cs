using AgentKit.Testing.Processes;

namespace ShopBot.Tests;

/// <summary>ShopBot as a child process stops cleanly on SIGTERM (a service manager) and SIGINT (Ctrl+C).</summary>
public sealed class SignalTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("shopbot-signal-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task ShopBot_OnSignal_StopsCleanlyWithExitCode0(string signal)
    {
        Assert.SkipWhen(ChildProcess.IgnoredSignalReason(signal) is not null, ChildProcess.IgnoredSignalReason(signal) ?? string.Empty);
        var ct = TestContext.Current.CancellationToken;
        // A remote model (never called) so nothing is downloaded or loaded; every port is picked free.
        using var shop = ChildProcess.StartDotnet(
            Path.Combine(AppContext.BaseDirectory, "ShopBot.dll"),
            [
                "--urls=http://127.0.0.1:0",
                $"--ShopBot:DataDirectory={_folder.FullName}",
                "--ShopBot:Carrier:LocalUrl=http://127.0.0.1:0",
                "--ShopBot:Smtp:LocalSinkPort=0",
                "--AgentKit:Models:remote:Provider=OpenAI",
                "--AgentKit:Models:remote:Endpoint=http://127.0.0.1:9/v1",
                "--AgentKit:Models:remote:ApiKey=unused",
                "--AgentKit:Models:remote:Model=m",
            ],
            AppContext.BaseDirectory);
        await shop.ReadUntilAsync(l => l.StartsWith("ShopBot is ready", StringComparison.Ordinal), TimeSpan.FromSeconds(90), ct);

        await shop.SignalAsync(signal, ct);
        var (exitCode, output, errors) = await shop.WaitForExitAsync(TimeSpan.FromSeconds(20), ct);

        Assert.True(exitCode == 0, $"exit code {exitCode}; stderr: {errors}");
        Assert.Contains("Stopping.", output, StringComparison.Ordinal);
    }
}
