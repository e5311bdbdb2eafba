using System.Globalization;
using System.Net;
using AgentKit.Bench.Server;

// A bounded load test of the AgentKit HTTP API on loopback: see docs/benchmarks.md, "HTTP API (issue #3)".
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

await using var server = await BenchServer.StartAsync(maxConcurrentRuns: options.Sessions * 2, stop.Token);
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Sessions * 2, AutomaticDecompression = DecompressionMethods.None })
{
    BaseAddress = server.BaseAddress,
    Timeout = TimeSpan.FromSeconds(60),
};

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"AgentKit HTTP API load test: {options.Sessions} concurrent sessions, {options.MessagesPerSession} messages per session, think time {options.ThinkTime.TotalMilliseconds:F0} ms, {options.Duration.TotalSeconds:F0} s (+{options.WarmUp.TotalSeconds:F0} s warm-up), server {server.BaseAddress}"));
Console.WriteLine($"Processors: {Environment.ProcessorCount}; .NET {Environment.Version}; load average before: {LoadAverage()}");

// Warm-up with the same shape: JIT, connection pool, SQLite pages. Not counted.
var load = new LoadTest(http, options.Sessions, options.MessagesPerSession, options.ThinkTime);
var warmUp = await load.RunAsync(options.WarmUp, stop.Token);
var results = await load.RunAsync(options.Duration, stop.Token);
var loadAfter = LoadAverage();

Report.Write(Console.Out, results, options, warmUp.Errors.Count);
Console.WriteLine($"Load average after: {loadAfter}");
Console.WriteLine($"Model calls served by the scripted model (warm-up included): {server.Model.Calls.Count}");
return results.Errors.Count + warmUp.Errors.Count > 0 ? 1 : 0;

static string LoadAverage() =>
    File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

/// <summary>The command line: <c>--duration</c>, <c>--sessions</c>, <c>--messages</c>, <c>--think-ms</c>, <c>--warmup</c>.</summary>
internal sealed record BenchOptions(TimeSpan Duration, int Sessions, int MessagesPerSession, TimeSpan ThinkTime, TimeSpan WarmUp)
{
    public const string Usage = "usage: AgentKit.Bench.Server [--duration seconds (30)] [--sessions concurrent (200)] [--messages per session (10)] [--think-ms pause before each message (0: saturate)] [--warmup seconds (3)]";

    public static BenchOptions? Parse(string[] args)
    {
        var values = new Dictionary<string, int>(StringComparer.Ordinal) { ["--duration"] = 30, ["--sessions"] = 200, ["--messages"] = 10, ["--think-ms"] = 0, ["--warmup"] = 3 };
        for (var i = 0; i < args.Length; i++)
        {
            if (!values.ContainsKey(args[i]) || i + 1 >= args.Length
                || !int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value)
                || (value <= 0 && args[i] is not ("--warmup" or "--think-ms")))
            {
                Console.Error.WriteLine($"Bad argument '{args[i]}': every option takes a whole number, positive except --think-ms and --warmup.");
                return null;
            }

            values[args[i]] = value;
            i++;
        }

        return new BenchOptions(
            TimeSpan.FromSeconds(values["--duration"]), values["--sessions"], values["--messages"], TimeSpan.FromMilliseconds(values["--think-ms"]), TimeSpan.FromSeconds(values["--warmup"]));
    }
}
