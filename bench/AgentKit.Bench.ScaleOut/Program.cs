using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentKit.Hosting.Models;
using AgentKit.Testing;
using AgentKit.Testing.PostgreSql;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// Scale-out over HTTP: AgentKit server processes (each its own process, services and connection pools) on one
// PostgreSQL schema (a throw-away local cluster, fsync on), with a scripted model (no inference). Concurrent clients
// share sessions (two per session by default) and post turns to the replicas in turn, as a round-robin balancer
// would; a turn that finds its session busy is refused (409) and counted, not timed. One phase with one server, then
// one with two, in the same run. After each phase every session's history is read back: each accepted turn must be
// there once, its reply right after it (lost, duplicated and interleaved messages are counted; all must be 0).
// `--seconds N` (or `--minutes N`, default 10) is each phase's length; `--sessions N` (200), `--clients-per-session N`
// (2). That closed loop (no think time) measures throughput. `--rate N` measures latency at a stated load instead:
// one user per session, N turns/s offered over all sessions (each user's turns arrive at random, exponentially spaced,
// a user waiting for its previous reply), each turn timed from when it was due, so a late start counts.
// `--min-pool N` (16) is each server's Minimum Pool Size: with 0, Npgsql closes the idle surplus in one go every
// 300 s and the reconnections that follow stall turns (a PostgreSQL connection costs 23 ms to open on this VM).
// `--servers 1,2` (the default) names the phases; each is followed by a timeline of 30 s windows.
// `--smoke` runs 5 s phases with 20 sessions. The child mode `--serve <connection string> <schema>` is one server.
if (args.Length >= 3 && args[0] == "--serve")
{
    return await ServeAsync(args[1], args[2]);
}

var smoke = args.Contains("--smoke");
var seconds = ArgValue("--seconds") ?? (ArgValue("--minutes") is { } minutes ? minutes * 60 : smoke ? 5 : 600);
var sessionCount = ArgValue("--sessions") ?? (smoke ? 20 : 200);
var rate = ArgValue("--rate");
var minPool = ArgValue("--min-pool") ?? 16;
var phases = (ArgText("--servers") ?? "1,2").Split(',').Select(n => int.TryParse(n, CultureInfo.InvariantCulture, out var count) ? count : 0).ToList();
if (phases.Any(n => n is < 1 or > 8))
{
    Console.Error.WriteLine("--servers takes a comma-separated list of server counts from 1 to 8 (default 1,2).");
    return 2;
}

var perSession = rate is null ? ArgValue("--clients-per-session") ?? 2 : 1;
if (rate is <= 0 || seconds <= 0 || sessionCount <= 0 || perSession <= 0 || minPool is < 0 or > 40)
{
    Console.Error.WriteLine("--rate, --seconds, --minutes, --sessions and --clients-per-session must be positive; --min-pool from 0 to 40.");
    return 2;
}

if (TemporaryPostgreSqlCluster.MissingReason is { } missing)
{
    Console.Error.WriteLine($"Cannot run: {missing}.");
    return 2;
}

await using var cluster = (await TemporaryPostgreSqlCluster.StartAsync("agentkit_bench", durable: true))!;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"scale-out: {sessionCount} sessions x {perSession} clients, {(rate is { } offered ? $"open loop at {offered} turns/s offered (a turn per session every {sessionCount / (double)offered:0.0} s on average)" : "closed loop (no think time)")}, {seconds} s per phase, scripted model, PostgreSQL {cluster.ConnectionString} (fsync on), pools of {minPool} to 40 connections (run locks: {minPool} to 100) per server; servers, clients and PostgreSQL on this machine ({Environment.ProcessorCount} cores)"));
var results = new List<(string Name, PhaseResult Result)>();
foreach (var servers in phases)
{
    results.Add(($"{servers} server{(servers == 1 ? "" : "s")}", await PhaseAsync(servers)));
}

foreach (var (name, result) in results)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"  {name,-9} {result.Turns / result.Seconds,8:0.0} turns/s  p50 {Percentile(result.Latency, 50),7:0.00} ms  p90 {Percentile(result.Latency, 90),7:0.00} ms  p99 {Percentile(result.Latency, 99),7:0.00} ms  max {Percentile(result.Latency, 100),7:0.00} ms  busy (409) {result.Busy}  errors {result.Errors}  lost {result.Lost}  duplicated {result.Duplicated}  interleaved {result.Interleaved}  sessions checked {result.Sessions}"));
}

foreach (var (name, result) in results)
{
    // The timeline shows whether a tail is spread over the run or comes in bursts (a PostgreSQL checkpoint, a GC).
    Console.WriteLine($"  {name} by {TimelineWindowSeconds} s window (p50 / p99 / max ms, turns):");
    foreach (var window in result.Timed.GroupBy(t => (int)(t.At / TimelineWindowSeconds)).OrderBy(g => g.Key))
    {
        var values = window.Select(t => t.Ms).ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"    {window.Key * TimelineWindowSeconds,5} s  {Percentile(values, 50),7:0.00} / {Percentile(values, 99),8:0.00} / {Percentile(values, 100),8:0.00}  {values.Count,6}"));
    }
}

if (results.Count >= 2)
{
    var (one, last) = (results[0].Result, results[^1].Result);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"  throughput {results[^1].Name} vs {results[0].Name}: {last.Turns / last.Seconds / (one.Turns / one.Seconds):0.00}x; p99: {Percentile(last.Latency, 99) / Percentile(one.Latency, 99):0.00}x"));
}

return results.Sum(r => r.Result.Lost + r.Result.Duplicated + r.Result.Interleaved + r.Result.Errors) == 0 ? 0 : 1;

async Task<PhaseResult> PhaseAsync(int servers)
{
    var schema = $"scaleout_{servers}";
    var processes = new List<Process>();
    var clients = new List<HttpClient>();
    try
    {
        for (var i = 0; i < servers; i++)
        {
            var (process, address) = await StartServerAsync(schema);
            processes.Add(process);
            var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1000 }) { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(2) };
            http.DefaultRequestHeaders.Authorization = new("Bearer", ApiKey);
            clients.Add(http);
        }

        // Each slot is a session two clients share; it is replaced after TurnsPerSession accepted turns, so a long run
        // measures turns, not ever-growing histories (a history reducer does that in a real deployment): 20 turns each.
        var slots = new Slot[sessionCount];
        for (var s = 0; s < sessionCount; s++)
        {
            slots[s] = new Slot(await CreateSessionAsync(clients[0]));
        }

        // Warm-up, untimed: one turn per session on each server compiles the paths. Eight at a time: a burst of 200
        // would grow the connection pools far past what the measured load needs, and Npgsql's pruning of the idle
        // surplus (after Connection Idle Lifetime, 300 s) would then land in the measured window.
        foreach (var http in clients)
        {
            await Parallel.ForEachAsync(slots, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (slot, _) => await PostAsync(http, slot.Id, "warm-up"));
        }

        var accepted = new ConcurrentDictionary<string, ConcurrentBag<string>>(StringComparer.Ordinal);
        var timed = new List<(double At, double Ms)>();
        var (busy, errors) = (0, 0);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, sessionCount * perSession).Select(c => Task.Run(async () =>
        {
            var slot = slots[c % sessionCount];
            var random = new Random(c);
            var due = clock.Elapsed;
            for (var turn = 0; !stop.IsCancellationRequested; turn++)
            {
                var http = clients[(c + turn) % clients.Count];
                var session = slot.Id;
                var content = $"c{c}-t{turn}";
                var started = Stopwatch.GetTimestamp();
                if (rate is { } offered)
                {
                    // Open loop: the next turn is due an exponentially distributed gap after the previous one was due.
                    due += TimeSpan.FromSeconds(-Math.Log(1 - random.NextDouble()) * sessionCount / offered);
                    if (due.TotalSeconds >= seconds)
                    {
                        break;
                    }

                    if (due > clock.Elapsed)
                    {
                        await Task.Delay(due - clock.Elapsed);
                    }

                    started = Stopwatch.GetTimestamp() - (long)((clock.Elapsed - due).TotalSeconds * Stopwatch.Frequency);
                }

                HttpStatusCode status;
                try
                {
                    status = await PostAsync(http, session, content);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    Interlocked.Increment(ref errors);
                    continue;
                }

                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (status == HttpStatusCode.Conflict)
                {
                    Interlocked.Increment(ref busy);
                    await Task.Delay(Random.Shared.Next(1, 10));
                    continue;
                }

                if (status != HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref errors);
                    continue;
                }

                accepted.GetOrAdd(session, _ => []).Add(content);
                lock (timed)
                {
                    timed.Add((clock.Elapsed.TotalSeconds, elapsed));
                }

                if (slot.Accepted() && !stop.IsCancellationRequested)
                {
                    await slot.ReplaceAsync(() => CreateSessionAsync(http));
                }
            }
        })));
        var elapsedSeconds = clock.Elapsed.TotalSeconds;

        var (lost, duplicated, interleaved) = (0, 0, 0);
        foreach (var (session, contents) in accepted)
        {
            var history = await HistoryAsync(clients[0], session);
            var expected = contents.ToHashSet(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < history.Count; i++)
            {
                var (role, text) = history[i];
                if (role != "user" || text == "warm-up")
                {
                    continue;
                }

                if (!seen.Add(text))
                {
                    duplicated++;
                }

                if (i + 1 >= history.Count || history[i + 1] != ("assistant", $"reply to {text}"))
                {
                    interleaved++;
                }
            }

            lost += expected.Count(e => !seen.Contains(e));
        }

        return new PhaseResult(elapsedSeconds, timed, busy, errors, lost, duplicated, interleaved, accepted.Count);
    }
    finally
    {
        foreach (var http in clients)
        {
            http.Dispose();
        }

        foreach (var process in processes)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            process.Dispose();
        }
    }
}

async Task<(Process Process, string Address)> StartServerAsync(string schema)
{
    var self = typeof(Slot).Assembly.Location;
    var host = Environment.ProcessPath!;
    var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
    if (Path.GetFileNameWithoutExtension(host) == "dotnet")
    {
        start.ArgumentList.Add(self);
    }

    foreach (var arg in new[] { "--serve", string.Create(CultureInfo.InvariantCulture, $"{cluster.ConnectionString};Maximum Pool Size=40;Minimum Pool Size={minPool}"), schema })
    {
        start.ArgumentList.Add(arg);
    }

    var process = Process.Start(start)!;
    process.ErrorDataReceived += (_, e) =>
    {
        if (e.Data is not null)
        {
            Console.Error.WriteLine($"server: {e.Data}");
        }
    };
    process.BeginErrorReadLine();
    using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
    while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
    {
        if (line.StartsWith("listening ", StringComparison.Ordinal))
        {
            return (process, line["listening ".Length..].TrimEnd('/') + "/");
        }
    }

    throw new InvalidOperationException($"The server process exited ({process.ExitCode}) before listening.");
}

static async Task<HttpStatusCode> PostAsync(HttpClient http, string session, string content)
{
    using var response = await http.PostAsJsonAsync(new Uri($"api/sessions/{session}/messages", UriKind.Relative), new { content, stream = false });
    return response.StatusCode;
}

static async Task<string> CreateSessionAsync(HttpClient http)
{
    using var response = await http.PostAsJsonAsync(new Uri("api/sessions", UriKind.Relative), new { agent = "helper" });
    response.EnsureSuccessStatusCode();
    using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    return body.RootElement.GetProperty("id").GetString()!;
}

static async Task<List<(string Role, string Text)>> HistoryAsync(HttpClient http, string session)
{
    using var body = JsonDocument.Parse(await http.GetStringAsync(new Uri($"api/sessions/{session}", UriKind.Relative)));
    return [.. body.RootElement.GetProperty("messages").EnumerateArray().Select(m => (
        m.GetProperty("role").GetString()!,
        string.Concat(m.GetProperty("contents").EnumerateArray().Select(c => c.TryGetProperty("text", out var text) ? text.GetString() : null))))];
}

static async Task<int> ServeAsync(string connectionString, string schema)
{
    var contentRoot = Directory.CreateTempSubdirectory("agentkit-bench-scaleout-");
    try
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = contentRoot.FullName });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AgentKit:Models:scripted:Provider"] = "OpenAI",
            ["AgentKit:Models:scripted:Endpoint"] = "http://127.0.0.1:9/v1",
            ["AgentKit:Models:scripted:ApiKey"] = "unused",
            ["AgentKit:Models:scripted:Model"] = "scripted",
            ["AgentKit:Server:ApiKeys:0"] = ApiKey,
            ["AgentKit:Server:MaxConcurrentRunsPerKey"] = "10000",
            ["AgentKit:Storage:Provider"] = "PostgreSql",
            ["AgentKit:Storage:PostgreSql:ConnectionString"] = connectionString,
            ["AgentKit:Storage:PostgreSql:Schema"] = schema,
            ["AgentKit:Storage:PostgreSql:MaxConcurrentTurns"] = "100",
            ["AgentKit:Runs:Resume"] = "OnRequest",
            ["AgentKit:Agents:helper:Instructions"] = "You answer order questions.",
            ["AgentKit:Agents:helper:Model"] = "scripted",
        });
        builder.AddAgentKit();
        builder.AddAgentKitServer();
        var model = new ScriptedChatClient((messages, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, $"reply to {messages[^1].Text}"))) { RecordCalls = false };
        builder.Services.AddKeyedSingleton<IChatClient>("scripted", model);
        builder.Services.AddKeyedSingleton<IChatClient>(ModelKeys.ForAgents("scripted"), model);
        await using var app = builder.Build();
        app.MapAgentKit();
        await app.StartAsync();
        Console.WriteLine("listening " + app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        await app.WaitForShutdownAsync();
        return 0;
    }
    finally
    {
        contentRoot.Delete(recursive: true);
    }
}

string? ArgText(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}

int? ArgValue(string name) => ArgText(name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : null;

static double Percentile(List<double> values, double percentile)
{
    if (values.Count == 0)
    {
        return double.NaN;
    }

    var sorted = values.Order().ToList();
    return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(percentile / 100 * sorted.Count) - 1)];
}

/// <summary>One phase's figures.</summary>
internal sealed record PhaseResult(double Seconds, List<(double At, double Ms)> Timed, int Busy, int Errors, int Lost, int Duplicated, int Interleaved, int Sessions)
{
    /// <summary>Accepted turns.</summary>
    public int Turns => Timed.Count;

    /// <summary>Each accepted turn's latency in milliseconds.</summary>
    public List<double> Latency { get; } = [.. Timed.Select(t => t.Ms)];
}

/// <summary>A session the clients of one slot share, replaced after 20 accepted turns by the client whose turn was the 20th.</summary>
internal sealed class Slot(string id)
{
    private int _accepted;
    private volatile string _id = id;

    public string Id => _id;

    /// <summary>Counts an accepted turn; true for exactly one caller when the session has had its share.</summary>
    public bool Accepted() => Interlocked.Increment(ref _accepted) % 20 == 0;

    public async Task ReplaceAsync(Func<Task<string>> create) => _id = await create();
}

/// <summary>Names shared by the bench and its server processes.</summary>
internal static partial class Program
{
    public const string ApiKey = "bench-scaleout-key-0123456789abcdef";

    /// <summary>The width of a timeline window.</summary>
    public const int TimelineWindowSeconds = 30;
}
