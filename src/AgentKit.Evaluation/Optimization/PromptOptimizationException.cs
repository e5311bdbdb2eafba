namespace AgentKit.Evaluation.Optimization;

/// <summary>
/// Prompt optimisation cannot start or cannot write its result: a split that would be too small, a budget that does
/// not cover the baseline, a malformed variants file, an instruction variant that breaks the prompt. Names the file
/// (or dataset case) and the field or option at fault.
/// </summary>
public sealed class PromptOptimizationException : Exception
{
    /// <summary>Creates the error.</summary>
    /// <param name="source">The file, or <c>file:line</c> of a dataset case, at fault; <see langword="null"/> when an option is.</param>
    /// <param name="field">The field or option (<c>[2].instruction</c>, <c>split</c>, <c>Budget</c>), or <see langword="null"/>.</param>
    /// <param name="problem">What is wrong and what to do.</param>
    /// <param name="inner">The underlying error.</param>
    public PromptOptimizationException(string? source, string? field, string problem, Exception? inner = null)
        : base($"{(source is null ? "" : source + ": ")}{(field is null ? "" : field + ": ")}{problem}", inner)
    {
        FilePath = source;
        Field = field;
        Problem = problem;
    }

    /// <summary>The file or dataset case at fault, if any.</summary>
    public string? FilePath { get; }

    /// <summary>The field or option at fault, if any.</summary>
    public string? Field { get; }

    /// <summary>What is wrong.</summary>
    public string Problem { get; }
}
