using System.Globalization;
using AgentKit.Agents;
using AgentKit.Cost.Caching;
using AgentKit.Evaluation.Caching;
using AgentKit.Evaluation.Datasets;
using AgentKit.Evaluation.Reports;
using AgentKit.Evaluation.Running;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using ShopBot.Startup;

namespace ShopBot.Eval;

/// <summary>
/// <c>dotnet run --project samples/ShopBot -- --eval eval/scenarios.jsonl [--repeat N] [--parallel N] [--json F]
/// [--html F] [--min-pass-rate R] [--no-cache]</c>: qualifies the configured model (the same configuration the web chat
/// uses) on ShopBot's suite. The model is loaded once, in a first shop; each run then gets a fresh shop on it (its
/// own copy of a seeded data folder, sharing the model, the embedding model and the policy index).
/// </summary>
internal static class ShopBotQualification
{
    public static async Task<int> RunAsync(string[] args, IReadOnlyList<string> hostArgs, TextWriter output, CancellationToken cancellationToken)
    {
        string? Value(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        var dataset = EvalDataset.Load(Value("--eval") ?? throw new ArgumentException("--eval needs the dataset file, e.g. --eval eval/scenarios.jsonl."));
        var options = new EvalRunOptions
        {
            Repeat = int.Parse(Value("--repeat") ?? "1", CultureInfo.InvariantCulture),
            MaxParallel = int.Parse(Value("--parallel") ?? "1", CultureInfo.InvariantCulture),
        };
        await using var modelHost = await ShopBotApp.StartAsync(new ShopBotStartOptions { Args = hostArgs }, cancellationToken).ConfigureAwait(false);
        var builder = new ChatClientBuilder(modelHost.Services.GetRequiredKeyedService<IChatClient>(AgentChatClients.DefaultKey));
        if (!args.Contains("--no-cache"))
        {
            builder.UseEvalResponseCache(new SqliteDistributedCache(Path.Combine("data", "eval-cache.db")));
        }

        // The runs share the host's client: a shop does not dispose a client it was given (it is registered as an instance).
        var model = builder.UseEvalMetering().Build();
        // The shops also share the host's embedding model (loaded once) and, prepared by the target's first shop, the
        // seeded data folder each run copies, the policies and their index (ShopBotEvalOptions.ShareReadOnlyData).
        var embeddings = modelHost.Services.GetService<IEmbeddingGenerator<string, Embedding<float>>>();
        await using var target = new ShopBotEvalTarget(_ => model, new ShopBotEvalOptions { Embeddings = embeddings is null ? null : () => embeddings });

        // Scenarios with a simulated customer ('simulator') are played by the same model on prompts/eval/user-simulator.
        options.UserSimulatorModel = model;
        options.Prompts = modelHost.Services.GetService<AgentKit.Prompts.IPromptRegistry>();
        var progress = new Progress<(EvalCase Case, EvalRunRecord Run)>(p => output.WriteLine($"{(p.Run.Passed ? "pass" : "FAIL")}  {p.Case.Id}"));
        var report = await new EvalRunner(target, options).RunAsync(dataset, "configured ShopBot model", progress, cancellationToken).ConfigureAwait(false);
        var totals = report.Totals;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{totals.PassedRuns}/{totals.Runs} runs passed ({totals.PassRate * 100:0.0}%, 95% CI {totals.Low * 100:0.0}%–{totals.High * 100:0.0}%)."));
        foreach (var (group, g) in report.Groups)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {group}: {g.PassedRuns}/{g.Runs}"));
        }

        foreach (var failed in report.Cases.Where(c => c.SuccessRate < 1))
        {
            var why = failed.Runs.SelectMany(r => (r.Error is null ? [] : new[] { r.Error }).Concat(r.Results.Where(x => !x.Passed).Select(x => $"{x.Expectation}: {x.Detail}"))).FirstOrDefault();
            output.WriteLine($"  failed {failed.Id}: {why}");
        }

        if (Value("--json") is { } json)
        {
            await report.WriteJsonAsync(json, cancellationToken).ConfigureAwait(false);
        }

        if (Value("--html") is { } html)
        {
            await HtmlReportWriter.WriteAsync(html, report, null, cancellationToken).ConfigureAwait(false);
        }

        return Value("--min-pass-rate") is { } min && totals.PassRate < double.Parse(min, CultureInfo.InvariantCulture) ? 3 : 0;
    }
}
