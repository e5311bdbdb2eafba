using System.Diagnostics;
using System.Globalization;
using AgentKit.Agents;
using AgentKit.Agents.Sessions;
using AgentKit.Storage.PostgreSql;
using AgentKit.Storage.PostgreSql.Sessions;
using AgentKit.Testing;
using AgentKit.Testing.PostgreSql;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

// Session storage on PostgreSQL (a throw-away local cluster on loopback, durability settings as shipped: fsync and
// synchronous commit on) against the embedded SQLite store, in one run:
//   store:    append (2 messages) and load latency, p50/p99, rounds alternating between the two stores;
//   replicas: agent turns (scripted model, no inference) on 200 concurrent sessions served by one replica, then by two
//             replicas (each its own AgentRunner, connection pool and run lock) whose turns alternate per session.
// `--smoke` runs a few seconds to prove it works; `--seconds N` sets each replica phase's length (default 30).
var smoke = args.Contains("--smoke");
var seconds = ArgValue("--seconds") ?? (smoke ? 3 : 30);
var appendsPerRound = smoke ? 100 : 1_000;
var rounds = smoke ? 2 : 10;
const int Sessions = 200;

if (TemporaryPostgreSqlCluster.MissingReason is { } missing)
{
    Console.Error.WriteLine($"Cannot run: {missing}.");
    return 2;
}

await using var cluster = (await TemporaryPostgreSqlCluster.StartAsync("agentkit_bench", durable: true))!;
var folder = Directory.CreateTempSubdirectory("agentkit-bench-storage-");
try
{
    Console.WriteLine($"PostgreSQL: {cluster.ConnectionString} (fsync on, synchronous_commit on); SQLite: {folder.FullName} (WAL, synchronous NORMAL)");
    await StoreLatencyAsync();
    await ReplicasAsync();
    return 0;
}
finally
{
    folder.Delete(recursive: true);
}

async Task StoreLatencyAsync()
{
    var sqlite = new SqliteSessionStore(Path.Combine(folder.FullName, "sessions.db"));
    await using var postgres = new PostgreSqlSessionStore(Options("store"));

    // SQLite's WAL with synchronous=NORMAL does not sync each commit (a power cut may lose the last ones, never corrupt
    // the file); PostgreSQL's synchronous_commit=off is the same trade, so both are measured.
    var asyncOptions = Options("store-async");
    asyncOptions.ConnectionString += ";Options=-c synchronous_commit=off";
    await using var postgresAsync = new PostgreSqlSessionStore(asyncOptions);
    var stores = new (string Name, ISessionStore Store, List<double> Append, List<double> Load)[]
    {
        ("SQLite", sqlite, [], []), ("PostgreSQL", postgres, [], []), ("PG, async commit", postgresAsync, [], []),
    };
    var ids = new Dictionary<string, List<string>>();
    foreach (var (name, store, _, _) in stores)
    {
        ids[name] = [];
        for (var i = 0; i < 50; i++)
        {
            ids[name].Add((await store.CreateAsync("bench")).Id);
        }

        // Warm-up: pools, prepared paths, JIT.
        await MeasureAsync(store, ids[name], 200, [], []);
    }

    for (var round = 0; round < rounds; round++)
    {
        foreach (var (name, store, append, load) in stores)
        {
            await MeasureAsync(store, ids[name], appendsPerRound, append, load);
        }
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"store: {rounds} rounds x {appendsPerRound} appends (2 messages, ~400 bytes) + loads, 50 sessions per store, one caller"));
    var baseline = stores[0];
    foreach (var (name, _, append, load) in stores)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {name,-16} append p50 {Percentile(append, 50),7:0.000} ms  p99 {Percentile(append, 99),7:0.000} ms (p50 {Percentile(append, 50) / Percentile(baseline.Append, 50):0.00}x SQLite) | load p50 {Percentile(load, 50),7:0.000} ms  p99 {Percentile(load, 99),7:0.000} ms (p50 {Percentile(load, 50) / Percentile(baseline.Load, 50):0.00}x SQLite)"));
    }
}

async Task MeasureAsync(ISessionStore store, List<string> sessions, int count, List<double> append, List<double> load)
{
    var reply = new string('r', 300);
    for (var i = 0; i < count; i++)
    {
        var id = sessions[i % sessions.Count];
        var started = Stopwatch.GetTimestamp();
        await store.AppendMessagesAsync(id, [new ChatMessage(ChatRole.User, $"question {i}: where is my order?"), new ChatMessage(ChatRole.Assistant, reply)]);
        append.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        started = Stopwatch.GetTimestamp();
        _ = await store.LoadMessagesAsync(id);
        load.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }
}

async Task ReplicasAsync()
{
    var one = await RunReplicasAsync(1);
    var two = await RunReplicasAsync(2);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"replicas: {Sessions} concurrent sessions, scripted model (no inference), {seconds} s per phase, all replicas in this one process on this machine's cores"));
    foreach (var (name, result) in new[] { ("1 replica", one), ("2 replicas", two) })
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {name,-10} {result.Turns / result.Seconds,8:0.0} turns/s  p50 {Percentile(result.Latency, 50),7:0.00} ms  p99 {Percentile(result.Latency, 99),7:0.00} ms  errors {result.Errors}"));
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  throughput 2 vs 1 replica: {two.Turns / two.Seconds / (one.Turns / one.Seconds):0.00}x"));
}

async Task<(int Turns, double Seconds, List<double> Latency, int Errors)> RunReplicasAsync(int count)
{
    var schema = $"replicas_{count}";
    var providers = Enumerable.Range(0, count).Select(i => Replica(schema, $"replica-{count}-{i}")).ToList();
    try
    {
        var runners = providers.Select(p => p.GetRequiredService<AgentRunner>()).ToList();
        var sessions = new List<string>();
        for (var i = 0; i < Sessions; i++)
        {
            sessions.Add((await runners[0].CreateSessionAsync("helper")).Id);
        }

        // Warm-up, untimed: one turn per session on each replica opens the pools and compiles the paths.
        foreach (var runner in runners)
        {
            await Task.WhenAll(sessions.Select(async id => await (await runner.OpenSessionAsync(id)).RunAsync("warm-up")));
        }

        var latency = new List<double>();
        var turns = 0;
        var errors = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(sessions.Select((first, s) => Task.Run(async () =>
        {
            var id = first;
            for (var turn = 0; !stop.IsCancellationRequested; turn++)
            {
                var runner = runners[(s + turn) % runners.Count];
                var started = Stopwatch.GetTimestamp();
                try
                {
                    var session = await runner.OpenSessionAsync(id);
                    var result = await session.RunAsync($"turn {turn}");
                    if (result.Outcome != AgentRunOutcome.Completed)
                    {
                        Interlocked.Increment(ref errors);
                        continue;
                    }
                }
                catch (Exception e) when (e is SessionStoreException or AgentSessionBusyException)
                {
                    Interlocked.Increment(ref errors);
                    continue;
                }

                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                lock (latency)
                {
                    latency.Add(elapsed);
                    turns++;
                }

                // A history reducer keeps real sessions short; here a session is replaced every 20 turns, so a long
                // run measures turns, not ever-growing histories.
                if (turn % 20 == 19)
                {
                    id = (await runner.CreateSessionAsync("helper")).Id;
                }
            }
        })));
        return (turns, clock.Elapsed.TotalSeconds, latency, errors);
    }
    finally
    {
        foreach (var provider in providers)
        {
            await provider.DisposeAsync();
        }
    }
}

ServiceProvider Replica(string schema, string name)
{
    var model = new ScriptedChatClient((_, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, "Your order ships tomorrow."))) { RecordCalls = false };
    return new ServiceCollection()
        .AddSingleton<IChatClient>(model)
        .AddAgentKitPostgreSqlStorage(o =>
        {
            var options = Options(name, schema);
            o.ConnectionString = options.ConnectionString;
            o.Schema = options.Schema;
            o.MaxConcurrentTurns = options.MaxConcurrentTurns;
        })
        .AddAgentKitAgents()
        .AddAgent(new AgentDefinition { Name = "helper", Instructions = AgentInstructions.Literal("You answer order questions.") })
        .BuildServiceProvider();
}

PostgreSqlStorageOptions Options(string applicationName, string schema = "bench") => new()
{
    // Two replicas x (40 + 100 run-lock connections) stay under the cluster's max_connections (300).
    ConnectionString = $"{cluster.ConnectionString};Application Name={applicationName};Maximum Pool Size=40",
    Schema = schema,
    MaxConcurrentTurns = 100,
};

int? ArgValue(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : null;
}

static double Percentile(List<double> values, double percentile)
{
    if (values.Count == 0)
    {
        return double.NaN;
    }

    var sorted = values.Order().ToList();
    return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(percentile / 100 * sorted.Count) - 1)];
}
