using System.Globalization;
using System.Text;
using AgentKit.Evaluation.Datasets;
using AgentKit.Evaluation.Reports;
using AgentKit.Evaluation.Running;
using AgentKit.Prompts;
using Microsoft.Extensions.AI;

namespace AgentKit.Evaluation.Optimization;

/// <summary>
/// Optimises a prompt file on a dataset, BootstrapFewShot-style: splits the cases into training, validation and an
/// optional test split (<see cref="DatasetSplit"/>); runs the prompt on the training cases and keeps the passing
/// input/reply pairs as demonstrations; builds candidates from the instruction variants and sets of 0 to
/// <see cref="PromptOptimizerOptions.MaxShots"/> demonstrations; scores each on the validation split only, within
/// the budget of model calls; and writes the best, when it beats the original, as a new version of the file
/// (<c>name.v2.prompty</c> beside it; the original is never modified).
/// </summary>
/// <param name="model">The model the prompt runs on (wrap it with the response cache and <c>UseEvalMetering</c> as for <see cref="EvalRunner"/>).</param>
/// <param name="options">What to try and the budget; default <see cref="PromptOptimizerOptions"/>.</param>
/// <param name="runOptions">How validation runs go (parallelism, repeats, timeout, judge); default <see cref="EvalRunOptions"/>.</param>
public sealed class PromptOptimizer(IChatClient model, PromptOptimizerOptions? options = null, EvalRunOptions? runOptions = null)
{
    /// <summary>The largest candidate file: the registry's limit, less room for the header comment of a written version.</summary>
    private const int MaxCandidateBytes = PromptTemplate.DefaultMaxFileBytes - 4096;

    private readonly PromptOptimizerOptions _options = options ?? new PromptOptimizerOptions();
    private readonly EvalRunOptions _runOptions = runOptions ?? new EvalRunOptions();

    /// <summary>When the best candidate beats the original on validation, write it as a new version beside the original. Default true.</summary>
    public bool WriteBest { get; init; } = true;

    /// <summary>Optimises the prompt.</summary>
    /// <param name="prompt">The prompt, loaded from its file (the file is read for the text of the new version).</param>
    /// <param name="dataset">The cases (with the prompt's inputs).</param>
    /// <param name="modelName">The model's name for the report.</param>
    /// <param name="progress">Told of each step (bootstrap, each candidate's score).</param>
    /// <param name="cancellationToken">Stops the search.</param>
    /// <returns>The report; <see cref="PromptOptimizationReport.WrittenFile"/> is the new version, if one was written.</returns>
    /// <exception cref="PromptOptimizationException">A split is too small, the budget does not cover the baseline, a variant breaks the prompt, or the prompt file cannot be read.</exception>
    public async Task<PromptOptimizationReport> OptimizeAsync(
        PromptTemplate prompt, EvalDataset dataset, string? modelName = null, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(dataset);
        var original = ReadPromptFile(prompt.FilePath);
        var split = DatasetSplit.Create(dataset, _options);
        var instructions = BuildInstructions(prompt, original);

        var demoSources = split.Train.Where(c => c.Simulator is null && c.Turns.Count <= 1).ToList();
        long CostOf(IEnumerable<EvalCase> cases, int repeat) => cases.Sum(c => (long)(c.Simulator?.MaxTurns ?? Math.Max(1, c.Turns.Count))) * repeat;
        var bootstrapCost = _options.MaxShots > 0 ? CostOf(demoSources, 1) : 0;
        var candidateCost = CostOf(split.Validation, _runOptions.Repeat);
        var testReserve = 2 * CostOf(split.Test, _runOptions.Repeat);
        if (_options.Budget < bootstrapCost + candidateCost + testReserve)
        {
            throw new PromptOptimizationException(null, "Budget", F(
                $"a budget of {_options.Budget} model calls does not cover the bootstrap ({bootstrapCost} calls on {demoSources.Count} training cases), the baseline's validation run ({candidateCost}){(testReserve > 0 ? F($" and the test split ({testReserve})") : "")}; raise it to at least {bootstrapCost + candidateCost + testReserve}, or one more candidate at {candidateCost + bootstrapCost + candidateCost + testReserve}."));
        }

        var counted = new CallBudgetChatClient(model, _options.Budget);
        var records = new List<EvalRunRecord>();

        var demonstrations = new List<Demonstration>();
        if (bootstrapCost > 0)
        {
            progress?.Report(F($"Bootstrapping demonstrations: the prompt on {demoSources.Count} training cases."));
            var bootstrap = await new EvalRunner(new PromptEvalTarget(prompt, counted), WithRepeat(1))
                .RunAsync(demoSources, dataset.FilePath, modelName, cancellationToken: cancellationToken).ConfigureAwait(false);
            records.AddRange(bootstrap.Cases.SelectMany(c => c.Runs));
            for (var i = 0; i < demoSources.Count; i++)
            {
                var run = bootstrap.Cases[i].Runs[0];
                if (run.Passed && run.Reply.Trim().Length > 0 && DemonstrationInput(prompt, demoSources[i]) is { } input)
                {
                    demonstrations.Add(new Demonstration(demoSources[i].Id, input, run.Reply.Trim()));
                }
            }

            progress?.Report(F($"{demonstrations.Count} of {demoSources.Count} training cases passed and can be demonstrations."));
        }

        var plans = PlanCandidates(instructions, demonstrations);
        var results = new List<PromptCandidateResult>();
        var baseline = await ScoreAsync(new Plan("original+0", instructions[0], []), prompt, split.Validation, dataset.FilePath, modelName, counted, records, progress, cancellationToken).ConfigureAwait(false);
        results.Add(baseline.Result);
        var best = baseline;
        var notEvaluated = 0;
        var tooLarge = 0;
        foreach (var plan in plans)
        {
            if (counted.Calls + candidateCost + testReserve > _options.Budget)
            {
                notEvaluated++;
                continue;
            }

            if (Build(prompt, original, plan.Instruction, plan.Demonstrations) is not { } template)
            {
                tooLarge++;
                progress?.Report(F($"{plan.Id}: skipped, its file would be over the {PromptTemplate.DefaultMaxFileBytes}-byte limit for prompt files (long demonstrations)."));
                continue;
            }

            var scored = await ScoreAsync(plan, template, split.Validation, dataset.FilePath, modelName, counted, records, progress, cancellationToken).ConfigureAwait(false);
            results.Add(scored.Result);
            if (scored.Result.ValidationPassRate > best.Result.ValidationPassRate
                || (scored.Result.ValidationPassRate == best.Result.ValidationPassRate && scored.Result.Shots < best.Result.Shots && best != baseline))
            {
                best = scored;
            }
        }

        double? testBaseline = null, testBest = null;
        if (split.Test.Count > 0)
        {
            progress?.Report(F($"Scoring the original and the best candidate once on the {split.Test.Count} test cases."));
            testBaseline = (await RunAsync(prompt, split.Test, dataset.FilePath, modelName, counted, records, cancellationToken).ConfigureAwait(false)).Totals.PassRate;
            testBest = best == baseline ? testBaseline : (await RunAsync(best.Template, split.Test, dataset.FilePath, modelName, counted, records, cancellationToken).ConfigureAwait(false)).Totals.PassRate;
        }

        var report = new PromptOptimizationReport
        {
            Prompt = prompt.Name,
            SourceFile = prompt.FilePath,
            Dataset = dataset.FilePath,
            Model = modelName,
            Seed = _options.Seed,
            Repeat = _runOptions.Repeat,
            TrainCases = [.. split.Train.Select(c => c.Id)],
            ValidationCases = [.. split.Validation.Select(c => c.Id)],
            TestCases = [.. split.Test.Select(c => c.Id)],
            Budget = _options.Budget,
            CallsSpent = counted.Calls,
            ModelCalls = records.Sum(r => r.ModelCalls),
            CacheHits = records.Sum(r => r.CacheHits),
            BootstrapRuns = bootstrapCost > 0 ? demoSources.Count : 0,
            Demonstrations = demonstrations,
            Baseline = baseline.Result,
            Best = best.Result,
            Candidates = results,
            CandidatesNotEvaluated = notEvaluated,
            CandidatesTooLarge = tooLarge,
            TestBaselinePassRate = testBaseline,
            TestBestPassRate = testBest,
            ScoreNote = ScoreNote(split, testBaseline, testBest),
        };

        if (WriteBest && report.Improved)
        {
            var (path, name) = WriteVersion(prompt, original, best.Plan, report);
            report = report with { WrittenFile = path, WrittenPrompt = name };
        }

        return report;
    }

    /// <summary>The path the next version of a prompt file gets: <c>name.vN.prompty</c> beside it, N one more than the file's own (2 for an unversioned file) and not yet taken.</summary>
    /// <param name="promptFile">The original file.</param>
    /// <returns>The path and N.</returns>
    public static (string Path, int Version) NextVersionPath(string promptFile)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(promptFile);
        var folder = Path.GetDirectoryName(Path.GetFullPath(promptFile))!;
        var stem = Path.GetFileNameWithoutExtension(promptFile);
        var version = 2;
        var dot = stem.LastIndexOf(".v", StringComparison.Ordinal);
        if (dot > 0 && int.TryParse(stem.AsSpan(dot + 2), NumberStyles.None, CultureInfo.InvariantCulture, out var own))
        {
            stem = stem[..dot];
            version = own + 1;
        }

        while (File.Exists(Path.Combine(folder, F($"{stem}.v{version}{PromptTemplate.FileExtension}"))))
        {
            version++;
        }

        return (Path.Combine(folder, F($"{stem}.v{version}{PromptTemplate.FileExtension}")), version);
    }

    private static string ScoreNote(DatasetSplit split, double? testBaseline, double? testBest)
    {
        var note = F($"Scores are pass rates on the validation split ({split.Validation.Count} cases), the same cases that chose the best candidate, so the best score is optimistic; demonstrations come only from the {split.Train.Count} training cases, never from validation or test cases.");
        return testBaseline is { } b && testBest is { } t
            ? note + F($" On the held-out test split ({split.Test.Count} cases, scored once): original {Percent(b)}, best {Percent(t)}.")
            : note + " No test split was held out (--test-ratio); measure the new version on fresh cases before trusting the gain.";
    }

    private static (string Path, string Name) WriteVersion(PromptTemplate prompt, string original, Plan plan, PromptOptimizationReport report)
    {
        var (path, version) = NextVersionPath(prompt.FilePath);
        var comment = F($"Version {version} of {Path.GetFileName(prompt.FilePath)}{(prompt.Version is { } v ? $" (version {v})" : "")}, written by agentkit eval --optimize on {DateTime.UtcNow:yyyy-MM-dd}: instruction '{plan.Instruction.Id}', {plan.Demonstrations.Count} demonstration(s){(plan.Demonstrations.Count > 0 ? " from training cases " + string.Join(", ", plan.Demonstrations.Select(d => d.CaseId)) : "")}; validation pass rate {Percent(report.Baseline.ValidationPassRate)} -> {Percent(report.Best.ValidationPassRate)} on {report.ValidationCases.Count} cases (seed {report.Seed}), the split that chose it{(report.TestBestPassRate is { } t ? $"; test split {Percent(report.TestBaselinePassRate)} -> {Percent(t)}" : "")}.");
        var slash = prompt.Name.LastIndexOf('/');
        var name = (slash < 0 ? "" : prompt.Name[..(slash + 1)]) + Path.GetFileNameWithoutExtension(path);
        var text = PromptFileEditor.Compose(original, prompt.FilePath, [.. prompt.Inputs.Keys], plan.Instruction.Id == InstructionVariant.OriginalId ? null : plan.Instruction.Instruction,
            plan.Demonstrations, version.ToString(CultureInfo.InvariantCulture), comment);
        Check(PromptTemplate.Parse(text, name, path), prompt.FilePath, plan.Instruction.Id);
        try
        {
            using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            writer.Write(text);
        }
        catch (IOException e)
        {
            throw new PromptOptimizationException(path, null, $"the new version cannot be written: {e.Message}", e);
        }

        return (path, name);
    }

    private EvalRunOptions WithRepeat(int repeat) => new()
    {
        MaxParallel = _runOptions.MaxParallel,
        Repeat = repeat,
        CaseTimeout = _runOptions.CaseTimeout,
        Judge = _runOptions.Judge,
        UserSimulatorModel = _runOptions.UserSimulatorModel,
        Prompts = _runOptions.Prompts,
        Price = _runOptions.Price,
    };

    private async Task<EvalReport> RunAsync(
        PromptTemplate template, IReadOnlyList<EvalCase> cases, string datasetName, string? modelName, IChatClient counted, List<EvalRunRecord> records, CancellationToken cancellationToken)
    {
        var report = await new EvalRunner(new PromptEvalTarget(template, counted), _runOptions).RunAsync(cases, datasetName, modelName, cancellationToken: cancellationToken).ConfigureAwait(false);
        records.AddRange(report.Cases.SelectMany(c => c.Runs));
        return report;
    }

    private async Task<Scored> ScoreAsync(
        Plan plan, PromptTemplate template, IReadOnlyList<EvalCase> validation, string datasetName, string? modelName, CallBudgetChatClient counted, List<EvalRunRecord> records, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var before = counted.Calls;
        var report = await RunAsync(template, validation, datasetName, modelName, counted, records, cancellationToken).ConfigureAwait(false);
        var result = new PromptCandidateResult
        {
            Id = plan.Id,
            Instruction = plan.Instruction.Id,
            Shots = plan.Demonstrations.Count,
            ExampleCases = [.. plan.Demonstrations.Select(d => d.CaseId)],
            ValidationPassRate = report.Totals.PassRate,
            PassedRuns = report.Totals.PassedRuns,
            Runs = report.Totals.Runs,
            Calls = counted.Calls - before,
            FailedCases = [.. report.Cases.Where(c => c.PassedRuns < c.Runs.Count).Select(c => c.Id)],
        };
        progress?.Report(F($"{plan.Id}: {result.PassedRuns}/{result.Runs} validation runs passed ({Percent(result.ValidationPassRate)})."));
        return new Scored(plan, template, result);
    }

    /// <summary>The original instruction and each variant, each checked by building and linting a candidate with it.</summary>
    private List<InstructionVariant> BuildInstructions(PromptTemplate prompt, string original)
    {
        var list = new List<InstructionVariant> { new(InstructionVariant.OriginalId, PromptFileEditor.ReadInstruction(original)) };
        if (_options.MaxShots > 0)
        {
            // Before any model call: that examples can be added to this file at all.
            try
            {
                Check(Build(prompt, original, list[0], [new Demonstration("check", "input", "output")])!, prompt.FilePath, InstructionVariant.OriginalId);
            }
            catch (PromptException e)
            {
                throw new PromptOptimizationException(prompt.FilePath, null, $"few-shot examples cannot be added to this prompt ({e.Problem}); run with --max-shots 0 to try instruction variants only.", e);
            }
        }

        foreach (var variant in _options.Variants)
        {
            if (list.Any(v => string.Equals(v.Id, variant.Id, StringComparison.Ordinal)))
            {
                throw new PromptOptimizationException(_options.VariantsSource, $"variant '{variant.Id}'", "the id is used twice (or is 'original', the prompt's own instruction).");
            }

            try
            {
                var candidate = Build(prompt, original, variant, [])
                    ?? throw new PromptOptimizationException(_options.VariantsSource, $"variant '{variant.Id}'", F($"with this instruction the prompt file would be over the {PromptTemplate.DefaultMaxFileBytes}-byte limit for prompt files."));
                Check(candidate, _options.VariantsSource ?? prompt.FilePath, variant.Id);
            }
            catch (PromptException e)
            {
                throw new PromptOptimizationException(_options.VariantsSource, $"variant '{variant.Id}'", $"with this instruction the prompt {prompt.Name} does not load: {e.Problem}", e);
            }

            list.Add(variant);
        }

        return list;
    }

    private static void Check(PromptTemplate candidate, string source, string variantId)
    {
        var error = PromptLinter.Lint(candidate).FirstOrDefault(d => d.Severity == PromptDiagnosticSeverity.Error);
        if (error is not null)
        {
            throw new PromptOptimizationException(source, $"variant '{variantId}'", $"with this instruction the prompt does not pass lint: {error.Message}");
        }
    }

    /// <summary>The candidate's prompt, or <see langword="null"/> when its file would be too large for the registry to load (long demonstrations).</summary>
    private static PromptTemplate? Build(PromptTemplate prompt, string original, InstructionVariant instruction, IReadOnlyList<Demonstration> demonstrations)
    {
        var text = PromptFileEditor.Compose(original, prompt.FilePath, [.. prompt.Inputs.Keys],
            instruction.Id == InstructionVariant.OriginalId ? null : instruction.Instruction, demonstrations, null, null);
        return Encoding.UTF8.GetByteCount(text) > MaxCandidateBytes ? null : PromptTemplate.Parse(text, prompt.Name, prompt.FilePath);
    }

    /// <summary>
    /// The candidates after the baseline, in the order they are tried (so a small budget still sees each kind):
    /// each variant with no demonstrations; then, round by round, one set of 1..MaxShots demonstrations per
    /// instruction; the sets for each size are drawn with the seed and shared by all instructions.
    /// </summary>
    private List<Plan> PlanCandidates(List<InstructionVariant> instructions, List<Demonstration> demonstrations)
    {
        var plans = instructions.Skip(1).Select(i => new Plan(i.Id + "+0", i, [])).ToList();
        var maxShots = Math.Min(_options.MaxShots, demonstrations.Count);
        var random = new Random(_options.Seed);
        var sets = new Dictionary<int, List<int[]>>();
        for (var k = 1; k <= maxShots; k++)
        {
            var found = new List<int[]>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var attempt = 0; attempt < 20 * _options.ExampleSetsPerSize && found.Count < _options.ExampleSetsPerSize; attempt++)
            {
                var indices = Enumerable.Range(0, demonstrations.Count).ToArray();
                random.Shuffle(indices);
                var set = indices[..k];
                Array.Sort(set);
                if (seen.Add(string.Join(',', set)))
                {
                    found.Add(set);
                }
            }

            sets[k] = found;
        }

        for (var round = 0; round < _options.ExampleSetsPerSize; round++)
        {
            for (var k = 1; k <= maxShots; k++)
            {
                if (round >= sets[k].Count)
                {
                    continue;
                }

                foreach (var instruction in instructions)
                {
                    plans.Add(new Plan(
                        F($"{instruction.Id}+{k}{(round > 0 ? $"#{round + 1}" : "")}"),
                        instruction,
                        [.. sets[k][round].Select(i => demonstrations[i])]));
                }
            }
        }

        return plans;
    }

    private static string? DemonstrationInput(PromptTemplate prompt, EvalCase evalCase)
    {
        var messages = PromptEvalTarget.RenderFirstTurn(prompt, evalCase, evalCase.Turns.Count == 0 ? null : evalCase.Turns[0]);
        return messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text is { Length: > 0 } text ? text : null;
    }

    private static string ReadPromptFile(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PromptOptimizationException(path, null, $"the prompt file cannot be read ({e.Message}); --optimize writes a new version beside it, so it needs the file.", e);
        }
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static string Percent(double? rate) => rate is { } r ? (r * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%" : "–";

    private sealed record Plan(string Id, InstructionVariant Instruction, IReadOnlyList<Demonstration> Demonstrations);

    private sealed record Scored(Plan Plan, PromptTemplate Template, PromptCandidateResult Result);
}
