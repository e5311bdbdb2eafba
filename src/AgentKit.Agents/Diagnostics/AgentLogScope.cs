using System.Collections;

namespace AgentKit.Agents.Diagnostics;

/// <summary>
/// The logging scope of a run: every log line written while it runs (tools, model clients, stores) carries
/// <c>SessionId</c>, <c>RunId</c> and <c>Agent</c> as structured properties.
/// </summary>
internal sealed class AgentLogScope(string agent, string sessionId, string runId) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public int Count => 3;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new("SessionId", sessionId),
        1 => new("RunId", runId),
        2 => new("Agent", agent),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"SessionId:{sessionId} RunId:{runId} Agent:{agent}";
}
