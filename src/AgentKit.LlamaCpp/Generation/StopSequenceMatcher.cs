namespace AgentKit.LlamaCpp.Generation;

/// <summary>
/// Finds stop sequences in streamed text that may arrive split across tokens. Text is released only when it
/// can no longer be the start of a stop sequence, so a stop sequence is never partly emitted.
/// </summary>
internal sealed class StopSequenceMatcher(IReadOnlyList<string> stops)
{
    private string _pending = "";

    /// <summary>Adds new text; returns what can be emitted and whether a stop sequence was found.</summary>
    public (string Emit, bool Stopped) Push(string text)
    {
        if (stops.Count == 0)
        {
            return (text, false);
        }

        _pending += text;
        var first = -1;
        foreach (var stop in stops)
        {
            var index = _pending.IndexOf(stop, StringComparison.Ordinal);
            if (index >= 0 && (first < 0 || index < first))
            {
                first = index;
            }
        }

        if (first >= 0)
        {
            var emit = _pending[..first];
            _pending = "";
            return (emit, true);
        }

        var hold = 0;
        foreach (var stop in stops)
        {
            for (var k = Math.Min(stop.Length - 1, _pending.Length); k > hold; k--)
            {
                if (_pending.AsSpan(_pending.Length - k).SequenceEqual(stop.AsSpan(0, k)))
                {
                    hold = k;
                    break;
                }
            }
        }

        var released = _pending[..^hold];
        _pending = _pending[^hold..];
        return (released, false);
    }

    /// <summary>Releases whatever is held back (at the end of generation).</summary>
    public string Flush()
    {
        var rest = _pending;
        _pending = "";
        return rest;
    }
}
