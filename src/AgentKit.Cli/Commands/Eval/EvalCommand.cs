using System.CommandLine;
using System.Globalization;
using AgentKit.Agents;
using AgentKit.Cost.Caching;
using AgentKit.Evaluation.Caching;
using AgentKit.Evaluation.Datasets;
using AgentKit.Evaluation.Optimization;
using AgentKit.Evaluation.Reports;
using AgentKit.Evaluation.Running;
using AgentKit.Hosting.Models;
using AgentKit.Prompts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Spectre.Console;

namespace AgentKit.Cli.Commands.Eval;

/// <summary>
/// <c>agentkit eval DATASET --agent NAME | --prompt NAME</c>: runs a JSONL dataset against a configured agent or a
/// prompt file on a configured model (the configuration as <c>agentkit serve</c> reads it), prints a table, writes
/// JSON and HTML reports, and with <c>--baseline F --fail-on-regression</c> exits 3 when a metric dropped.
/// </summary>
internal static class EvalCommand
{
    public static Command Create(CliContext context)
    {
        var dataset = new Argument<FileInfo>("dataset") { Description = "The JSONL dataset (docs/eval.md)." };
        var agent = new Option<string?>("--agent") { Description = "Run the cases against this configured agent (AgentKit:Agents)." };
        var prompt = new Option<string?>("--prompt") { Description = "Run the cases against this prompt file (its name under prompts/, e.g. rag/answer) on --model." };
        var model = new Option<string?>("--model") { Description = "The configured model (AgentKit:Models) a --prompt runs on. Default: the default chat model." };
        var judge = new Option<string?>("--judge-model") { Description = "The configured model that scores 'judge' expectations. Default: none (judged expectations fail, saying so)." };
        var simulator = new Option<string?>("--simulator-model") { Description = "The configured model that plays 'simulator' users. Default: the judge model, else the model under test." };
        var repeat = new Option<int>("--repeat") { Description = "Runs per case; with more than 1 each case reports a success rate and its 95% Wilson interval.", DefaultValueFactory = _ => 1 };
        var parallel = new Option<int>("--parallel") { Description = "Runs at once (keep it at or under a local model's MaxContexts).", DefaultValueFactory = _ => 4 };
        var timeout = new Option<int>("--timeout") { Description = "Seconds one run may take.", DefaultValueFactory = _ => 300 };
        var cache = new Option<FileInfo?>("--cache") { Description = "The response cache file; a re-run of unchanged cases is answered from it. Default: data/eval-cache.db." };
        var noCache = new Option<bool>("--no-cache") { Description = "Call the models for every run." };
        var json = new Option<FileInfo?>("--json") { Description = "Write the JSON report here (a later run's --baseline)." };
        var html = new Option<FileInfo?>("--html") { Description = "Write the HTML report (charts, baseline comparison) here." };
        var baseline = new Option<FileInfo?>("--baseline") { Description = "A previous run's JSON report to compare with." };
        var failOnRegression = new Option<bool>("--fail-on-regression") { Description = "Exit 3 when a metric is lower than in --baseline by more than --tolerance." };
        var tolerance = new Option<double>("--tolerance") { Description = "How far a metric (0–1) may drop before it is a regression.", DefaultValueFactory = _ => 0.05 };
        var minPassRate = new Option<double?>("--min-pass-rate") { Description = "Exit 3 when the overall pass rate is lower (0–1)." };
        var optimize = new Option<bool>("--optimize") { Description = "Optimise the --prompt: few-shot examples bootstrapped from training cases and --variants instructions, scored on the validation split; the best is written as NAME.vN.prompty beside it." };
        var variants = new Option<FileInfo?>("--variants") { Description = "With --optimize: a JSON array of {\"id\", \"instruction\"} to try instead of the prompt's first system section." };
        var budget = new Option<int>("--budget") { Description = "With --optimize: the most calls to the model (bootstrap, candidates, test split).", DefaultValueFactory = _ => 200 };
        var maxShots = new Option<int>("--max-shots") { Description = "With --optimize: the most few-shot examples a candidate gets (0: instruction variants only).", DefaultValueFactory = _ => 3 };
        var exampleSets = new Option<int>("--example-sets") { Description = "With --optimize: random example sets tried per number of shots.", DefaultValueFactory = _ => 2 };
        var seed = new Option<int>("--seed") { Description = "With --optimize: the seed of the split and of the example sets.", DefaultValueFactory = _ => 0 };
        var trainRatio = new Option<double>("--train-ratio") { Description = "With --optimize: the share of cases without a 'split' field used for training (examples); validation gets the rest.", DefaultValueFactory = _ => 0.5 };
        var testRatio = new Option<double>("--test-ratio") { Description = "With --optimize: the share held out as a test split, scored once for the original and the best.", DefaultValueFactory = _ => 0.0 };
        var minSplit = new Option<int>("--min-split") { Description = "With --optimize: the fewest cases the training and validation (and test) splits may have.", DefaultValueFactory = _ => 2 };
        var config = AgentKitHost.ConfigOption();
        var command = new Command("eval", "Run an evaluation dataset against an agent or a prompt file: console table, JSON and HTML reports, regression gate against a baseline; --optimize searches for a better prompt version.")
        {
            dataset, agent, prompt, model, judge, simulator, repeat, parallel, timeout, cache, noCache, json, html, baseline, failOnRegression, tolerance, minPassRate,
            optimize, variants, budget, maxShots, exampleSets, seed, trainRatio, testRatio, minSplit, config,
        };
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(context, () => RunAsync(context, new Settings
        {
            Dataset = parse.GetRequiredValue(dataset),
            Agent = parse.GetValue(agent),
            Prompt = parse.GetValue(prompt),
            Model = parse.GetValue(model),
            Judge = parse.GetValue(judge),
            Simulator = parse.GetValue(simulator),
            Repeat = parse.GetValue(repeat),
            Parallel = parse.GetValue(parallel),
            TimeoutSeconds = parse.GetValue(timeout),
            Cache = parse.GetValue(noCache) ? null : parse.GetValue(cache) ?? new FileInfo(Path.Combine("data", "eval-cache.db")),
            Json = parse.GetValue(json),
            Html = parse.GetValue(html),
            Baseline = parse.GetValue(baseline),
            FailOnRegression = parse.GetValue(failOnRegression),
            Tolerance = parse.GetValue(tolerance),
            MinPassRate = parse.GetValue(minPassRate),
            Optimize = parse.GetValue(optimize),
            Variants = parse.GetValue(variants),
            Budget = parse.GetValue(budget),
            MaxShots = parse.GetValue(maxShots),
            ExampleSets = parse.GetValue(exampleSets),
            Seed = parse.GetValue(seed),
            TrainRatio = parse.GetValue(trainRatio),
            TestRatio = parse.GetValue(testRatio),
            MinSplit = parse.GetValue(minSplit),
            Config = parse.GetValue(config),
        }, cancellationToken)));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, Settings settings, CancellationToken cancellationToken)
    {
        settings.Validate();
        var data = EvalDataset.Load(settings.Dataset.FullName);
        var optimizer = settings.Optimize ? OptimizerOptions(settings) : null;
        var baseline = settings.Baseline is null ? null : EvalReport.ReadBaseline(settings.Baseline.FullName);
        using var storage = settings.Cache is null ? null : new SqliteDistributedCache(settings.Cache.FullName);
        using var host = await AgentKitHost.StartAsync(context, settings.Config, null, cancellationToken, decorate: s => WrapAgentModels(s, storage)).ConfigureAwait(false);
        try
        {
            var services = host.Services;
            var prompts = services.GetService<IPromptRegistry>();
            IEvalTarget target;
            string modelName;
            PromptTemplate? promptTemplate = null;
            IChatClient? promptModel = null;
            if (settings.Agent is { } agentName)
            {
                var runner = services.GetRequiredService<AgentRunner>();
                target = new AgentEvalTarget(runner, agentName);
                modelName = $"agent {agentName}'s model";
            }
            else
            {
                var registry = prompts ?? throw new CommandInputException("No prompt registry is configured (AgentKit:Prompts).");
                promptTemplate = registry.Get(settings.Prompt!);
                promptModel = Wrap(ResolveModel(services, settings.Model), storage);
                target = new PromptEvalTarget(promptTemplate, promptModel);
                modelName = settings.Model ?? "the default chat model";
            }

            var judgeClient = settings.Judge is null ? null : Wrap(ResolveModel(services, settings.Judge), storage);
            var simulatorName = settings.Simulator ?? settings.Judge ?? settings.Model;
            var options = new EvalRunOptions
            {
                MaxParallel = settings.Parallel,
                Repeat = settings.Repeat,
                CaseTimeout = TimeSpan.FromSeconds(settings.TimeoutSeconds),
                Judge = judgeClient,
                Prompts = prompts,
                UserSimulatorModel = data.Cases.Any(c => c.Simulator is not null) ? Wrap(ResolveModel(services, simulatorName), storage) : null,
            };
            if (optimizer is not null)
            {
                return await OptimizeAsync(context, settings, promptTemplate!, promptModel!, data, modelName, optimizer, options, cancellationToken).ConfigureAwait(false);
            }

            var progress = new ImmediateProgress<(EvalCase Case, EvalRunRecord Run)>(p =>
                context.Error.MarkupLine(Markup.Escape($"{(p.Run.Passed ? "pass" : "FAIL")}  {p.Case.Id}{(settings.Repeat > 1 ? $" #{p.Run.Repeat + 1}" : "")}")));
            var report = await new EvalRunner(target, options).RunAsync(data, modelName, progress, cancellationToken).ConfigureAwait(false);
            report = report with { Judge = settings.Judge };
            var comparison = baseline is null ? null : EvalComparison.Compare(report, baseline, settings.Tolerance);
            EvalConsoleReport.Write(context.Out, report, comparison);
            if (settings.Json is not null)
            {
                await report.WriteJsonAsync(settings.Json.FullName, cancellationToken).ConfigureAwait(false);
                context.Error.MarkupLine(Markup.Escape($"JSON report: {settings.Json.FullName}"));
            }

            if (settings.Html is not null)
            {
                await HtmlReportWriter.WriteAsync(settings.Html.FullName, report, comparison, cancellationToken).ConfigureAwait(false);
                context.Error.MarkupLine(Markup.Escape($"HTML report: {settings.Html.FullName}"));
            }

            return Gate(context, report, comparison, settings);
        }
        finally
        {
            await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static PromptOptimizerOptions OptimizerOptions(Settings settings) => new()
    {
        Budget = settings.Budget,
        MaxShots = settings.MaxShots,
        ExampleSetsPerSize = settings.ExampleSets,
        Seed = settings.Seed,
        TrainFraction = settings.TrainRatio,
        TestFraction = settings.TestRatio,
        MinSplitCases = settings.MinSplit,
        Variants = settings.Variants is null ? [] : InstructionVariant.Load(settings.Variants.FullName),
        VariantsSource = settings.Variants?.FullName,
    };

    private static async Task<int> OptimizeAsync(
        CliContext context, Settings settings, PromptTemplate prompt, IChatClient model, EvalDataset data, string modelName, PromptOptimizerOptions optimizer, EvalRunOptions options, CancellationToken cancellationToken)
    {
        var progress = new ImmediateProgress<string>(line => context.Error.MarkupLine(Markup.Escape(line)));
        var report = await new PromptOptimizer(model, optimizer, options).OptimizeAsync(prompt, data, modelName, progress, cancellationToken).ConfigureAwait(false);
        OptimizeConsoleReport.Write(context.Out, report);
        if (settings.Json is not null)
        {
            await report.WriteJsonAsync(settings.Json.FullName, cancellationToken).ConfigureAwait(false);
            context.Error.MarkupLine(Markup.Escape($"JSON report: {settings.Json.FullName}"));
        }

        return ExitCodes.Success;
    }

    private static int Gate(CliContext context, EvalReport report, EvalComparison? comparison, Settings settings)
    {
        var failed = false;
        if (settings.FailOnRegression && comparison is not null)
        {
            foreach (var r in comparison.Regressions)
            {
                failed = true;
                context.Error.MarkupLine("[red]" + Markup.Escape(r.Current is { } now
                    ? string.Create(CultureInfo.InvariantCulture, $"Regression: {r.Metric} dropped from {r.Baseline * 100:0.0}% to {now * 100:0.0}% ({r.Delta * 100:+0.0;-0.0} points; tolerance {settings.Tolerance * 100:0.#} points) against {comparison.Baseline.Path}.")
                    : $"Regression: {r.Metric} is in the baseline {comparison.Baseline.Path} but missing from this run.") + "[/]");
            }
        }

        if (settings.MinPassRate is { } min && report.Totals.PassRate < min)
        {
            failed = true;
            context.Error.MarkupLine("[red]" + Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"The pass rate {report.Totals.PassRate * 100:0.0}% is below --min-pass-rate {min * 100:0.0}%.")) + "[/]");
        }

        return failed ? ExitCodes.EvalRegression : ExitCodes.Success;
    }

    private static IChatClient ResolveModel(IServiceProvider services, string? name) =>
        name is null
            ? services.GetService<IChatClient>() ?? throw new CommandInputException("No chat model is configured (AgentKit:Models); name one with --model.")
            : services.GetKeyedService<IChatClient>(name) ?? throw new CommandInputException($"No chat model named '{name}' is configured under AgentKit:Models.");

    private static IChatClient Wrap(IChatClient model, SqliteDistributedCache? storage)
    {
        var builder = new ChatClientBuilder(model);
        if (storage is not null)
        {
            builder.UseEvalResponseCache(storage);
        }

        return builder.UseEvalMetering().Build();
    }

    /// <summary>What <see cref="ModelKeys.ForAgents"/> appends to a model's name.</summary>
    private static readonly string AgentKeySuffix = ModelKeys.ForAgents("m")[1..];

    /// <summary>Puts the response cache and the meter around every model agents run on (the <c>NAME#agent</c> clients).</summary>
    private static void WrapAgentModels(IServiceCollection services, SqliteDistributedCache? storage)
    {
        for (var i = 0; i < services.Count; i++)
        {
            var d = services[i];
            if (d.ServiceType == typeof(IChatClient) && d.IsKeyedService && d.ServiceKey is string key && key.EndsWith(AgentKeySuffix, StringComparison.Ordinal))
            {
                services[i] = new ServiceDescriptor(typeof(IChatClient), d.ServiceKey, (sp, k) => Wrap(Original(d, sp, k), storage), d.Lifetime);
            }
        }
    }

    private static IChatClient Original(ServiceDescriptor d, IServiceProvider services, object? key) =>
        (IChatClient)(d.KeyedImplementationInstance
            ?? d.KeyedImplementationFactory?.Invoke(services, key)
            ?? ActivatorUtilities.CreateInstance(services, d.KeyedImplementationType!));

    /// <summary>
    /// Reports on the caller's thread, in order: <see cref="Progress{T}"/> posts to the thread pool, where a line
    /// could arrive after the command returned and its console was closed.
    /// </summary>
    private sealed class ImmediateProgress<T>(Action<T> report) : IProgress<T>
    {
        private readonly Lock _lock = new();

        public void Report(T value)
        {
            lock (_lock)
            {
                report(value);
            }
        }
    }

    private sealed record Settings
    {
        public required FileInfo Dataset { get; init; }

        public string? Agent { get; init; }

        public string? Prompt { get; init; }

        public string? Model { get; init; }

        public string? Judge { get; init; }

        public string? Simulator { get; init; }

        public int Repeat { get; init; }

        public int Parallel { get; init; }

        public int TimeoutSeconds { get; init; }

        public FileInfo? Cache { get; init; }

        public FileInfo? Json { get; init; }

        public FileInfo? Html { get; init; }

        public FileInfo? Baseline { get; init; }

        public bool FailOnRegression { get; init; }

        public double Tolerance { get; init; }

        public double? MinPassRate { get; init; }

        public bool Optimize { get; init; }

        public FileInfo? Variants { get; init; }

        public int Budget { get; init; }

        public int MaxShots { get; init; }

        public int ExampleSets { get; init; }

        public int Seed { get; init; }

        public double TrainRatio { get; init; }

        public double TestRatio { get; init; }

        public int MinSplit { get; init; }

        public FileInfo? Config { get; init; }

        public void Validate()
        {
            if ((Agent is null) == (Prompt is null))
            {
                throw new CommandInputException("Give exactly one of --agent NAME (a configured agent) or --prompt NAME (a prompt file, run on --model).");
            }

            if (Agent is not null && Model is not null)
            {
                throw new CommandInputException("--model applies to --prompt; an agent runs on the model its configuration names.");
            }

            if (FailOnRegression && Baseline is null)
            {
                throw new CommandInputException("--fail-on-regression needs --baseline FILE (a previous run's --json report).");
            }

            Check(Repeat is >= 1 and <= 1000, "--repeat must be from 1 to 1000.");
            Check(Parallel is >= 1 and <= 64, "--parallel must be from 1 to 64.");
            Check(TimeoutSeconds is >= 1 and <= 86_400, "--timeout must be from 1 to 86400 seconds.");
            Check(Tolerance is >= 0 and <= 1, "--tolerance must be from 0 to 1 (0.05 = five percentage points).");
            Check(MinPassRate is null or (>= 0 and <= 1), "--min-pass-rate must be from 0 to 1.");
            if (Optimize)
            {
                ValidateOptimize();
            }
            else if (Variants is not null)
            {
                throw new CommandInputException("--variants applies to --optimize.");
            }
        }

        private void ValidateOptimize()
        {
            Check(Prompt is not null, "--optimize needs --prompt NAME: it writes a new version of a prompt file (an agent's instructions are not optimised).");
            Check(Baseline is null && !FailOnRegression && MinPassRate is null && Html is null,
                "--optimize reports its own comparison (the original against the best candidate, on the validation split); leave out --baseline, --fail-on-regression, --min-pass-rate and --html.");
            Check(Budget is >= 1 and <= 1_000_000, "--budget must be from 1 to 1000000 model calls.");
            Check(MaxShots is >= 0 and <= 16, "--max-shots must be from 0 to 16.");
            Check(ExampleSets is >= 1 and <= 32, "--example-sets must be from 1 to 32.");
            Check(TrainRatio is >= 0 and <= 1, "--train-ratio must be from 0 to 1.");
            Check(TestRatio is >= 0 and <= 1, "--test-ratio must be from 0 to 1.");
            Check(TrainRatio + TestRatio <= 1, "--train-ratio plus --test-ratio must be at most 1: validation gets the rest.");
            Check(MinSplit is >= 1 and <= 1000, "--min-split must be from 1 to 1000.");
        }

        private static void Check(bool ok, string message)
        {
            if (!ok)
            {
                throw new CommandInputException(message);
            }
        }
    }
}
