using System.Text.Json;
using System.Text.Json.Serialization;
using AgentKit.Evaluation.Expectations;

namespace AgentKit.Evaluation.Reports;

/// <summary>One run of one case.</summary>
public sealed record EvalRunRecord
{
    /// <summary>The run's repeat index (0-based).</summary>
    public required int Repeat { get; init; }

    /// <summary>Whether every expectation and end-state check held and no turn failed.</summary>
    public required bool Passed { get; init; }

    /// <summary>Each expectation's and end-state check's result.</summary>
    public required IReadOnlyList<ExpectationResult> Results { get; init; }

    /// <summary>A turn that did not complete, or an exception, or <see langword="null"/>.</summary>
    public string? Error { get; init; }

    /// <summary>The run's wall time, in milliseconds.</summary>
    public required double LatencyMs { get; init; }

    /// <summary>Time inside model calls, in milliseconds (simulator and judge included).</summary>
    public required double ModelMs { get; init; }

    /// <summary>Model calls that reached a model.</summary>
    public required long ModelCalls { get; init; }

    /// <summary>Model calls answered from the response cache.</summary>
    public required long CacheHits { get; init; }

    /// <summary>Input tokens.</summary>
    public required long InputTokens { get; init; }

    /// <summary>Output tokens.</summary>
    public required long OutputTokens { get; init; }

    /// <summary>The price of those tokens, when a price was given.</summary>
    public decimal? Cost { get; init; }

    /// <summary>User turns sent.</summary>
    public required int Turns { get; init; }

    /// <summary>The last reply.</summary>
    public required string Reply { get; init; }
}

/// <summary>One case over its runs.</summary>
public sealed record EvalCaseReport
{
    /// <summary>The case's id.</summary>
    public required string Id { get; init; }

    /// <summary>Its group.</summary>
    public required string Group { get; init; }

    /// <summary>Its split, if any.</summary>
    public string? Split { get; init; }

    /// <summary>Where it was read from.</summary>
    public required string Source { get; init; }

    /// <summary>The runs.</summary>
    public required IReadOnlyList<EvalRunRecord> Runs { get; init; }

    /// <summary>Runs that passed.</summary>
    public int PassedRuns => Runs.Count(r => r.Passed);

    /// <summary>Passed runs over runs.</summary>
    public double SuccessRate => Runs.Count == 0 ? 0 : (double)PassedRuns / Runs.Count;

    /// <summary>The success rate's 95% Wilson interval.</summary>
    public double[] Interval
    {
        get
        {
            var (low, high) = WilsonInterval.Compute(PassedRuns, Runs.Count);
            return [low, high];
        }
    }
}

/// <summary>Totals of a group of cases (or of all).</summary>
/// <param name="Cases">Cases.</param>
/// <param name="Runs">Runs.</param>
/// <param name="PassedRuns">Runs that passed.</param>
/// <param name="PassRate">Passed runs over runs.</param>
/// <param name="Low">The pass rate's 95% Wilson interval, lower bound.</param>
/// <param name="High">Upper bound.</param>
public sealed record EvalTotals(int Cases, int Runs, int PassedRuns, double PassRate, double Low, double High)
{
    internal static EvalTotals Of(IEnumerable<EvalCaseReport> cases)
    {
        var list = cases.ToList();
        var runs = list.Sum(c => c.Runs.Count);
        var passed = list.Sum(c => c.PassedRuns);
        var (low, high) = WilsonInterval.Compute(passed, runs);
        return new EvalTotals(list.Count, runs, passed, runs == 0 ? 0 : (double)passed / runs, low, high);
    }
}

/// <summary>A dataset's run: every case's runs, totals per group, and the metrics baselines compare.</summary>
public sealed record EvalReport
{
    /// <summary>The report format's version.</summary>
    public int FormatVersion { get; init; } = 1;

    /// <summary>The dataset file.</summary>
    public required string Dataset { get; init; }

    /// <summary>What ran (<c>agent shopbot</c>, <c>prompt rag/answer</c>).</summary>
    public required string Target { get; init; }

    /// <summary>The model under test, as configured.</summary>
    public string? Model { get; init; }

    /// <summary>The judge model, if any.</summary>
    public string? Judge { get; init; }

    /// <summary>When the run started.</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>The whole run's wall time, in milliseconds.</summary>
    public required double DurationMs { get; init; }

    /// <summary>Runs per case.</summary>
    public required int Repeat { get; init; }

    /// <summary>The cases, in dataset order.</summary>
    public required IReadOnlyList<EvalCaseReport> Cases { get; init; }

    /// <summary>Totals over all cases.</summary>
    public EvalTotals Totals => EvalTotals.Of(Cases);

    /// <summary>Totals per group, by group name.</summary>
    public IReadOnlyDictionary<string, EvalTotals> Groups =>
        Cases.GroupBy(c => c.Group, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => EvalTotals.Of(g), StringComparer.Ordinal);

    /// <summary>
    /// The metrics a baseline comparison uses, each 0–1 where higher is better: <c>pass_rate</c>,
    /// <c>pass_rate/GROUP</c>, and <c>judge/METRIC</c> (mean judge score, 1–5 mapped to 0–1).
    /// </summary>
    public IReadOnlyDictionary<string, double> Metrics
    {
        get
        {
            var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal) { ["pass_rate"] = Totals.PassRate };
            foreach (var (group, totals) in Groups)
            {
                metrics["pass_rate/" + group] = totals.PassRate;
            }

            foreach (var scores in Cases.SelectMany(c => c.Runs).SelectMany(r => r.Results).Where(r => r.Metric is not null && r.Score is not null).GroupBy(r => r.Metric!, StringComparer.Ordinal))
            {
                metrics["judge/" + scores.Key] = scores.Average(s => s.Score!.Value);
            }

            return metrics;
        }
    }

    /// <summary>Mean time per run spent outside model calls (the runner, the target's tools, checks), in milliseconds.</summary>
    public double MeanOverheadMs
    {
        get
        {
            var runs = Cases.SelectMany(c => c.Runs).ToList();
            return runs.Count == 0 ? 0 : runs.Average(r => r.LatencyMs - r.ModelMs);
        }
    }

    /// <summary>The JSON options reports are written and read with (snake_case).</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Writes the report as JSON.</summary>
    /// <param name="path">The file; its folder is created.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the file is written.</returns>
    public Task WriteJsonAsync(string path, CancellationToken cancellationToken = default) => WriteJsonAsync(path, this, cancellationToken);

    /// <summary>Writes a report object as JSON with <see cref="JsonOptions"/>, creating the file's folder.</summary>
    internal static async Task WriteJsonAsync<T>(string path, T report, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await using var stream = File.Create(path);
        await JsonSerializer.SerializeAsync(stream, report, JsonOptions, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a report JSON file, for a baseline: only the metrics and cases are needed.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The baseline.</returns>
    /// <exception cref="EvalBaselineException">The file is missing or not a report.</exception>
    public static EvalBaseline ReadBaseline(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new EvalBaselineException(path, "the baseline file does not exist.");
        }

        try
        {
            using var stream = File.OpenRead(path);
            using var document = JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 64 });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("metrics", out var metrics) || metrics.ValueKind != JsonValueKind.Object)
            {
                throw new EvalBaselineException(path, "not an 'agentkit eval' JSON report: it has no 'metrics' object.");
            }

            var values = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var p in metrics.EnumerateObject())
            {
                values[p.Name] = p.Value.ValueKind == JsonValueKind.Number ? p.Value.GetDouble() : throw new EvalBaselineException(path, $"metrics.{p.Name} is not a number.");
            }

            var passed = new Dictionary<string, double>(StringComparer.Ordinal);
            if (root.TryGetProperty("cases", out var cases) && cases.ValueKind == JsonValueKind.Array)
            {
                foreach (var c in cases.EnumerateArray())
                {
                    if (c.TryGetProperty("id", out var id) && c.TryGetProperty("success_rate", out var rate) && rate.ValueKind == JsonValueKind.Number)
                    {
                        passed[id.GetString() ?? ""] = rate.GetDouble();
                    }
                }
            }

            return new EvalBaseline(path, values, passed);
        }
        catch (JsonException e)
        {
            throw new EvalBaselineException(path, $"not valid JSON: {e.Message}");
        }
    }
}

/// <summary>A previous run's metrics and per-case success rates.</summary>
/// <param name="Path">The file it came from.</param>
/// <param name="Metrics">The metrics.</param>
/// <param name="CaseSuccessRates">Success rate per case id.</param>
public sealed record EvalBaseline(string Path, IReadOnlyDictionary<string, double> Metrics, IReadOnlyDictionary<string, double> CaseSuccessRates);

/// <summary>A baseline report that cannot be read.</summary>
/// <param name="path">The file.</param>
/// <param name="problem">What is wrong.</param>
public sealed class EvalBaselineException(string path, string problem) : Exception($"{path}: {problem}")
{
    /// <summary>The file.</summary>
    public string FilePath { get; } = path;
}
