using System.CommandLine;
using System.Globalization;
using AgentKit.LlamaCpp;
using Spectre.Console;

namespace AgentKit.Cli.Commands;

/// <summary><c>agentkit models info &lt;gguf&gt;</c>: what a GGUF file holds, read without loading its weights.</summary>
internal static class ModelsInfoCommand
{
    private const int TemplateLines = 8;

    public static Command Create(CliContext context)
    {
        var file = new Argument<string>("gguf") { Description = "The GGUF model file." };
        var command = new Command("info", "Show a GGUF model's architecture, size, context length, special tokens and chat template.") { file };
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(context, async () =>
        {
            var path = parse.GetRequiredValue(file);
            using var model = await LlamaModel.LoadAsync(path, new LlamaModelOptions { VocabOnly = true }, null, cancellationToken).ConfigureAwait(false);
            context.Out.Write(Describe(model));
            return ExitCodes.Success;
        }));
        return command;
    }

    internal static Grid Describe(LlamaModel model)
    {
        var meta = model.Metadata;
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        void Row(string name, string value) => grid.AddRow(new Markup($"[bold]{name}[/]"), new Text(value));

        Row("File", model.Path);
        Row("Architecture", meta.Architecture);
        if (meta.Name is { Length: > 0 } name)
        {
            Row("Name", name);
        }

        Row("Parameters", Parameters(meta));
        Row("File size", Bytes(new FileInfo(model.Path).Length));
        if (meta.Values.TryGetValue("general.file_type", out var fileType))
        {
            Row("File type", fileType);
        }

        Row("Training context", Number(meta.TrainingContextLength) + " tokens");
        Row("Embedding size", Number(meta.EmbeddingLength));
        Row("Layers", Number(meta.LayerCount));
        Row("Attention heads", string.Create(CultureInfo.InvariantCulture, $"{meta.HeadCount} (KV {meta.KeyValueHeadCount})"));
        Row("Vocabulary", Number(model.Vocabulary.Count) + " tokens");
        Row("Special tokens", SpecialTokens(model));
        Row("Chat template", Template(meta.ChatTemplate));
        return grid;
    }

    // A vocabulary-only load leaves the tensors unread, so llama.cpp cannot count parameters; the GGUF's own
    // label (e.g. "0.5B") is the next best thing.
    private static string Parameters(LlamaModelMetadata meta)
    {
        if (meta.ParameterCount > 0)
        {
            return Scaled(meta.ParameterCount);
        }

        if (meta.Values.TryGetValue("general.size_label", out var label) && label.Length > 0)
        {
            return label;
        }

        return "unknown (not recorded in the file's metadata)";
    }

    private static string SpecialTokens(LlamaModel model)
    {
        var tokens = model.Metadata.SpecialTokens;
        var named = new (string Name, LlamaToken Token)[]
        {
            ("BOS", tokens.Bos), ("EOS", tokens.Eos), ("EOT", tokens.Eot),
            ("SEP", tokens.Separator), ("NL", tokens.Newline), ("PAD", tokens.Padding),
        };
        var parts = named
            .Where(t => t.Token != LlamaToken.Null)
            .Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Name} {t.Token.Value} {Quote(model.Vocabulary.GetTokenText(t.Token))}"));
        var text = string.Join(Environment.NewLine, parts);
        return text.Length > 0 ? text : "none";
    }

    private static string Template(string? template)
    {
        if (string.IsNullOrEmpty(template))
        {
            return "none (the file has no tokenizer.chat_template)";
        }

        var lines = template.ReplaceLineEndings("\n").Split('\n');
        var shown = string.Join(Environment.NewLine, lines.Take(TemplateLines));
        return lines.Length > TemplateLines
            ? shown + Environment.NewLine + string.Create(CultureInfo.InvariantCulture, $"… ({lines.Length - TemplateLines} more lines)")
            : shown;
    }

    private static string Quote(string text) =>
        "'" + text.Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal) + "'";

    private static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Scaled(long count) => count switch
    {
        >= 1_000_000_000 => string.Create(CultureInfo.InvariantCulture, $"{count / 1e9:0.##} B ({count:N0})"),
        >= 1_000_000 => string.Create(CultureInfo.InvariantCulture, $"{count / 1e6:0.##} M ({count:N0})"),
        _ => Number(count),
    };

    private static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.##} GiB ({bytes:N0} bytes)"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.##} MiB ({bytes:N0} bytes)"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes:N0} bytes"),
    };
}
