// Tool selection benchmark (issue #17 §1): recall@5 and recall@10 per request kind on a catalog of real MCP tool
// definitions, selection latency for 500 tools, and the prompt tokens selection saves per turn.
//
//   dotnet run -c Release --project bench/AgentKit.Bench.ToolSelection               # full run
//   dotnet run -c Release --project bench/AgentKit.Bench.ToolSelection -- --smoke    # a few latency samples only
//
// Options: --catalog FILE, --requests FILE, --keyword-weight W (0..1), --shown K (tools shown per turn, default 8).
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AgentKit.Abstractions.Text;
using AgentKit.Agents.Tools.Selection;
using AgentKit.Embeddings.MiniLM;
using Microsoft.Extensions.AI;

var smoke = args.Contains("--smoke");
var catalogPath = Option("--catalog") ?? Path.Combine(AppContext.BaseDirectory, "catalog.json");
var requestsPath = Option("--requests") ?? Path.Combine(AppContext.BaseDirectory, "requests.json");
var keywordWeight = double.Parse(Option("--keyword-weight") ?? "0.35", CultureInfo.InvariantCulture);
var shown = int.Parse(Option("--shown") ?? "8", CultureInfo.InvariantCulture);

var catalog = ToolCatalogFile.Load(catalogPath);
var requests = LoadRequests(requestsPath, catalog.Select(t => t.Name).ToHashSet(StringComparer.Ordinal));
using var generator = new MiniLMEmbeddingGenerator();
using var selector = new ToolSelector(generator);

var started = Stopwatch.GetTimestamp();
await selector.PrepareAsync(catalog);
Console.WriteLine($"Catalog: {catalog.Count} tools ({catalogPath}); {requests.Count} requests; descriptions embedded in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s.");

if (!smoke)
{
    Console.WriteLine($"Keyword weight {keywordWeight.ToString(CultureInfo.InvariantCulture)}.");
    Console.WriteLine("kind          n    recall@5  recall@10");
    var results = new List<(string Kind, bool At5, bool At10)>();
    foreach (var request in requests)
    {
        var ranked = (await selector.RankAsync(catalog, request.Text, 10, keywordWeight)).Select(m => m.Tool.Name).ToList();
        var at5 = request.Needs.All(slot => slot.Any(ranked.Take(5).Contains));
        var at10 = request.Needs.All(slot => slot.Any(ranked.Contains));
        results.Add((request.Kind, at5, at10));
        if (!at10 || args.Contains("--verbose"))
        {
            Console.WriteLine($"  miss@10 [{request.Kind}] \"{request.Text}\" needs {string.Join(" + ", request.Needs.Select(s => string.Join("|", s)))}; top: {string.Join(", ", ranked.Take(5))}");
        }
    }

    foreach (var group in results.GroupBy(r => r.Kind).Append(results.GroupBy(_ => "overall").Single()))
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{group.Key,-12} {group.Count(),3}    {group.Count(r => r.At5) / (double)group.Count(),6:F3}    {group.Count(r => r.At10) / (double)group.Count(),6:F3}"));
    }

    // Tokens of the tool definitions as a model receives them (name, description, JSON Schema), counted with the
    // embedding model's WordPiece vocabulary: a proxy for the chat model's tokenizer, the same for both sides.
    var counter = generator.GetService<ITokenCounter>() ?? throw new InvalidOperationException("The embedding model counts no tokens.");
    var tokens = catalog.ToDictionary(t => t.Name, t => counter.CountTokens(Definition(t)), StringComparer.Ordinal);
    var all = tokens.Values.Sum();
    var findTools = counter.CountTokens(Definition(new FindToolsFunction(selector, [], new ToolSelectionOptions())));
    var perTurn = new List<int>();
    foreach (var request in requests)
    {
        var top = await selector.RankAsync(catalog, request.Text, shown, keywordWeight);
        perTurn.Add(top.Sum(m => tokens[m.Tool.Name]) + findTools);
    }

    var meanShown = perTurn.Average();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"Prompt tokens per turn (WordPiece): all {catalog.Count} tools {all:N0}; {shown} selected + find_tools {meanShown:N0} on average; saved {all - meanShown:N0} ({(all - meanShown) / all:P1})."));
}

// Latency: 500 tools, the catalog padded with copies under distinct names (each copy is a distinct text, so it is embedded too).
var padded = new List<AIFunctionDeclaration>(catalog);
for (var copy = 1; padded.Count < 500; copy++)
{
    foreach (var tool in catalog)
    {
        if (padded.Count == 500)
        {
            break;
        }

        padded.Add(AIFunctionFactory.CreateDeclaration($"{tool.Name}_copy{copy}", tool.Description, tool.JsonSchema));
    }
}

started = Stopwatch.GetTimestamp();
await selector.PrepareAsync(padded);
Console.WriteLine($"Padded to {padded.Count} tools ({padded.Count - catalog.Count} copies with distinct names); new descriptions embedded in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s.");
var samples = new List<double>();
var rounds = smoke ? 1 : 3;
foreach (var request in (smoke ? requests.Take(10) : requests).SelectMany(r => Enumerable.Repeat(r, rounds)))
{
    // A fresh request text each time, so the request's own embedding is part of every sample (as in a new turn).
    var text = $"{request.Text} ({samples.Count})";
    var t0 = Stopwatch.GetTimestamp();
    _ = await selector.RankAsync(padded, text, shown, keywordWeight);
    samples.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
}

samples.Sort();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Selection latency, {padded.Count} tools, {samples.Count} requests: p50 {samples[samples.Count / 2]:F2} ms, p95 {samples[(int)(samples.Count * 0.95)]:F2} ms{(smoke ? " (smoke: the figure is not a measurement)" : "")}."));
return 0;

string? Option(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static string Definition(AIFunctionDeclaration tool) =>
    JsonSerializer.Serialize(new { type = "function", function = new { name = tool.Name, description = tool.Description, parameters = tool.JsonSchema } });

static List<BenchRequest> LoadRequests(string path, HashSet<string> names)
{
    using var document = JsonDocument.Parse(File.ReadAllText(path));
    var list = new List<BenchRequest>();
    foreach (var entry in document.RootElement.GetProperty("requests").EnumerateArray())
    {
        var needs = entry.GetProperty("tools").EnumerateArray()
            .Select(slot => slot.ValueKind == JsonValueKind.Array ? slot.EnumerateArray().Select(n => n.GetString()!).ToArray() : [slot.GetString()!])
            .ToList();
        foreach (var name in needs.SelectMany(n => n).Where(n => !names.Contains(n)))
        {
            throw new InvalidDataException($"{path}: the request \"{entry.GetProperty("request").GetString()}\" needs '{name}', which the catalog does not have.");
        }

        list.Add(new BenchRequest(entry.GetProperty("kind").GetString()!, entry.GetProperty("request").GetString()!, needs));
    }

    return list;
}

internal sealed record BenchRequest(string Kind, string Text, List<string[]> Needs);
