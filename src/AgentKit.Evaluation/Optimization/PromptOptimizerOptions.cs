namespace AgentKit.Evaluation.Optimization;

/// <summary>How <see cref="PromptOptimizer"/> splits the dataset, what it tries and how many model calls it may spend.</summary>
public sealed class PromptOptimizerOptions
{
    private int _budget = 200;
    private int _maxShots = 3;
    private int _exampleSetsPerSize = 2;
    private double _trainFraction = 0.5;
    private double _testFraction;
    private int _minSplitCases = 2;

    /// <summary>
    /// The most calls the optimiser sends to the model under test (bootstrap, every candidate's validation runs, the
    /// test split), 1–1,000,000. Default 200. A candidate starts only when its worst case fits in what is left;
    /// calls answered by a response cache count too, so the same budget makes the same search whatever is cached.
    /// </summary>
    public int Budget
    {
        get => _budget;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 1_000_000);
            _budget = value;
        }
    }

    /// <summary>The most demonstrations (few-shot examples) a candidate gets, 0–16. Default 3; 0 tries instruction variants only.</summary>
    public int MaxShots
    {
        get => _maxShots;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 0);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 16);
            _maxShots = value;
        }
    }

    /// <summary>Different random sets of demonstrations tried for each number of shots and instruction, 1–32. Default 2.</summary>
    public int ExampleSetsPerSize
    {
        get => _exampleSetsPerSize;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 32);
            _exampleSetsPerSize = value;
        }
    }

    /// <summary>The seed of the split and of the choice of demonstration sets. Default 0: the same dataset and seed give the same split and candidates.</summary>
    public int Seed { get; set; }

    /// <summary>The share of cases without a <c>split</c> field that go to training (0–1). Default 0.5.</summary>
    public double TrainFraction
    {
        get => _trainFraction;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 0);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 1);
            _trainFraction = value;
        }
    }

    /// <summary>The share of cases without a <c>split</c> field held out as a test split (0–1), scored once for the baseline and the best candidate. Default 0 (no test split).</summary>
    public double TestFraction
    {
        get => _testFraction;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 0);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 1);
            _testFraction = value;
        }
    }

    /// <summary>The fewest cases the training and validation splits (and a test split, when there is one) may have, 1–1000. Default 2.</summary>
    public int MinSplitCases
    {
        get => _minSplitCases;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 1000);
            _minSplitCases = value;
        }
    }

    /// <summary>Instructions to try instead of the prompt's own first system section (see <see cref="InstructionVariant.Load"/>). Default none.</summary>
    public IReadOnlyList<InstructionVariant> Variants { get; set; } = [];

    /// <summary>Where <see cref="Variants"/> came from, for error messages; <see langword="null"/> when built in code.</summary>
    public string? VariantsSource { get; set; }
}
