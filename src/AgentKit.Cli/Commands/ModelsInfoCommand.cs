using System.CommandLine;
using System.Globalization;
using System.Text;
using AgentKit.LlamaCpp;
using AgentKit.LlamaCpp.Gguf;

namespace AgentKit.Cli.Commands;

/// <summary><c>agentkit models info &lt;gguf&gt;</c>: what a GGUF file holds, read without loading its weights.</summary>
internal static class ModelsInfoCommand
{
    private const int TemplateLines = 8;
    private const int LabelWidth = 18;

    public static Command Create(CliContext context)
    {
        var file = new Argument<string>("gguf") { Description = "The GGUF model file." };
        var command = new Command("info", "Show a GGUF model's architecture, size, context length, special tokens and chat template.") { file };
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(context, async () =>
        {
            var path = parse.GetRequiredValue(file);
            using var model = await LlamaModel.LoadAsync(path, new LlamaModelOptions { VocabOnly = true }, null, cancellationToken).ConfigureAwait(false);
            var gguf = GgufReader.Read(model.Path);
            context.Out.Profile.Out.Writer.Write(Describe(model, gguf));
            return ExitCodes.Success;
        }));
        return command;
    }

    internal static string Describe(LlamaModel model, GgufFile gguf)
    {
        var meta = model.Metadata;
        var text = new StringBuilder();
        void Row(string name, string value)
        {
            var lines = value.ReplaceLineEndings("\n").Split('\n');
            text.Append(name.PadRight(LabelWidth)).Append(lines[0]).Append('\n');
            foreach (var line in lines.Skip(1))
            {
                text.Append(' ', LabelWidth).Append(line).Append('\n');
            }
        }

        Row("File", model.Path);
        Row("Architecture", meta.Architecture);
        if (meta.Name is { Length: > 0 } name)
        {
            Row("Name", name);
        }

        // A vocabulary-only load leaves the tensors unread, so the count comes from the GGUF tensor table.
        var parameters = gguf.Tensors.Sum(t => t.ElementCount);
        Row("Parameters", parameters > 0 ? Scaled(parameters) : "none (vocabulary only)");
        Row("File size", Bytes(gguf.FileSize));
        if (meta.Values.TryGetValue("general.file_type", out var fileType))
        {
            Row("Quantization", FileTypeName(fileType));
        }

        // llama.cpp skips the hyperparameters in a vocabulary-only load; the GGUF keys hold them.
        string Key(string suffix) => meta.Values.GetValueOrDefault($"{meta.Architecture}.{suffix}") ?? "unknown";
        Row("Training context", Key("context_length") + " tokens");
        Row("Embedding size", Key("embedding_length"));
        Row("Layers", Key("block_count"));
        Row("Attention heads", $"{Key("attention.head_count")} (KV {Key("attention.head_count_kv")})");
        Row("Vocabulary", Number(model.Vocabulary.Count) + " tokens");
        Row("Special tokens", SpecialTokens(model));
        Row("Chat template", Template(meta.ChatTemplate));
        return text.ToString();
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
            .Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Name,-3} {t.Token.Value,7} {Quote(model.Vocabulary.GetTokenText(t.Token))}"));
        var text = string.Join('\n', parts);
        return text.Length > 0 ? text : "none";
    }

    private static string Template(string? template)
    {
        if (string.IsNullOrEmpty(template))
        {
            return "none (the file has no tokenizer.chat_template)";
        }

        var lines = template.ReplaceLineEndings("\n").Split('\n');
        var shown = string.Join('\n', lines.Take(TemplateLines));
        return lines.Length > TemplateLines
            ? shown + "\n" + string.Create(CultureInfo.InvariantCulture, $"… ({lines.Length - TemplateLines} more lines)")
            : shown;
    }

    // llama.h's llama_ftype, the values GGUF files record in general.file_type.
    private static string FileTypeName(string value) => value switch
    {
        "0" => "F32",
        "1" => "F16",
        "2" => "Q4_0",
        "3" => "Q4_1",
        "7" => "Q8_0",
        "8" => "Q5_0",
        "9" => "Q5_1",
        "10" => "Q2_K",
        "11" => "Q3_K_S",
        "12" => "Q3_K_M",
        "13" => "Q3_K_L",
        "14" => "Q4_K_S",
        "15" => "Q4_K_M",
        "16" => "Q5_K_S",
        "17" => "Q5_K_M",
        "18" => "Q6_K",
        "30" => "IQ4_XS",
        "32" => "BF16",
        _ => "type " + value,
    };

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
