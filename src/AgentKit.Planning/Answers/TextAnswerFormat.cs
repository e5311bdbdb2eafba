namespace AgentKit.Planning;

/// <summary>Free text, compared after a normaliser.</summary>
internal sealed class TextAnswerFormat(Func<string, string> normalizer) : AnswerFormat
{
    public override string Kind => "text";

    public override string? Normalize(string answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var normalized = normalizer(answer);
        return string.IsNullOrWhiteSpace(normalized) ? null : normalized;
    }

    public override string? TryParse(string reasoning)
    {
        ArgumentNullException.ThrowIfNull(reasoning);
        if (AfterAnswerMarker(reasoning) is { Length: > 0 } marked)
        {
            return Normalize(marked);
        }

        var last = reasoning.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        return last is null ? null : Normalize(last);
    }
}
