using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using AgentKit.Prompts;

namespace AgentKit.Cli.Commands;

/// <summary><c>agentkit prompts lint</c> and <c>agentkit prompts render</c>: check and preview prompt files without running a model.</summary>
internal static class PromptsCommands
{
    public static Command Create(CliContext context) => new("prompts", "Check and preview .prompty prompt files.")
    {
        CreateLint(context),
        CreateRender(context),
    };

    private static Option<string?> DirectoryOption() => new("--dir", "-d")
    {
        Description = "The prompts folder. Default: prompts/ beside agentkit, else the first prompts/ folder in the current directory or above it.",
    };

    private static Command CreateLint(CliContext context)
    {
        var dir = DirectoryOption();
        var command = new Command("lint", "Check every prompt file: YAML, Liquid syntax, declared against used inputs, and that the sample inputs render.") { dir };
        command.SetAction((parse, _) => CommandErrors.RunAsync(context, () =>
        {
            var root = Root(parse.GetValue(dir));
            var diagnostics = PromptLinter.LintDirectory(root);
            var writer = context.Out.Profile.Out.Writer;
            foreach (var d in diagnostics)
            {
                var location = d.Line > 0 ? string.Create(CultureInfo.InvariantCulture, $"{d.FilePath}:{d.Line}") : d.FilePath;
                var severity = d.Severity == PromptDiagnosticSeverity.Error ? "error" : "warning";
                writer.Write($"{location}: {severity}: {d.Message}\n");
            }

            var files = Directory.EnumerateFiles(root, "*" + PromptTemplate.FileExtension, SearchOption.AllDirectories).Count();
            var errors = diagnostics.Count(d => d.Severity == PromptDiagnosticSeverity.Error);
            writer.Write(string.Create(CultureInfo.InvariantCulture, $"{files} prompt files in {root}: {errors} errors, {diagnostics.Count - errors} warnings.\n"));
            return Task.FromResult(errors > 0 ? ExitCodes.Error : ExitCodes.Success);
        }));
        return command;
    }

    private static Command CreateRender(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "The prompt's name: its path under the prompts folder without .prompty (agents/summarize-history)." };
        var inputs = new Option<string[]>("--input", "-i")
        {
            Description = "An input as name=value; the value is read as JSON when it parses (42, true, [1,2], {\"a\":1}), else as text. Repeat for each input.",
        };
        var sample = new Option<bool>("--sample") { Description = "Start from the prompt's sample inputs; --input values replace them." };
        var dir = DirectoryOption();
        var command = new Command("render", "Render a prompt with the given inputs and print its messages by role.") { name, inputs, sample, dir };
        command.SetAction((parse, _) => CommandErrors.RunAsync(context, () =>
        {
            var root = Root(parse.GetValue(dir));
            using var registry = new PromptRegistry(new PromptRegistryOptions { RootDirectory = root, WatchForChanges = false });
            var promptName = parse.GetRequiredValue(name);
            if (!registry.TryGet(promptName, out var prompt))
            {
                // A file that exists but is broken says why, rather than "not found".
                var path = Path.Combine(registry.RootDirectory, promptName.Replace('/', Path.DirectorySeparatorChar) + PromptTemplate.FileExtension);
                throw registry.LoadErrors.FirstOrDefault(e => e.FilePath == path) ?? (Exception)new PromptNotFoundException(promptName, registry.RootDirectory, []);
            }

            var values = parse.GetValue(sample) ? new Dictionary<string, object?>(prompt.Sample, StringComparer.Ordinal) : new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var pair in parse.GetValue(inputs) ?? [])
            {
                var (key, value) = ParseInput(pair, prompt);
                values[key] = value;
            }

            var writer = context.Out.Profile.Out.Writer;
            var first = true;
            foreach (var message in prompt.Render(values))
            {
                writer.Write((first ? "" : "\n") + message.Role.Value + ":\n" + message.Text + "\n");
                first = false;
            }

            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }

    internal static (string Name, object? Value) ParseInput(string pair, PromptTemplate prompt)
    {
        var equals = pair.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            throw new PromptException($"--input '{pair}' is not name=value.");
        }

        var key = pair[..equals];
        var text = pair[(equals + 1)..];

        // A string input takes the text as typed: --input id=42 means "42" there.
        if (prompt.Inputs.TryGetValue(key, out var input) && input.Type == PromptInputType.String)
        {
            return (key, text);
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            return (key, document.RootElement.Clone());
        }
        catch (JsonException)
        {
            return (key, text);
        }
    }

    private static string Root(string? dir)
    {
        var root = dir ?? PromptRegistry.FindDefaultDirectory()
            ?? throw new PromptException("No prompts folder found beside agentkit or in the current directory or above it; pass --dir.");
        return Directory.Exists(root) ? Path.GetFullPath(root) : throw new PromptException($"The prompts folder '{root}' does not exist.");
    }
}
