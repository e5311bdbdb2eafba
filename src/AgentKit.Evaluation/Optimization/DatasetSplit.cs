using System.Globalization;
using AgentKit.Evaluation.Datasets;

namespace AgentKit.Evaluation.Optimization;

/// <summary>
/// A dataset divided for prompt optimisation: demonstrations come only from <see cref="Train"/>, candidates are
/// scored only on <see cref="Validation"/>, and <see cref="Test"/> (optional) is scored once at the end.
/// </summary>
/// <param name="Train">The training cases.</param>
/// <param name="Validation">The validation cases.</param>
/// <param name="Test">The held-out test cases; empty when none are configured.</param>
public sealed record DatasetSplit(IReadOnlyList<EvalCase> Train, IReadOnlyList<EvalCase> Validation, IReadOnlyList<EvalCase> Test)
{
    /// <summary>The <c>split</c> value of training cases.</summary>
    public const string TrainName = "train";

    /// <summary>The <c>split</c> value of validation cases.</summary>
    public const string ValidationName = "validation";

    /// <summary>The <c>split</c> value of test cases.</summary>
    public const string TestName = "test";

    /// <summary>
    /// Splits the cases: a case's own <c>split</c> field wins; the others are ordered by id, shuffled with
    /// <see cref="PromptOptimizerOptions.Seed"/> and divided by <see cref="PromptOptimizerOptions.TrainFraction"/> and
    /// <see cref="PromptOptimizerOptions.TestFraction"/> (validation gets the rest).
    /// </summary>
    /// <param name="dataset">The dataset.</param>
    /// <param name="options">The fractions, the seed and the smallest split allowed.</param>
    /// <returns>The split.</returns>
    /// <exception cref="PromptOptimizationException">A case names an unknown split, or a split would be smaller than <see cref="PromptOptimizerOptions.MinSplitCases"/>.</exception>
    public static DatasetSplit Create(EvalDataset dataset, PromptOptimizerOptions options)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(options);
        if (options.TrainFraction + options.TestFraction > 1)
        {
            throw new PromptOptimizationException(null, "TrainFraction + TestFraction", F($"{options.TrainFraction} + {options.TestFraction} leaves nothing for validation; keep the sum at most 1."));
        }

        List<EvalCase> train = [], validation = [], test = [], free = [];
        foreach (var c in dataset.Cases)
        {
            var list = c.Split switch
            {
                null => free,
                TrainName => train,
                ValidationName => validation,
                TestName => test,
                _ => throw new PromptOptimizationException(c.Source, "split", $"'{c.Split}' is not a split; use {TrainName}, {ValidationName} or {TestName}, or leave it out to let the seed decide."),
            };
            list.Add(c);
        }

        var shuffled = free.OrderBy(c => c.Id, StringComparer.Ordinal).ToArray();
        new Random(options.Seed).Shuffle(shuffled);
        var testCount = (int)Math.Round(shuffled.Length * options.TestFraction, MidpointRounding.AwayFromZero);
        var trainCount = Math.Min(shuffled.Length - testCount, (int)Math.Round(shuffled.Length * options.TrainFraction, MidpointRounding.AwayFromZero));
        test.AddRange(shuffled.Take(testCount));
        train.AddRange(shuffled.Skip(testCount).Take(trainCount));
        validation.AddRange(shuffled.Skip(testCount + trainCount));

        var split = new DatasetSplit(InFileOrder(train, dataset), InFileOrder(validation, dataset), InFileOrder(test, dataset));
        Check(dataset, options, TrainName, split.Train.Count, "--train-ratio");
        Check(dataset, options, ValidationName, split.Validation.Count, "--train-ratio and --test-ratio");
        if (options.TestFraction > 0 || split.Test.Count > 0)
        {
            Check(dataset, options, TestName, split.Test.Count, "--test-ratio");
        }

        return split;
    }

    private static List<EvalCase> InFileOrder(List<EvalCase> cases, EvalDataset dataset)
    {
        var order = new Dictionary<EvalCase, int>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < dataset.Cases.Count; i++)
        {
            order[dataset.Cases[i]] = i;
        }

        return [.. cases.OrderBy(c => order[c])];
    }

    private static void Check(EvalDataset dataset, PromptOptimizerOptions options, string split, int count, string lever)
    {
        if (count < options.MinSplitCases)
        {
            throw new PromptOptimizationException(dataset.FilePath, null, F(
                $"the {split} split would have {count} case(s) of {dataset.Cases.Count} (train fraction {options.TrainFraction}, test fraction {options.TestFraction}, seed {options.Seed}; cases with a 'split' field keep it); it needs at least {options.MinSplitCases}: add cases, change {lever}, or lower --min-split."));
        }
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
