using System.Net;
using System.Net.Sockets;
using System.Text;
using AgentKit.Testing.Processes;

namespace ShopBot.Tests;

/// <summary>
/// ShopBot's first start without a model, as a child process against a loopback model host (<c>HF_ENDPOINT</c>):
/// Ctrl+C during the download and no network both end with one line and an exit code, never a stack trace.
/// </summary>
public sealed class ModelDownloadTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("shopbot-download-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public async Task CtrlC_DuringTheFirstDownload_EndsWithOneLine_AndExitCode130()
    {
        Assert.SkipWhen(ChildProcess.IgnoredSignalReason("INT") is not null, ChildProcess.IgnoredSignalReason("INT") ?? string.Empty);
        var ct = TestContext.Current.CancellationToken;
        using var host = new StallingModelHost();
        using var shop = Start(host.Address);

        // The host sent the first bytes of a large file and then stalls, as a slow connection does.
        await host.Stalled.WaitAsync(TimeSpan.FromSeconds(90), ct);
        await Task.Delay(300, ct);
        await shop.SignalAsync("INT", ct);
        var (exitCode, output, errors) = await shop.WaitForExitAsync(TimeSpan.FromSeconds(20), ct);

        Assert.True(exitCode == 130, $"exit code {exitCode}; stderr: {errors}");
        Assert.DoesNotContain("   at ", output + errors, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", output + errors, StringComparison.Ordinal);
        var lines = errors.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("Stopped before ShopBot was ready. A model download resumes where it stopped on the next start.", lines[^1]);
        Assert.Contains(lines, l => l.StartsWith("No chat model is configured; downloading the default model", StringComparison.Ordinal));

        // What arrived is kept for the next start to resume.
        var partial = Assert.Single(Directory.GetFiles(Path.Combine(_folder.FullName, "models"), "*.partial", SearchOption.AllDirectories));
        Assert.True(new FileInfo(partial).Length > 0);
    }

    [Fact]
    public async Task Offline_WithoutAModel_SaysWhatToDoInOneLine_AndExitsWith3()
    {
        var ct = TestContext.Current.CancellationToken;

        // A loopback port nobody listens on: the connection is refused, as without a network.
        var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        using var shop = Start(new Uri($"http://127.0.0.1:{port}"));

        var (exitCode, output, errors) = await shop.WaitForExitAsync(TimeSpan.FromSeconds(90), ct);

        Assert.True(exitCode == 3, $"exit code {exitCode}; stderr: {errors}");
        Assert.DoesNotContain("   at ", output + errors, StringComparison.Ordinal);
        var advice = errors.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];
        Assert.StartsWith("ShopBot has no chat model: Cannot reach 127.0.0.1", advice, StringComparison.Ordinal);
        Assert.Contains("AgentKit:Models:local:Path", advice, StringComparison.Ordinal);
    }

    private ChildProcess Start(Uri modelHost) => ChildProcess.StartDotnet(
        Path.Combine(AppContext.BaseDirectory, "ShopBot.dll"),
        [
            "--urls=http://127.0.0.1:0",
            $"--ShopBot:DataDirectory={Path.Combine(_folder.FullName, "data")}",
            "--ShopBot:Carrier:LocalUrl=http://127.0.0.1:0",
            "--ShopBot:Smtp:LocalSinkPort=0",
        ],
        AppContext.BaseDirectory,
        new Dictionary<string, string?>
        {
            ["HF_ENDPOINT"] = modelHost.ToString(),
            ["AGENTKIT_MODEL_CACHE"] = Path.Combine(_folder.FullName, "models"),
            ["HF_TOKEN"] = null,
        });

    /// <summary>A loopback HTTP server that answers every request with the headers of a 400 MB file and 256 KB of it, then sends nothing more.</summary>
    private sealed class StallingModelHost : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly TaskCompletionSource _stalled = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<TcpClient> _clients = [];

        public StallingModelHost()
        {
            _listener.Start();
            Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");
            _ = ServeAsync();
        }

        public Uri Address { get; }

        public Task Stalled => _stalled.Task;

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            foreach (var client in _clients)
            {
                client.Dispose();
            }

            _stop.Dispose();
        }

        private async Task ServeAsync()
        {
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    _clients.Add(client);
                    var stream = client.GetStream();
                    var request = new StringBuilder();
                    var buffer = new byte[4096];
                    while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                    {
                        var read = await stream.ReadAsync(buffer, _stop.Token);
                        if (read == 0)
                        {
                            break;
                        }

                        request.Append(Encoding.ASCII.GetString(buffer, 0, read));
                    }

                    await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 400000000\r\n\r\n"), _stop.Token);
                    await stream.WriteAsync(new byte[256 * 1024], _stop.Token);
                    await stream.FlushAsync(_stop.Token);
                    _stalled.TrySetResult();
                }
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException or IOException)
            {
                // Stopped with the test.
            }
        }
    }
}
