namespace AgentKit.Abstractions.Evidence;

/// <summary>
/// Something given to a model as evidence — a retrieved passage or a tool result — with its provenance: where it
/// came from and, when known, how current it is.
/// </summary>
/// <param name="Id">How the model and the user refer to it: a citation number (<c>1</c>), a tool call (<c>get_price#call_2</c>).</param>
/// <param name="Text">What it says.</param>
/// <param name="Source">Where it came from: a file name with page, a tool name, a URL.</param>
/// <param name="Time">
/// When the information was current: a date the evidence states about itself, else when its source was last
/// changed; <see langword="null"/> when unknown.
/// </param>
public sealed record Evidence(string Id, string Text, string Source, DateTimeOffset? Time = null)
{
    /// <summary>The source and, when known, its date (<c>policy.md, 2025-03-01</c>).</summary>
    public string Provenance => Time is { } time ? $"{Source}, {time.UtcDateTime:yyyy-MM-dd}" : Source;
}
