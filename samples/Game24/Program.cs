using System.ClientModel;
using System.Globalization;
using AgentKit.LlamaCpp;
using AgentKit.LlamaCpp.Chat;
using AgentKit.LlamaCpp.Models;
using AgentKit.Planning;
using AgentKit.Prompts;
using Game24.Puzzle;
using Microsoft.Extensions.AI;
using OpenAI;

// dotnet run --project samples/Game24 -- [4 9 10 13] [--model file.gguf | --endpoint http://host:8080/v1 --model-name NAME]
//                                        [--max-tokens 256] [--threads N] [--paths 5] [--breadth 5] [--show-tree]
var options = SampleOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("Usage: Game24 [a b c d] [--model FILE.gguf | --endpoint URL --model-name NAME [--api-key KEY]] [--max-tokens N] [--threads N] [--paths N] [--breadth N] [--show-tree]");
    return 2;
}

var puzzle = new Game24Task(options.Numbers);
Console.WriteLine($"Puzzle: {puzzle.Puzzle}   (exhaustive solver: {Game24Solver.Solve(options.Numbers) ?? "no solution"})");

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
LlamaModel? model = null;
IChatClient client;
if (options.Endpoint is { } endpoint)
{
    client = new OpenAIClient(new ApiKeyCredential(options.ApiKey ?? "none"), new OpenAIClientOptions { Endpoint = endpoint })
        .GetChatClient(options.ModelName ?? "default").AsIChatClient();
    Console.WriteLine($"Model: {options.ModelName} at {endpoint}");
}
else
{
    var path = options.ModelPath ?? await PullDefaultModelAsync(cancel.Token);
    model = await LlamaModel.LoadAsync(path, new LlamaModelOptions(), null, cancel.Token);
    client = new LlamaChatClient(model, new LlamaChatClientOptions
    {
        Context = new LlamaContextOptions { ContextSize = 8192, MaxSequences = 8, Threads = options.Threads, BatchThreads = options.Threads },
        MaxContexts = 1,
    });
    Console.WriteLine($"Model: {model.Metadata}");
}

using var prompts = new PromptRegistry(new PromptRegistryOptions { WatchForChanges = false });
var chat = new ChatOptions { MaxOutputTokens = options.MaxTokens, Seed = 1 };
var question = $"Use the numbers {puzzle.Puzzle} and the operations + - * / to make 24, using each number exactly once. Give the expression.";
// The expression at the end of a line, optionally followed by "= 24"; the exact check decides whether it is right.
var format = AnswerFormat.Regex(@"(?m)(?<answer>\(?\d+[\d\s()+\-*/×÷]*\d\)?)(?=\s*(?:=\s*24)?\s*\.?\s*$)");

var rows = new List<(string Name, PlanningResult Result, string? Answer)>();
try
{
    var cot = await new ChainOfThoughtPlanner(prompts).RunAsync(client, question, new ChainOfThoughtOptions { Format = format, ChatOptions = chat }, cancel.Token);
    rows.Add(("Chain-of-thought", cot, cot.Answer));

    var sc = await new SelfConsistencyPlanner(prompts).RunAsync(client, question,
        new SelfConsistencyOptions { Paths = options.Paths, Format = format, ChatOptions = chat }, cancel.Token);
    rows.Add(($"Self-consistency (n={options.Paths})", sc, sc.Answer));

    var tot = await new TreeOfThoughtsPlanner(prompts).RunAsync(client, puzzle,
        new TreeOfThoughtsOptions { Breadth = options.Breadth, ChatOptions = new ChatOptions { MaxOutputTokens = Math.Min(options.MaxTokens, 200), Seed = 1 } }, cancel.Token);
    rows.Add(($"Tree-of-Thoughts (BFS b={options.Breadth})", tot, tot.Answer));
    if (options.ShowTree)
    {
        Console.WriteLine();
        Console.WriteLine(tot.Tree.ToText());
    }
}
finally
{
    Console.WriteLine();
    Console.WriteLine($"{"strategy",-30} {"success",-8} {"calls",6} {"tokens",8} {"seconds",8}  answer");
    foreach (var (name, result, answer) in rows)
    {
        var success = answer is not null && Game24Expression.Check(options.Numbers, answer);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-30} {(success ? "yes" : "no"),-8} {result.ModelCalls,6} {result.Usage.TotalTokenCount ?? 0,8} {result.Elapsed.TotalSeconds,8:0.0}  {answer ?? $"({result.Outcome}{(result.Reason is null ? "" : ": " + result.Reason)})"}"));
    }

    client.Dispose();
    model?.Dispose();
}

return 0;

static async Task<string> PullDefaultModelAsync(CancellationToken cancellationToken)
{
    using var http = ModelDownloader.CreateHttpClient();
    var downloader = new ModelDownloader(http);
    Console.WriteLine($"Model: {KnownModels.DefaultChat} (model cache; downloaded on first use)");
    return await downloader.PullAsync(KnownModels.DefaultChat, null, cancellationToken);
}

/// <summary>The sample's command line.</summary>
internal sealed record SampleOptions(int[] Numbers, string? ModelPath, Uri? Endpoint, string? ModelName, string? ApiKey, int MaxTokens, int Threads, int Paths, int Breadth, bool ShowTree)
{
    public static SampleOptions? Parse(string[] args)
    {
        var numbers = new List<int>();
        string? modelPath = null, modelName = null, apiKey = null;
        Uri? endpoint = null;
        int maxTokens = 256, threads = Environment.ProcessorCount, paths = 5, breadth = 5;
        var showTree = false;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--model": modelPath = Next(); break;
                case "--endpoint": endpoint = new Uri(Next()); break;
                case "--model-name": modelName = Next(); break;
                case "--api-key": apiKey = Next(); break;
                case "--max-tokens": maxTokens = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--threads": threads = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--paths": paths = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--breadth": breadth = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--show-tree": showTree = true; break;
                default:
                    if (!int.TryParse(args[i], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                    {
                        return null;
                    }

                    numbers.Add(n);
                    break;
            }
        }

        if (numbers.Count is not (0 or 4))
        {
            return null;
        }

        return new SampleOptions(numbers.Count == 0 ? [4, 9, 10, 13] : [.. numbers], modelPath, endpoint, modelName, apiKey, maxTokens, threads, paths, breadth, showTree);
    }
}
