using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.RegularExpressions;
using Fluid;
using Fluid.Values;
using Microsoft.Extensions.AI;

namespace AgentKit.Prompts.Rendering;

/// <summary>
/// The body of a prompt file: one Liquid template whose <c>system:</c> / <c>user:</c> / <c>assistant:</c> lines
/// split the rendered text into chat messages.
/// </summary>
/// <remarks>
/// Role lines are replaced, before parsing, by a marker holding a random nonce, and the rendered text is split at
/// those markers. So a loop can emit several roles (few-shot examples), while an input value holding a line
/// <c>system:</c> stays text in its message: it cannot open a section.
/// </remarks>
internal sealed partial class PromptBody
{
    /// <summary>Most characters a rendering may produce.</summary>
    public const int MaxRenderedChars = 1 << 20;

    private const int MaxSteps = 1_000_000;

    private static readonly FluidParser Parser = new();
    private static readonly TemplateOptions Options = CreateOptions();

    private readonly IFluidTemplate _template;
    private readonly string _marker;
    private readonly string _source;
    private readonly int _lineOffset;
    private readonly string _filePath;

    private PromptBody(IFluidTemplate template, string marker, string source, int lineOffset, string filePath)
    {
        _template = template;
        _marker = marker;
        _source = source;
        _lineOffset = lineOffset;
        _filePath = filePath;
        Variables = TemplateVariables.Collect(template);
    }

    /// <summary>Root variables the template reads and does not define itself (loop variables, assign, capture).</summary>
    public IReadOnlyCollection<string> Variables { get; }

    /// <summary>Parses the body; <paramref name="lineOffset"/> is the number of file lines before it.</summary>
    public static PromptBody Parse(string body, int lineOffset, string filePath)
    {
        var marker = "\u001F" + Guid.NewGuid().ToString("N") + ":";
        var source = RoleLine().Replace(body, m => marker + m.Groups["role"].Value.ToLowerInvariant() + "\u001F");
        LiquidComplexity.Check(source, lineOffset, filePath);
        if (!Parser.TryParse(source, out var template, out var error))
        {
            var (line, problem) = SplitFluidError(error);
            throw new PromptException($"Liquid syntax error: {problem}", filePath, line > 0 ? line + lineOffset : 0);
        }

        return new PromptBody(template, marker, body, lineOffset, filePath);
    }

    /// <summary>The 1-based file line where <paramref name="name"/> is first read in a Liquid tag or output; 0 if none.</summary>
    public int FindLine(string name) => FindInLiquid(@"(?<![\w.\-])" + Regex.Escape(name) + @"(?![\w\-])");

    /// <summary>The 1-based file line where a map key <paramref name="member"/> is first read (<c>.key</c> or <c>['key']</c>); 0 if none.</summary>
    public int FindMemberLine(string member) =>
        FindInLiquid(@"\.\s*" + Regex.Escape(member) + @"(?![\w\-])|\[\s*['""]" + Regex.Escape(member) + @"['""]\s*\]");

    private int FindInLiquid(string pattern)
    {
        var word = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        foreach (Match block in LiquidBlock().Matches(_source))
        {
            var hit = word.Match(block.Value);
            if (hit.Success)
            {
                return _lineOffset + 1 + _source.AsSpan(0, block.Index + hit.Index).Count('\n');
            }
        }

        return 0;
    }

    public List<ChatMessage> Render(IReadOnlyDictionary<string, FluidValue> values)
    {
        var context = new TemplateContext(Options);
        foreach (var (name, value) in values)
        {
            context.SetValue(name, value);
        }

        // Declared inputs are always set (nil when absent); anything else read at the root is undefined.
        context.Undefined = name => throw new UndefinedVariableException(name);
        using var writer = new BoundedWriter(MaxRenderedChars);
        try
        {
            // Nothing in a prompt awaits (no includes, no I/O), so the render completes synchronously.
            var rendering = _template.RenderAsync(writer, NullEncoder.Default, context);
            if (!rendering.IsCompletedSuccessfully)
            {
                rendering.AsTask().GetAwaiter().GetResult();
            }
        }
        catch (UndefinedVariableException e)
        {
            throw new PromptException(
                $"the template reads the undefined variable '{e.Name}': declare it under 'inputs' (inputs given: {Join(values.Keys)}) or fix its spelling.",
                _filePath, FindLine(e.Name), e.Name, e);
        }
        catch (UndefinedMemberException e)
        {
            throw new PromptException($"the template reads a missing key: {e.Message} Send the key (null for no value) or fix its spelling.", _filePath, FindMemberLine(e.Member), e.Path, e);
        }
        catch (BoundedWriter.LimitException e)
        {
            throw new PromptException(string.Create(CultureInfo.InvariantCulture, $"the rendered prompt is longer than {MaxRenderedChars} characters; shorten the inputs or the loops."), _filePath, 0, innerException: e);
        }
        catch (FluidException e)
        {
            var filter = UndefinedFilter().Match(e.Message);
            var line = filter.Success ? FindFilterLine(filter.Groups[1].Value) : 0;
            throw new PromptException($"the template failed to render: {e.Message}", _filePath, line, innerException: e);
        }
        catch (InvalidOperationException e) when (e.Message.Contains("steps", StringComparison.OrdinalIgnoreCase))
        {
            throw new PromptException(string.Create(CultureInfo.InvariantCulture, $"the template runs more than {MaxSteps} steps; a loop is too long."), _filePath, 0, innerException: e);
        }

        return Split(writer.ToString());
    }

    private List<ChatMessage> Split(string rendered)
    {
        var messages = new List<ChatMessage>();
        var parts = rendered.Split(_marker);
        AddMessage(messages, ChatRole.System, parts[0]);
        foreach (var part in parts.Skip(1))
        {
            var end = part.IndexOf('\u001F', StringComparison.Ordinal);
            var role = part[..end] switch
            {
                "user" => ChatRole.User,
                "assistant" => ChatRole.Assistant,
                _ => ChatRole.System,
            };
            AddMessage(messages, role, part[(end + 1)..]);
        }

        return messages;
    }

    private static void AddMessage(List<ChatMessage> messages, ChatRole role, string text)
    {
        // A section left empty by a condition or a loop is no message.
        var trimmed = text.Trim();
        if (trimmed.Length > 0)
        {
            messages.Add(new ChatMessage(role, trimmed));
        }
    }

    private int FindFilterLine(string filter)
    {
        var pattern = new Regex(@"\|\s*" + Regex.Escape(filter) + @"\b", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        var hit = pattern.Match(_source);
        return hit.Success ? _lineOffset + 1 + _source.AsSpan(0, hit.Index).Count('\n') : 0;
    }

    private static (int Line, string Problem) SplitFluidError(string error)
    {
        var firstLine = error.ReplaceLineEndings("\n").Split('\n')[0];
        var position = FluidPosition().Match(firstLine);
        if (!position.Success)
        {
            return (0, firstLine);
        }

        var line = int.Parse(position.Groups["line"].Value, CultureInfo.InvariantCulture);
        return (line, firstLine[..position.Index].TrimEnd());
    }

    private static string Join(IEnumerable<string> names)
    {
        var list = names.Order(StringComparer.Ordinal).ToList();
        return list.Count == 0 ? "none" : string.Join(", ", list);
    }

    private static TemplateOptions CreateOptions()
    {
        var options = new TemplateOptions
        {
            StrictFilters = true,
            MaxSteps = MaxSteps,
            CultureInfo = CultureInfo.InvariantCulture,
            TimeZone = TimeZoneInfo.Utc,
        };
        options.MemberAccessStrategy.MemberNameStrategy = MemberNameStrategies.Default;
        return options;
    }

    [GeneratedRegex(@"^[ \t]*(?<role>system|user|assistant)[ \t]*:[ \t]*$", RegexOptions.Multiline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex RoleLine();

    [GeneratedRegex(@"\{\{.*?\}\}|\{%.*?%\}", RegexOptions.Singleline)]
    private static partial Regex LiquidBlock();

    [GeneratedRegex(@"\s*at \((?<line>\d+):(?<column>\d+)\)\s*$")]
    private static partial Regex FluidPosition();

    [GeneratedRegex("Undefined filter '([^']+)'")]
    private static partial Regex UndefinedFilter();

    /// <summary>A string writer that refuses to grow past a limit.</summary>
    private sealed class BoundedWriter(int maxChars) : StringWriter(CultureInfo.InvariantCulture)
    {
        public override void Write(char value)
        {
            Check(1);
            base.Write(value);
        }

        public override void Write(char[] buffer, int index, int count)
        {
            Check(count);
            base.Write(buffer, index, count);
        }

        public override void Write(ReadOnlySpan<char> buffer)
        {
            Check(buffer.Length);
            base.Write(buffer);
        }

        public override void Write(string? value)
        {
            Check(value?.Length ?? 0);
            base.Write(value);
        }

        private void Check(int adding)
        {
            if (GetStringBuilder().Length + adding > maxChars)
            {
                throw new LimitException();
            }
        }

        internal sealed class LimitException : Exception
        {
            public LimitException()
                : base("The rendered text reached its size limit.")
            {
            }
        }
    }
}
