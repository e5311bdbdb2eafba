using System.Globalization;
using System.Text.RegularExpressions;

namespace AgentKit.Prompts.Rendering;

/// <summary>
/// Bounds how deeply Liquid blocks nest and how long one tag's chains of filters and <c>and</c>/<c>or</c> run, before
/// the template reaches Fluid. Fluid's parser, its syntax tree walkers and its renderer recurse once per nested block
/// and once per chained filter or operator; a few thousand overflow the stack, which ends the process (a hostile or
/// mistaken prompt file would take a hot-reloading server down). Real prompts use a handful of each.
/// </summary>
internal static partial class LiquidComplexity
{
    /// <summary>The deepest nesting of block tags accepted.</summary>
    public const int MaxDepth = 64;

    /// <summary>The most filters, or <c>and</c>/<c>or</c> operators, in one output or tag.</summary>
    public const int MaxChain = 64;

    private static readonly HashSet<string> Openers = new(StringComparer.Ordinal) { "if", "unless", "for", "case", "capture", "tablerow" };

    /// <summary>Throws when the template passes <see cref="MaxDepth"/> or <see cref="MaxChain"/>; counts inside <c>{% liquid %}</c> too.</summary>
    /// <exception cref="PromptException">A limit is passed; names the file line where.</exception>
    public static void Check(string source, int lineOffset, string filePath)
    {
        var depth = 0;
        var skipUntil = (string?)null;
        foreach (Match markup in Markup().Matches(source))
        {
            if (markup.Groups["output"].Success)
            {
                if (skipUntil is null)
                {
                    CheckChain(markup.Groups["output"].Value, source, markup.Index, lineOffset, filePath);
                }

                continue;
            }

            var lines = markup.Groups["name"].Value == "liquid"
                ? markup.Groups["body"].Value.Split('\n')
                : [markup.Groups["name"].Value + markup.Groups["body"].Value];
            foreach (var statement in lines)
            {
                var name = FirstWord().Match(statement).Value;
                if (name.Length == 0)
                {
                    continue;
                }

                // Inside raw and comment, tags are text until the matching end tag.
                if (skipUntil is not null)
                {
                    skipUntil = name == skipUntil ? null : skipUntil;
                    continue;
                }

                CheckChain(statement, source, markup.Index, lineOffset, filePath);
                if (name is "raw" or "comment")
                {
                    skipUntil = "end" + name;
                }
                else if (Openers.Contains(name) && ++depth > MaxDepth)
                {
                    throw Error(string.Create(CultureInfo.InvariantCulture, $"Liquid blocks are nested more than {MaxDepth} deep ('{name}' here); flatten the template."), source, markup.Index, lineOffset, filePath);
                }
                else if (name.StartsWith("end", StringComparison.Ordinal) && depth > 0)
                {
                    depth--;
                }
            }
        }
    }

    private static void CheckChain(string markup, string source, int index, int lineOffset, string filePath)
    {
        if (markup.Count('|') > MaxChain || ChainOperator().Count(markup) > MaxChain)
        {
            throw Error(string.Create(CultureInfo.InvariantCulture, $"a Liquid output or tag chains more than {MaxChain} filters or and/or operators; split it."), source, index, lineOffset, filePath);
        }
    }

    private static PromptException Error(string problem, string source, int index, int lineOffset, string filePath) =>
        new(problem, filePath, lineOffset + 1 + source.AsSpan(0, index).Count('\n'));

    [GeneratedRegex(@"\{\{(?<output>.*?)\}\}|\{%-?\s*(?<name>\w+)(?<body>.*?)-?%\}", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex Markup();

    [GeneratedRegex(@"(?<=^\s*)\w+", RegexOptions.CultureInvariant)]
    private static partial Regex FirstWord();

    [GeneratedRegex(@"\b(and|or)\b", RegexOptions.CultureInvariant)]
    private static partial Regex ChainOperator();
}
