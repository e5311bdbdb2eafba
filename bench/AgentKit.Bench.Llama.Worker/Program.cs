using System.Globalization;
using AgentKit.Bench.Llama;
using AgentKit.LlamaCpp;

// AgentKit.Bench.Llama.Worker WORKLOAD MODEL PROMPT_FILE THREADS — one workload, one JSON result line (see AgentKitWorker).
if (args.Length != 4 || !int.TryParse(args[3], NumberStyles.None, CultureInfo.InvariantCulture, out var threads) || threads < 1)
{
    Console.Error.WriteLine("usage: AgentKit.Bench.Llama.Worker pp512|tg128|multi|seq MODEL PROMPT_FILE THREADS");
    return 2;
}

try
{
    var prompt = File.ReadAllText(args[2])
        .Split((char[])['\n', ' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries)
        .Select(t => new LlamaToken(int.Parse(t, CultureInfo.InvariantCulture)))
        .ToArray();
    var result = await AgentKitWorker.RunAsync(args[0], args[1], threads, prompt);
    Console.WriteLine(result.ToJson());
    return 0;
}
catch (LlamaException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 2;
}
