namespace AgentKit.Evaluation.Datasets;

/// <summary>A dataset line that cannot be used: names the file, the line and the field.</summary>
public sealed class EvalDatasetException : Exception
{
    /// <summary>Creates the error.</summary>
    /// <param name="filePath">The dataset file.</param>
    /// <param name="line">The 1-based line.</param>
    /// <param name="field">The field (a JSON path such as <c>expect[2].pattern</c>), or <see langword="null"/> for the whole line.</param>
    /// <param name="problem">What is wrong and what to do.</param>
    /// <param name="inner">The underlying error.</param>
    public EvalDatasetException(string filePath, int line, string? field, string problem, Exception? inner = null)
        : base($"{filePath}:{line}: {(field is null ? "" : field + ": ")}{problem}", inner)
    {
        FilePath = filePath;
        Line = line;
        Field = field;
        Problem = problem;
    }

    /// <summary>The dataset file.</summary>
    public string FilePath { get; }

    /// <summary>The 1-based line.</summary>
    public int Line { get; }

    /// <summary>The field, if one is at fault.</summary>
    public string? Field { get; }

    /// <summary>What is wrong.</summary>
    public string Problem { get; }
}
