using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentKit.LlamaCpp;
using AgentKit.LlamaCpp.Batching;
using AgentKit.LlamaCpp.Chat;
using AgentKit.Testing;
using Microsoft.Extensions.AI;

namespace AgentKit.Bench.Llama;

/// <summary>
/// The concurrency workload (issue #18 §3): N clients streaming chat completions over HTTP on loopback, against
/// <c>agentkit serve</c> (continuous batching) and llama.cpp's <c>llama-server --parallel --cont-batching</c> with the
/// same model, threads, slots and KV cache. Prints aggregate generation tokens/s and time to first token p50/p95 per
/// client count and the ratios the issue asks for.
/// </summary>
internal static class Concurrency
{
    private const int Slots = 16;
    private const int KvCells = 16384;
    private const string SystemPrompt = "You are the ShopBot assistant of an online store. Answer briefly, cite order numbers, never invent data.";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);

    public static async Task<int> RunAsync(BenchOptions options)
    {
        var spec = options.Quick ? TestModelFactory.TinyQwen2 : TestModelFactory.Qwen2HalfB;
        var modelPath = await BenchCache.QuantizedAsync(TestModelFactory.GetOrCreate(spec), options.TargetType, options.Threads).ConfigureAwait(false);
        Console.WriteLine(Invariant.Str($"Model: {spec}, weights {options.TargetType} ({modelPath}); threads {options.Threads} every side; {Slots} slots, {KvCells} KV cells; {options.AnswerTokens}-token answers; {options.Seconds} s per point; clients {string.Join(", ", options.Clients)}"));
        var sides = options.Sides.Where(s => options.LlamaServer || s != "llama-server").ToList();
        var llamaServer = sides.Contains("llama-server") ? await EnsureLlamaServerAsync().ConfigureAwait(false) : null;
        var cli = sides.Contains("agentkit") ? await EnsureCliAsync().ConfigureAwait(false) : null;
        Console.WriteLine($"llama-server: {llamaServer ?? "not measured (--no-llama-server)"}");
        Console.WriteLine($"agentkit: {cli}");

        var results = new List<Point>();
        foreach (var side in sides)
        {
            if (side.StartsWith("in-process", StringComparison.Ordinal))
            {
                results.AddRange(await InProcessAsync(side, modelPath, options).ConfigureAwait(false));
                continue;
            }

            var port = FreePort();
            var process = side == "agentkit"
                ? Start("dotnet", [cli!, "serve", "--urls", Invariant.Str($"http://127.0.0.1:{port}")], AgentKitEnvironment(modelPath, options.Threads))
                : Start(llamaServer!, ["-m", modelPath, "--host", "127.0.0.1", "--port", Invariant.Str(port), "-t", Invariant.Str(options.Threads), "-tb", Invariant.Str(options.Threads),
                    "--parallel", Invariant.Str(Slots), "--cont-batching", "-c", Invariant.Str(KvCells), "-b", "512", "-ub", "512", "--no-webui", "--kv-unified"], new Dictionary<string, string>());
            try
            {
                // A connection per request on both sides: llama-server closes idle keep-alive connections, and a request
                // sent on one it has just closed ended the run with "response ended prematurely" (loopback set-up costs
                // microseconds against seconds per answer).
                using var http = new HttpClient { BaseAddress = new Uri(Invariant.Str($"http://127.0.0.1:{port}/")), Timeout = TimeSpan.FromMinutes(10) };
                http.DefaultRequestHeaders.ConnectionClose = true;
                await WaitReadyAsync(http, process, side).ConfigureAwait(false);
                var model = side == "agentkit" ? "default" : "model";
                await OneRequestAsync(http, model, "Warm up.", options.AnswerTokens).ConfigureAwait(false);
                foreach (var clients in options.Clients)
                {
                    var before = ProcessCpu.Read(process.Id);
                    var point = await MeasureAsync(question => OneRequestAsync(http, model, question, options.AnswerTokens), side, clients, options).ConfigureAwait(false);
                    results.Add(point);
                    Print(point);
                    PrintCpu(ProcessCpu.Read(process.Id) - before, point);
                }
            }
            finally
            {
                Stop(process);
            }
        }

        Console.WriteLine();
        // One row per client count, one column pair per side measured; ratios against llama-server where it ran.
        Console.WriteLine("| clients | " + string.Join(" | ", sides.Select(side => $"{side} tok/s | {side} TTFT p50 / p95 (ms)")) + (sides.Contains("llama-server") ? " | " + string.Join(" | ", sides.Where(s => s != "llama-server").Select(s => $"{s} / llama-server")) : "") + " |");
        Console.WriteLine("|---|" + string.Concat(sides.Select(_ => "---:|---|")) + (sides.Contains("llama-server") ? string.Concat(sides.Where(s => s != "llama-server").Select(_ => "---:|")) : ""));
        foreach (var clients in options.Clients)
        {
            var row = sides.Select(side => results.Single(p => p.Side == side && p.Clients == clients)).ToList();
            var theirs = row.FirstOrDefault(p => p.Side == "llama-server");
            Console.WriteLine(Invariant.Str($"| {clients} | ") + string.Join(" | ", row.Select(p => Invariant.Str($"{p.TokensPerSecond:F1} | {p.TtftP50 * 1000:F0} / {p.TtftP95 * 1000:F0}")))
                + (theirs is null ? "" : " | " + string.Join(" | ", row.Where(p => p != theirs).Select(p => Invariant.Str($"{p.TokensPerSecond / theirs.TokensPerSecond:F2}x")))) + " |");
        }

        var single = results.FirstOrDefault(p => p.Side == "agentkit" && p.Clients == 1);
        var singleTheirs = results.FirstOrDefault(p => p.Side == "llama-server" && p.Clients == 1);
        var eight = results.FirstOrDefault(p => p.Side == "agentkit" && p.Clients == 8);
        var eightTheirs = results.FirstOrDefault(p => p.Side == "llama-server" && p.Clients == 8);
        Console.WriteLine();
        if (eight is not null && eightTheirs is not null)
        {
            Console.WriteLine(Invariant.Str($"8 clients vs llama-server: {eight.TokensPerSecond / eightTheirs.TokensPerSecond:F2}x (target >= 1.0x) {Verdict(eight.TokensPerSecond / eightTheirs.TokensPerSecond >= 1.0)}"));
        }

        if (eight is not null && single is not null)
        {
            Console.WriteLine(Invariant.Str($"8 clients vs AgentKit's single client: {eight.TokensPerSecond / single.TokensPerSecond:F2}x (target >= 3x) {Verdict(eight.TokensPerSecond / single.TokensPerSecond >= 3)}"));
        }

        if (single is not null && singleTheirs is not null)
        {
            Console.WriteLine(Invariant.Str($"single client vs llama-server: {single.TokensPerSecond / singleTheirs.TokensPerSecond:F2}x (target >= 0.95x) {Verdict(single.TokensPerSecond / singleTheirs.TokensPerSecond >= 0.95)}"));
        }

        return 0;
    }

    /// <summary>
    /// The same clients against a batching <see cref="LlamaChatClient"/> in this process (no HTTP), with the scheduler's
    /// per-step breakdown: what the engine does alone, and where a step's time goes.
    /// </summary>
    private static async Task<List<Point>> InProcessAsync(string side, string modelPath, BenchOptions options)
    {
        using var model = await LlamaModel.LoadAsync(modelPath).ConfigureAwait(false);
        var context = new LlamaChatClientOptions().Context with
        {
            Threads = options.Threads,
            BatchThreads = options.Threads,
            PersistentThreadPool = side != "in-process-spawn",
        };
        using var client = new LlamaChatClient(model, new LlamaChatClientOptions
        {
            Context = context,
            Batching = new LlamaBatchingOptions { MaxSequences = Slots, ContextSize = KvCells, MaxQueuedRequests = 64 },
        });
        var scheduler = client.BatchScheduler!;
        async Task<(double, int)> Ask(string question)
        {
            var start = Stopwatch.GetTimestamp();
            double ttft = double.NaN;
            var tokens = 0;
            await foreach (var update in client.GetStreamingResponseAsync(Messages(question), new ChatOptions { Temperature = 0, MaxOutputTokens = options.AnswerTokens }).ConfigureAwait(false))
            {
                if (double.IsNaN(ttft) && update.Text.Length > 0)
                {
                    ttft = Stopwatch.GetElapsedTime(start).TotalSeconds;
                }

                tokens = update.Contents.OfType<UsageContent>().FirstOrDefault()?.Details.OutputTokenCount is { } n ? (int)n : tokens;
            }

            return (double.IsNaN(ttft) ? Stopwatch.GetElapsedTime(start).TotalSeconds : ttft, tokens);
        }

        await Ask("Warm up.").ConfigureAwait(false);
        var points = new List<Point>();
        foreach (var clients in options.Clients)
        {
            var before = scheduler.Statistics;
            var cpuBefore = ProcessCpu.Read(Environment.ProcessId);
            var point = await MeasureAsync(Ask, side, clients, options).ConfigureAwait(false);
            var after = scheduler.Statistics;
            points.Add(point);
            Print(point);
            PrintCpu(ProcessCpu.Read(Environment.ProcessId) - cpuBefore, point);
            var steps = Math.Max(1, after.Steps - before.Steps);
            var stepMs = (after.StepTime - before.StepTime).TotalMilliseconds / steps;
            var decodeMs = (after.DecodeTime - before.DecodeTime).TotalMilliseconds / steps;
            var samplingMs = (after.SamplingTime - before.SamplingTime).TotalMilliseconds / steps;
            Console.WriteLine(Invariant.Str($"{"",13} per step: {stepMs:F1} ms ({decodeMs:F1} decode, {samplingMs:F1} sampling, {stepMs - decodeMs - samplingMs:F1} other), {(double)(after.BatchedTokens - before.BatchedTokens) / steps:F1} tokens/step ({(double)(after.GeneratedTokens - before.GeneratedTokens) / steps:F1} generated); prompt tokens decoded {(double)(after.PromptTokensDecoded - before.PromptTokensDecoded) / Math.Max(1, after.Requests - before.Requests):F1}/request, reused {(double)(after.PromptTokensReused - before.PromptTokensReused) / Math.Max(1, after.Requests - before.Requests):F1}/request; loop busy {100 * (after.StepTime - before.StepTime).TotalSeconds / point.Seconds:F0} % of the wall time"));
        }

        return points;
    }

    private static void Print(Point point) =>
        Console.WriteLine(Invariant.Str($"{point.Side,-13} {point.Clients,2} clients: {point.TokensPerSecond,7:F1} tok/s aggregate, TTFT p50 {point.TtftP50 * 1000,6:F0} ms p95 {point.TtftP95 * 1000,6:F0} ms, {point.Requests} requests, {point.Tokens} tokens in {point.Seconds:F1} s"));

    /// <summary>CPU time per generated token: robust to other load on the machine, unlike tokens per second.</summary>
    private static void PrintCpu(ProcessCpu cpu, Point point)
    {
        if (cpu.Total > TimeSpan.Zero && point.Tokens > 0)
        {
            Console.WriteLine(Invariant.Str($"{"",13} CPU: {cpu.Total.TotalMilliseconds / point.Tokens:F1} ms per generated token ({cpu.Runtime.TotalMilliseconds / point.Tokens:F1} in .NET runtime threads: thread pool, timers, Kestrel), {cpu.Total.TotalSeconds / point.Seconds:F2} cores busy"));
        }
    }

    private static ChatMessage[] Messages(string question) =>
        [new(ChatRole.System, SystemPrompt), new(ChatRole.User, question)];

    private static string Verdict(bool pass) => pass ? "PASS" : "FAIL";

    private static Dictionary<string, string> AgentKitEnvironment(string modelPath, int threads) => new()
    {
        ["AgentKit__Models__default__Path"] = modelPath,
        ["AgentKit__Models__default__Threads"] = Invariant.Str(threads),
        ["AgentKit__Models__default__Batching"] = "true",
        ["AgentKit__Models__default__MaxSequences"] = Invariant.Str(Slots),
        ["AgentKit__Models__default__ContextSize"] = Invariant.Str(KvCells),
        ["AgentKit__Models__default__MaxQueuedRequests"] = "64",
        ["AgentKit__Server__MaxConcurrentRunsPerKey"] = "64",
    };

    /// <summary>Every client sends requests back to back until the time is up; the point counts the requests that finished.</summary>
    private static async Task<Point> MeasureAsync(Func<string, Task<(double Ttft, int Tokens)>> ask, string side, int clients, BenchOptions options)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(options.Seconds * Stopwatch.Frequency);
        var started = Stopwatch.GetTimestamp();
        var ttfts = new List<double>();
        var tokens = 0L;
        var requests = 0;
        var gate = new Lock();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async client =>
        {
            var n = 0;
            while (Stopwatch.GetTimestamp() < deadline)
            {
                // Distinct questions after a shared system prompt, as a server's users send them.
                var (ttft, generated) = await ask(Invariant.Str($"Client {client} question {n++}: summarise the order history.")).ConfigureAwait(false);
                lock (gate)
                {
                    ttfts.Add(ttft);
                    tokens += generated;
                    requests++;
                }
            }
        })).ConfigureAwait(false);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        ttfts.Sort();
        return new Point(side, clients, tokens / seconds, Percentile(ttfts, 0.50), Percentile(ttfts, 0.95), requests, tokens, seconds);
    }

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    /// <summary>One streaming chat completion: seconds to the first content chunk, and completion tokens from the usage chunk.</summary>
    private static async Task<(double Ttft, int Tokens)> OneRequestAsync(HttpClient http, string model, string question, int answerTokens)
    {
        var body = new JsonObject
        {
            ["model"] = model,
            ["stream"] = true,
            ["stream_options"] = new JsonObject { ["include_usage"] = true },
            ["max_tokens"] = answerTokens,
            ["temperature"] = 0,
            ["messages"] = new JsonArray(
                new JsonObject { ["role"] = "system", ["content"] = SystemPrompt },
                new JsonObject { ["role"] = "user", ["content"] = question }),
        };
        var start = Stopwatch.GetTimestamp();
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = JsonContent.Create(body) };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new BenchException($"{http.BaseAddress} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync().ConfigureAwait(false)}");
        }

        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync().ConfigureAwait(false));
        double ttft = double.NaN;
        int tokens = 0, chunks = 0;
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal) || line == "data: [DONE]")
            {
                continue;
            }

            using var chunk = JsonDocument.Parse(line.AsMemory(6));
            var root = chunk.RootElement;
            if (root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0
                && choices[0].TryGetProperty("delta", out var delta) && delta.TryGetProperty("content", out var content)
                && content.ValueKind == JsonValueKind.String && content.GetString()!.Length > 0)
            {
                chunks++;
                if (double.IsNaN(ttft))
                {
                    ttft = Stopwatch.GetElapsedTime(start).TotalSeconds;
                }
            }

            if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object && usage.TryGetProperty("completion_tokens", out var completion))
            {
                tokens = completion.GetInt32();
            }
        }

        return (double.IsNaN(ttft) ? Stopwatch.GetElapsedTime(start).TotalSeconds : ttft, tokens > 0 ? tokens : chunks);
    }

    private static async Task WaitReadyAsync(HttpClient http, Process process, string side)
    {
        var until = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < until)
        {
            if (process.HasExited)
            {
                throw new BenchException($"{side} exited with {process.ExitCode} before it was ready.");
            }

            try
            {
                using var response = await http.GetAsync("health").ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(500).ConfigureAwait(false);
        }

        throw new BenchException($"{side} was not ready within {StartTimeout.TotalMinutes} minutes.");
    }

    private static Process Start(string file, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        // A folder of its own: agentkit serve keeps its session database under data/ in its working folder.
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Directory.CreateTempSubdirectory("agentkit-bench-serve-").FullName };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info) ?? throw new BenchException($"{file} could not be started.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Stop(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }

        process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>llama.cpp's server from the v0.5.0 source, built once into the cache by bench/llama-tools/build.sh.</summary>
    private static async Task<string> EnsureLlamaServerAsync()
    {
        var cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        var binary = Path.Combine(cache, "agentkit", "llama-tools", "v0.5.0", "bin", "llama-server");
        if (File.Exists(binary))
        {
            return binary;
        }

        var script = Path.Combine(AppContext.BaseDirectory, "llama-tools", "build.sh");
        Console.WriteLine($"llama-server is not built yet: running {script} (cached; cmake and g++; takes a while) ...");
        var outcome = await ChildProcess.RunAsync("bash", [script], TimeSpan.FromHours(2)).ConfigureAwait(false);
        if (outcome is null || outcome.ExitCode != 0 || !File.Exists(binary))
        {
            throw new BenchException($"bench/llama-tools/build.sh failed: {outcome?.LastLine ?? "bash could not be started"}");
        }

        return binary;
    }

    /// <summary>The agentkit CLI, built in Release beside the repository's other outputs.</summary>
    private static async Task<string> EnsureCliAsync()
    {
        var project = typeof(Concurrency).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "CliProject").Value!;
        var dll = Path.Combine(Path.GetDirectoryName(project)!, "bin", "Release", "net10.0", "AgentKit.Cli.dll");
        Console.WriteLine("Building the agentkit CLI (Release) ...");
        var outcome = await ChildProcess.RunAsync("dotnet", ["build", project, "-c", "Release", "-v", "q", "-nologo"], TimeSpan.FromMinutes(30)).ConfigureAwait(false);
        if (outcome is null || outcome.ExitCode != 0 || !File.Exists(dll))
        {
            throw new BenchException($"Building {project} failed: {outcome?.LastLine ?? "dotnet could not be started"}");
        }

        return dll;
    }

    /// <summary>
    /// A process's CPU time from /proc (Linux; zero elsewhere), and the part spent by live threads named by the .NET
    /// runtime (".NET TP Worker", ".NET Timer", "Kestrel …"); llama.cpp's workers ("AgentKit ggml") and the batch loop
    /// ("AgentKit llama …") carry their own names.
    /// </summary>
    private readonly record struct ProcessCpu(TimeSpan Total, TimeSpan Runtime)
    {
        private static readonly double TickSeconds = 1.0 / 100;

        public static ProcessCpu Read(int pid)
        {
            var stat = $"/proc/{pid}/stat";
            if (!File.Exists(stat))
            {
                return default;
            }

            var total = Ticks(stat);
            long runtime = 0;
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                try
                {
                    var name = File.ReadAllText(Path.Combine(task, "comm")).Trim();
                    if (name.StartsWith(".NET", StringComparison.Ordinal) || name.StartsWith("Kestrel", StringComparison.Ordinal))
                    {
                        runtime += Ticks(Path.Combine(task, "stat"));
                    }
                }
                catch (IOException)
                {
                    // The thread ended between listing and reading.
                }
            }

            return new ProcessCpu(TimeSpan.FromSeconds(total * TickSeconds), TimeSpan.FromSeconds(runtime * TickSeconds));
        }

        public static ProcessCpu operator -(ProcessCpu a, ProcessCpu b) => new(a.Total - b.Total, a.Runtime - b.Runtime);

        // utime + stime, the 14th and 15th fields; the name (field 2) may hold spaces, so count after its ')'.
        private static long Ticks(string path)
        {
            var text = File.ReadAllText(path);
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
    }

    private sealed record Point(string Side, int Clients, double TokensPerSecond, double TtftP50, double TtftP95, int Requests, long Tokens, double Seconds);
}
