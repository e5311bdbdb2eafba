namespace AgentKit.Planning;

/// <summary>
/// Plurality vote over normalised answers. Ties go to the answer that reached the tied count first, which for
/// independently sampled paths is a uniformly random choice among the tied answers.
/// </summary>
internal sealed class VoteTally
{
    private readonly Dictionary<string, (int Count, int ReachedAt)> _votes = new(StringComparer.Ordinal);
    private readonly List<ReasoningPath> _paths = [];

    public IReadOnlyList<ReasoningPath> Paths => _paths;

    public IReadOnlyDictionary<string, int> Votes => _votes.ToDictionary(v => v.Key, v => v.Value.Count, StringComparer.Ordinal);

    public void Add(ReasoningPath path)
    {
        _paths.Add(path);
        if (path.Answer is { } answer)
        {
            var count = _votes.GetValueOrDefault(answer).Count + 1;
            _votes[answer] = (count, _paths.Count);
        }
    }

    /// <summary>The winner so far and its votes; <see langword="null"/> before any vote.</summary>
    public (string Answer, int Votes)? Leader =>
        _votes.Count == 0 ? null : _votes.OrderByDescending(v => v.Value.Count).ThenBy(v => v.Value.ReachedAt).Select(v => (v.Key, v.Value.Count)).First();

    /// <summary>Whether no answer can overtake (or tie) the leader with <paramref name="remaining"/> more paths.</summary>
    public bool IsDecided(int remaining)
    {
        if (Leader is not { } leader)
        {
            return false;
        }

        var runnerUp = _votes.Where(v => v.Key != leader.Answer).Select(v => v.Value.Count).DefaultIfEmpty(0).Max();
        return leader.Votes - runnerUp > remaining;
    }

    public double Confidence => _paths.Count == 0 || Leader is not { } leader ? 0 : (double)leader.Votes / _paths.Count;
}
