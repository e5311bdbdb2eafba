using AgentKit.Bench.Llama;
using AgentKit.LlamaCpp;

try
{
    var options = BenchOptions.Parse(args);
    if (options.Help)
    {
        Console.WriteLine(BenchOptions.Usage);
        return 0;
    }

    if (options.Worker is { } worker)
    {
        var prompt = File.ReadAllText(worker.PromptFile)
            .Split((char[])['\n', ' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries)
            .Select(t => new LlamaToken(int.Parse(t, System.Globalization.CultureInfo.InvariantCulture)))
            .ToArray();
        var result = await AgentKitWorker.RunAsync(worker.Workload, worker.Model, options.Threads, prompt);
        Console.WriteLine(result.ToJson());
        return 0;
    }

    return options.ConcurrencyMode ? await Concurrency.RunAsync(options) : options.Speculative ? await SpeculativeBenchmark.RunAsync(options) : await Benchmark.RunAsync(options);
}
catch (BenchException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 2;
}
catch (LlamaException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 2;
}
