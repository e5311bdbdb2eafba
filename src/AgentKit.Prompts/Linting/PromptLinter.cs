namespace AgentKit.Prompts;

/// <summary>How serious a lint finding is.</summary>
public enum PromptDiagnosticSeverity
{
    /// <summary>Worth a look; the prompt still works (an input declared but never used).</summary>
    Warning,

    /// <summary>The prompt fails to load or to render.</summary>
    Error,
}

/// <summary>A finding of <see cref="PromptLinter"/>.</summary>
/// <param name="FilePath">The prompt file.</param>
/// <param name="Line">The 1-based line in the file; 0 when none applies.</param>
/// <param name="Severity">Warning or error.</param>
/// <param name="Message">What is wrong and what to do.</param>
/// <param name="InputName">The input or variable involved, if any.</param>
public sealed record PromptDiagnostic(string FilePath, int Line, PromptDiagnosticSeverity Severity, string Message, string? InputName);

/// <summary>
/// Checks prompt files beyond loading them: variables the template reads but the file does not declare (errors),
/// inputs declared but never read (warnings), and that the <c>sample</c> inputs render.
/// </summary>
public static class PromptLinter
{
    /// <summary>Lints every <c>.prompty</c> file under a folder.</summary>
    /// <param name="rootDirectory">The prompts folder, searched recursively.</param>
    /// <param name="maxFileBytes">The largest file accepted.</param>
    /// <returns>The findings, by file then line.</returns>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public static IReadOnlyList<PromptDiagnostic> LintDirectory(string rootDirectory, long maxFileBytes = PromptTemplate.DefaultMaxFileBytes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(rootDirectory);
        var root = Path.GetFullPath(rootDirectory);
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"The prompts folder '{root}' does not exist.");
        }

        var diagnostics = new List<PromptDiagnostic>();
        foreach (var path in Directory.EnumerateFiles(root, "*" + PromptTemplate.FileExtension, SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            try
            {
                diagnostics.AddRange(Lint(PromptTemplate.Load(path, PromptNames.FromPath(root, path), maxFileBytes)));
            }
            catch (PromptException e)
            {
                diagnostics.Add(FromException(e));
            }
        }

        return diagnostics;
    }

    /// <summary>Lints one parsed prompt.</summary>
    /// <param name="prompt">The prompt.</param>
    /// <returns>The findings, by line.</returns>
    public static IReadOnlyList<PromptDiagnostic> Lint(PromptTemplate prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var diagnostics = new List<PromptDiagnostic>();
        foreach (var variable in prompt.TemplateVariables.Where(v => !prompt.Inputs.ContainsKey(v)))
        {
            diagnostics.Add(new PromptDiagnostic(
                prompt.FilePath, prompt.FindVariableLine(variable), PromptDiagnosticSeverity.Error,
                $"the template reads '{variable}', which is not a declared input: declare it under 'inputs' or fix its spelling.", variable));
        }

        foreach (var input in prompt.Inputs.Values.Where(i => !prompt.TemplateVariables.Contains(i.Name)))
        {
            diagnostics.Add(new PromptDiagnostic(
                prompt.FilePath, input.Line, PromptDiagnosticSeverity.Warning,
                $"the input '{input.Name}' is declared but the template never reads it.", input.Name));
        }

        if (prompt.Sample.Count > 0 && diagnostics.All(d => d.Severity != PromptDiagnosticSeverity.Error))
        {
            try
            {
                prompt.Render(prompt.Sample);
            }
            catch (PromptException e)
            {
                diagnostics.Add(FromException(e) with { Message = "the sample inputs do not render: " + e.Problem });
            }
        }

        return diagnostics.OrderBy(d => d.Line).ToList();
    }

    private static PromptDiagnostic FromException(PromptException e) =>
        new(e.FilePath, e.Line, PromptDiagnosticSeverity.Error, e.Problem.Length > 0 ? e.Problem : e.Message, e.InputName);
}
