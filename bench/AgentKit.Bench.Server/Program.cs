using System.Globalization;
using System.Net;
using AgentKit.Bench.Server;
using AgentKit.Testing;

// Bounded load, soak and local-model tests of the AgentKit HTTP API on loopback: see docs/benchmarks.md,
// "HTTP API (issue #3)" and "Load and soak (issue #7)".
var options = BenchOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

var local = options.Mode == BenchMode.Llama
    ? new LocalModel(TestModelFactory.GetOrCreate(TestModelFactory.TinyQwen2), options.Contexts, options.MaxQueued, options.QueueTimeout, options.MaxTokens)
    : null;
await using var server = await BenchServer.StartAsync(maxConcurrentRuns: options.Sessions * 2, local, stop.Token);
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Sessions * 2, AutomaticDecompression = DecompressionMethods.None })
{
    BaseAddress = server.BaseAddress,
    Timeout = TimeSpan.FromSeconds(120),
};

Console.WriteLine(Invariant($"AgentKit HTTP API, mode {options.Mode.ToString().ToLowerInvariant()}: {options.Sessions} concurrent sessions, {options.MessagesPerSession} messages per session, think time {options.ThinkTime.TotalMilliseconds:F0} ms, {options.Duration.TotalSeconds:F0} s (+{options.WarmUp.TotalSeconds:F0} s warm-up), server {server.BaseAddress}"));
if (local is not null)
{
    Console.WriteLine(Invariant($"Model: {Path.GetFileName(local.Path)} (generated qwen2, llama.cpp), {local.Contexts} contexts, queue {local.MaxQueued}, queue timeout {local.QueueTimeout.TotalSeconds:0} s, {local.MaxOutputTokens} output tokens per call"));
    await WaitForHealthyAsync(http, stop.Token);
}

Console.WriteLine($"Processors: {Environment.ProcessorCount}; .NET {Environment.Version}; load average before: {LoadAverage()}");

using var samplingStop = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
var sampler = options.Mode == BenchMode.Soak ? new MemorySampler(options.SampleInterval) : null;
var sampling = sampler?.RunAsync(samplingStop.Token) ?? Task.CompletedTask;
var peaks = local is null ? Task.FromResult((0, 0)) : TrackAdmissionAsync(server, samplingStop.Token);

// Warm-up with the same shape: JIT, connection pool, SQLite pages, the model's contexts. Not counted.
var load = new LoadTest(http, options.Sessions, options.MessagesPerSession, options.ThinkTime, deleteSessions: options.Mode == BenchMode.Soak);
var warmUp = await load.RunAsync(options.WarmUp, TimeSpan.Zero, stop.Token);
sampler?.BeginMeasured();
var results = await load.RunAsync(options.Duration, options.Mode == BenchMode.Soak ? options.Window : TimeSpan.FromSeconds(Math.Ceiling(options.Duration.TotalSeconds / 6)), stop.Token);
await samplingStop.CancelAsync();
await sampling;
sampler?.Take();
var (peakInUse, peakWaiting) = await peaks;
var loadAfter = LoadAverage();

// What finished sessions leave behind, through the API: every soak session was deleted, and no run waits on an approval.
var leftBehind = options.Mode == BenchMode.Soak
    ? (Sessions: await CountAsync(http, "api/sessions", stop.Token), Approvals: await CountAsync(http, "api/approvals", stop.Token))
    : (Sessions: 0, Approvals: 0);

Report.WriteSummary(Console.Out, results, options, warmUp.ErrorCount);
Report.WriteWindows(Console.Out, results);
var memoryPassed = sampler is null || Report.WriteMemory(Console.Out, sampler.Samples, options);
Console.WriteLine();
Console.WriteLine(Invariant($"Peak RSS (VmHWM): {MemorySampler.ProcStatusMb("VmHWM:"):F1} MB"));
if (server.Model is { } scripted)
{
    Console.WriteLine($"Model calls served by the scripted model (warm-up included): {scripted.CallCount}");
}

if (server.Admission is { } admission)
{
    Console.WriteLine(Invariant($"Admission (warm-up included): {admission.Admitted} admitted, {admission.Refused} refused; peak {peakInUse} of {admission.Options.Capacity} in use, peak {peakWaiting} of {admission.Options.MaxQueuedRequests} waiting"));
}

if (options.Mode == BenchMode.Soak)
{
    Console.WriteLine($"Left behind after the run: {leftBehind.Sessions} sessions, {leftBehind.Approvals} pending approvals");
}

Console.WriteLine($"Load average after: {loadAfter}");

// A 429 is only expected where a model has a bounded context pool; on the scripted model it is a failure.
var failed = results.ErrorCount + warmUp.ErrorCount > 0
    || (local is null && results.RefusedTotal + warmUp.RefusedTotal > 0)
    || !memoryPassed
    || leftBehind.Sessions + leftBehind.Approvals > 0;
Console.WriteLine(failed ? "Result: FAIL" : "Result: PASS");
return failed ? 1 : 0;

static string LoadAverage() =>
    File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

// The model loads in the background; the run starts once /health reports it loaded (bounded: 2 minutes).
static async Task WaitForHealthyAsync(HttpClient http, CancellationToken cancellationToken)
{
    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    timeout.CancelAfter(TimeSpan.FromMinutes(2));
    while (true)
    {
        // "Degraded" (still loading) is a 200 as well; only "Healthy" means loaded.
        using var response = await http.GetAsync(new Uri("health", UriKind.Relative), timeout.Token);
        var status = await response.Content.ReadAsStringAsync(timeout.Token);
        switch (status)
        {
            case "Healthy":
                return;
            case "Unhealthy":
                throw new InvalidOperationException("The model failed to load: GET /health is Unhealthy.");
        }

        await Task.Delay(100, timeout.Token);
    }
}

static async Task<int> CountAsync(HttpClient http, string path, CancellationToken cancellationToken)
{
    using var json = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri(path, UriKind.Relative), cancellationToken));
    return json.RootElement.GetArrayLength();
}

// The highest slots in use and queue length seen, polled every 10 ms: the queue must stay within its bound.
static async Task<(int InUse, int Waiting)> TrackAdmissionAsync(BenchServer server, CancellationToken cancellationToken)
{
    var admission = server.Admission!;
    var (inUse, waiting) = (0, 0);
    try
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            (inUse, waiting) = (Math.Max(inUse, admission.InUse), Math.Max(waiting, admission.Waiting));
            await Task.Delay(10, cancellationToken);
        }
    }
    catch (OperationCanceledException)
    {
        // The run is over.
    }

    return (inUse, waiting);
}
