using System.Text.Json;
using System.Text.RegularExpressions;

namespace AgentKit.Planning;

/// <summary>
/// The form an answer must take, and how to compare two answers: each format turns raw text into a canonical
/// key (<see cref="Normalize"/>) so that "1,000", "1000.0" and "$1000" vote together, and can find the answer in
/// free-form reasoning (<see cref="TryParse"/>) without a model call. Built-in formats: <see cref="Number"/>,
/// <see cref="Choice(int)"/>, <see cref="Json(JsonElement)"/>, <see cref="Regex(string)"/> and <see cref="Text(Func{string, string}?)"/>.
/// </summary>
public abstract partial class AnswerFormat
{
    /// <summary>The format's name as the extraction prompt sees it: <c>number</c>, <c>choice</c>, <c>json</c>, <c>regex</c> or <c>text</c>.</summary>
    public abstract string Kind { get; }

    /// <summary>Details the extraction prompt shows the model (the choices, the pattern, the schema); empty when none.</summary>
    public virtual string Detail => "";

    /// <summary>The JSON Schema an answer must satisfy, for formats whose answers are JSON.</summary>
    public virtual JsonElement? Schema => null;

    /// <summary>Numbers, compared by value: <c>1,000</c>, <c>1000.00</c>, <c>$1000</c> and <c>2000/2</c> are one answer.</summary>
    public static AnswerFormat Number { get; } = new NumberAnswerFormat();

    /// <summary>A choice among lettered options A, B, … compared by letter: <c>(b)</c>, <c>B.</c> and <c>B) Paris</c> are <c>B</c>.</summary>
    /// <param name="count">How many options, 2 to 26.</param>
    /// <returns>The format.</returns>
    public static AnswerFormat Choice(int count) => new ChoiceAnswerFormat(count);

    /// <summary>JSON that satisfies <paramref name="schema"/>, compared after sorting object keys and removing whitespace.</summary>
    /// <param name="schema">The JSON Schema.</param>
    /// <returns>The format.</returns>
    public static AnswerFormat Json(JsonElement schema) => new JsonAnswerFormat(schema);

    /// <summary>
    /// Text matching <paramref name="pattern"/>; the answer is the group named <c>answer</c> when the pattern has one,
    /// else the whole match, trimmed.
    /// </summary>
    /// <param name="pattern">A .NET regular expression.</param>
    /// <returns>The format.</returns>
    public static AnswerFormat Regex(string pattern) => new RegexAnswerFormat(pattern);

    /// <summary>Free text, compared after <paramref name="normalizer"/> (default <see cref="NormalizeText"/>).</summary>
    /// <param name="normalizer">Maps text to the form answers are compared in.</param>
    /// <returns>The format.</returns>
    public static AnswerFormat Text(Func<string, string>? normalizer = null) => new TextAnswerFormat(normalizer ?? NormalizeText);

    /// <summary>
    /// The default free-text normaliser: lower case, surrounding quotes and punctuation removed, a leading article
    /// (a, an, the) dropped, runs of white space made one space.
    /// </summary>
    /// <param name="text">The text.</param>
    /// <returns>The normalised text.</returns>
    public static string NormalizeText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = System.Text.RegularExpressions.Regex.Replace(text.Trim().ToLowerInvariant(), @"\s+", " ");
        t = t.Trim(' ', '"', '\'', '`', '.', ',', ';', ':', '!', '?', '*', '(', ')');
        return System.Text.RegularExpressions.Regex.Replace(t, @"^(a|an|the) ", "");
    }

    /// <summary>Turns an answer into its canonical form, or <see langword="null"/> when it is not an answer in this format.</summary>
    /// <param name="answer">The raw answer.</param>
    /// <returns>The canonical answer, or <see langword="null"/>.</returns>
    public abstract string? Normalize(string answer);

    /// <summary>
    /// Finds the answer in free-form reasoning (the last one stated, preferring an explicit "the answer is …"), and
    /// returns it normalised; <see langword="null"/> when there is none.
    /// </summary>
    /// <param name="reasoning">The model's reasoning.</param>
    /// <returns>The canonical answer, or <see langword="null"/>.</returns>
    public abstract string? TryParse(string reasoning);

    /// <inheritdoc/>
    public override string ToString() => Detail.Length == 0 ? Kind : $"{Kind} ({Detail})";

    /// <summary>The text after the last "answer is", "answer:" or "####" marker, up to the end of its line; <see langword="null"/> when there is no marker.</summary>
    private protected static string? AfterAnswerMarker(string reasoning)
    {
        var matches = AnswerMarker().Matches(reasoning);
        return matches.Count == 0 ? null : matches[^1].Groups["rest"].Value.Trim();
    }

    [GeneratedRegex(@"(?:answer\s*(?:is|:)|####)\s*:?\s*(?<rest>[^\r\n]*)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex AnswerMarker();
}
