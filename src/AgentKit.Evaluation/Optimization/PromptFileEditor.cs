using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace AgentKit.Evaluation.Optimization;

/// <summary>
/// Writes a candidate of a prompt file as text: the original front matter and body, with the first system section
/// (the instruction) replaced by a variant, and demonstrations as an <c>array</c> input whose default holds them and
/// a Liquid loop that renders each as a <c>user:</c> / <c>assistant:</c> pair right after the instruction. The
/// demonstrations are data, not template text, so a reply holding <c>{{</c> or a line <c>user:</c> stays text.
/// </summary>
internal static partial class PromptFileEditor
{
    /// <summary>The input the demonstrations go in; a suffix is added when the prompt already declares it.</summary>
    public const string DemonstrationsInput = "demonstrations";

    /// <summary>Composes a candidate's file text.</summary>
    /// <param name="original">The original file's text.</param>
    /// <param name="source">The original file, for errors.</param>
    /// <param name="declaredInputs">The inputs the original declares.</param>
    /// <param name="instruction">The new first system section, or <see langword="null"/> to keep the original's.</param>
    /// <param name="demonstrations">The demonstrations; none leaves the body's messages as they are.</param>
    /// <param name="version">A new front matter <c>version</c>, or <see langword="null"/> to keep it.</param>
    /// <param name="headerComment">A YAML comment line put first in the front matter, or <see langword="null"/>.</param>
    /// <returns>The text.</returns>
    public static string Compose(
        string original, string source, IReadOnlyCollection<string> declaredInputs, string? instruction, IReadOnlyList<Demonstration> demonstrations, string? version, string? headerComment)
    {
        var lines = original.TrimStart('\uFEFF').ReplaceLineEndings("\n").Split('\n').ToList();
        List<string> header = [];
        var bodyStart = 0;
        if (lines.Count > 0 && lines[0].TrimEnd() == "---")
        {
            var close = lines.FindIndex(1, l => l.TrimEnd() == "---");
            if (close < 0)
            {
                throw new PromptOptimizationException(source, null, "the front matter opened by '---' on line 1 is never closed.");
            }

            header = lines[1..close];
            bodyStart = close + 1;
        }

        var body = lines[bodyStart..];
        var inputName = DemonstrationsInput;
        for (var n = 2; declaredInputs.Contains(inputName); n++)
        {
            inputName = DemonstrationsInput + "_" + n.ToString(CultureInfo.InvariantCulture);
        }

        if (demonstrations.Count > 0)
        {
            AddDemonstrationsInput(header, source, inputName, demonstrations);
        }

        if (version is not null)
        {
            SetVersion(header, version);
        }

        if (headerComment is not null)
        {
            header.Insert(0, "# " + headerComment.ReplaceLineEndings(" "));
        }

        var text = new StringBuilder();
        text.Append("---\n");
        foreach (var line in header)
        {
            text.Append(line).Append('\n');
        }

        text.Append("---\n");
        text.Append(ComposeBody(body, instruction, demonstrations.Count > 0 ? inputName : null));
        return text.ToString();
    }

    /// <summary>The text of the first system section (before the first user or assistant line), trimmed; empty when the body starts with another role.</summary>
    public static string ReadInstruction(string original)
    {
        var lines = original.TrimStart('\uFEFF').ReplaceLineEndings("\n").Split('\n').ToList();
        var bodyStart = 0;
        if (lines.Count > 0 && lines[0].TrimEnd() == "---")
        {
            bodyStart = lines.FindIndex(1, l => l.TrimEnd() == "---") + 1;
        }

        var (start, end) = InstructionRange(lines[bodyStart..]);
        return string.Join('\n', lines[(bodyStart + start)..(bodyStart + end)]).Trim();
    }

    private static string ComposeBody(List<string> body, string? instruction, string? demonstrationsInput)
    {
        var (_, end) = InstructionRange(body);
        var text = new StringBuilder();
        if (instruction is null)
        {
            foreach (var line in body[..end])
            {
                text.Append(line).Append('\n');
            }
        }
        else
        {
            text.Append("system:\n").Append(instruction.ReplaceLineEndings("\n").Trim()).Append("\n\n");
        }

        if (demonstrationsInput is not null)
        {
            // Role lines inside the loop open one message each per demonstration (docs/prompts.md, few-shot examples).
            text.Append("{% for demo in ").Append(demonstrationsInput).Append(" %}\n")
                .Append("user:\n{{ demo.input }}\nassistant:\n{{ demo.output }}\n{% endfor %}\n");
        }

        text.AppendJoin('\n', body[end..]);
        return text.ToString();
    }

    /// <summary>Body lines [start, end) of the first system section's text; end is the first user/assistant role line (or the first role line after it).</summary>
    private static (int Start, int End) InstructionRange(List<string> body)
    {
        var first = body.FindIndex(l => l.Trim().Length > 0);
        if (first < 0)
        {
            return (body.Count, body.Count);
        }

        var role = RoleLine().Match(body[first]);
        var start = first;
        if (role.Success)
        {
            if (!role.Groups["role"].Value.Equals("system", StringComparison.OrdinalIgnoreCase))
            {
                return (first, first);
            }

            start = first + 1;
        }

        var end = body.FindIndex(start, l => RoleLine().IsMatch(l));
        end = end < 0 ? body.Count : end;
        return (start, Math.Max(start, FirstUnclosedBlockLine(body, start, end) ?? end));
    }

    /// <summary>
    /// The line where a Liquid block left open before the first role line starts (a <c>{% for %}</c> whose body holds
    /// the prompt's own examples): the instruction ends before it, so that a new instruction or the demonstrations'
    /// loop never cuts a block in two.
    /// </summary>
    private static int? FirstUnclosedBlockLine(List<string> body, int start, int end)
    {
        var open = new Stack<int>();
        for (var i = start; i < end; i++)
        {
            foreach (Match tag in BlockTag().Matches(body[i]))
            {
                var name = tag.Groups["name"].Value;
                if (name.StartsWith("end", StringComparison.Ordinal))
                {
                    open.TryPop(out _);
                }
                else if (name is "for" or "if" or "unless" or "case" or "capture" or "raw" or "comment" or "tablerow")
                {
                    open.Push(i);
                }
            }
        }

        return open.Count == 0 ? null : open.Min();
    }

    private static void AddDemonstrationsInput(List<string> header, string source, string inputName, IReadOnlyList<Demonstration> demonstrations)
    {
        var inputsLine = header.FindIndex(l => InputsKey().IsMatch(l));
        string indent;
        if (inputsLine < 0)
        {
            header.Add("inputs:");
            inputsLine = header.Count - 1;
            indent = "  ";
        }
        else
        {
            var rest = InputsKey().Match(header[inputsLine]).Groups["rest"].Value.Trim();
            if (rest.Length > 0 && !rest.StartsWith('#'))
            {
                throw new PromptOptimizationException(source, "inputs", "the inputs are written inline (flow style); write them as an indented block so that demonstrations can be added as an input.");
            }

            var child = header.Skip(inputsLine + 1).FirstOrDefault(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith('#'));
            var width = child is null ? 0 : child.Length - child.TrimStart().Length;
            indent = width > 0 ? child![..width] : "  ";
        }

        var block = new List<string>
        {
            $"{indent}{inputName}:",
            $"{indent}{indent}type: array",
            $"{indent}{indent}description: {Quote($"Few-shot examples chosen by agentkit eval --optimize from the training cases {string.Join(", ", demonstrations.Select(d => d.CaseId))}.")}",
            $"{indent}{indent}default:",
        };
        foreach (var d in demonstrations)
        {
            block.Add($"{indent}{indent}{indent}- input: {Quote(d.Input)}");
            block.Add($"{indent}{indent}{indent}  output: {Quote(d.Output)}");
        }

        header.InsertRange(inputsLine + 1, block);
    }

    private static void SetVersion(List<string> header, string version)
    {
        var line = header.FindIndex(l => VersionKey().IsMatch(l));
        if (line < 0)
        {
            header.Add("version: " + Quote(version));
        }
        else
        {
            header[line] = "version: " + Quote(version);
        }
    }

    /// <summary>A YAML double-quoted scalar: backslash, quote and control characters escaped, everything else as is.</summary>
    internal static string Quote(string text)
    {
        var quoted = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            _ = c switch
            {
                '\\' => quoted.Append(@"\\"),
                '"' => quoted.Append("\\\""),
                '\n' => quoted.Append(@"\n"),
                '\r' => quoted.Append(@"\r"),
                '\t' => quoted.Append(@"\t"),
                _ when c < 0x20 || c is >= '\u007F' and <= '\u009F' => quoted.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:X2}"),
                _ when char.IsSurrogate(c) => quoted.Append(c),
                _ when c is '\uFEFF' or '\uFFFE' or '\uFFFF' => quoted.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}"),
                _ => quoted.Append(c),
            };
        }

        return quoted.Append('"').ToString();
    }

    // The same role lines as AgentKit.Prompts' body parser: a line holding only system:, user: or assistant:.
    [GeneratedRegex(@"^[ \t]*(?<role>system|user|assistant)[ \t]*:[ \t]*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex RoleLine();

    [GeneratedRegex(@"\{%-?\s*(?<name>[a-z]+)", RegexOptions.CultureInvariant)]
    private static partial Regex BlockTag();

    [GeneratedRegex(@"^inputs[ \t]*:(?<rest>.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex InputsKey();

    [GeneratedRegex(@"^version[ \t]*:", RegexOptions.CultureInvariant)]
    private static partial Regex VersionKey();
}
