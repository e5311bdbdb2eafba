using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace AgentKit.Planning;

/// <summary>
/// The model-facing half of a Tree-of-Thoughts run: expands states into candidates and scores them. Calls for
/// sibling states are rendered from one prompt with the state last and issued together (one multi-sequence batch
/// when the engine offers it), so their common prefix is decoded once.
/// </summary>
internal sealed partial class TreeSearch
{
    private readonly PlanningRun _run;
    private readonly IThoughtTask _task;
    private readonly TreeOfThoughtsOptions _options;
    private readonly Dictionary<string, (double Score, string[] Verdicts)> _valueCache = new(StringComparer.Ordinal);
    private readonly Random _random;

    public TreeSearch(PlanningRun run, IThoughtTask task, TreeOfThoughtsOptions options)
    {
        _run = run;
        _task = task;
        _options = options;
        _random = options.Seed is { } seed ? new Random(seed) : new Random();
        Tree = new ThoughtTree(task.InitialState, options.MaxNodes);
        Batch = options.UseMultiSequence && run.MultiSequence is not null;
    }

    public ThoughtTree Tree { get; }

    public bool Batch { get; }

    /// <summary>Generates the children of <paramref name="parents"/> (all in one round of calls).</summary>
    public async Task<List<ThoughtNode>> ExpandAsync(IReadOnlyList<ThoughtNode> parents)
    {
        var propose = _options.Generator == ThoughtGenerator.Propose;
        var prompt = _run.Prompt(propose ? _task.Prompts.Propose : _task.Prompts.Sample);
        var owners = new List<ThoughtNode>();
        var conversations = new List<IList<ChatMessage>>();
        foreach (var parent in parents)
        {
            var messages = prompt.Render(propose ? _task.ProposeInputs(parent.State, _options.ProposalsPerState) : _task.SampleInputs(parent.State));
            for (var i = 0; i < (propose ? 1 : _options.SamplesPerState); i++)
            {
                owners.Add(parent);
                conversations.Add(messages);
            }
        }

        var responses = await _run.CompleteManyAsync(prompt.Name, conversations, prompt.CreateChatOptions(CallOptions()), Batch, _options.MaxConcurrency).ConfigureAwait(false);
        var children = new List<ThoughtNode>();
        for (var i = 0; i < responses.Count; i++)
        {
            var states = _task.ParseProposals(owners[i].State, responses[i].Text);
            if (!propose && states.Count > 1)
            {
                states = [states[0]];
            }

            foreach (var state in states)
            {
                children.Add(Tree.Add(owners[i], state));
            }
        }

        _run.Trace.Add(TraceStepKind.Decision, "expand", string.Join(" | ", parents.Select(p => p.State.Current)),
            string.Create(CultureInfo.InvariantCulture, $"{children.Count} valid candidate(s) from {responses.Count} completion(s)"));
        return children;
    }

    /// <summary>Scores <paramref name="candidates"/> (siblings or a whole level) with the configured evaluator.</summary>
    public Task ScoreAsync(IReadOnlyList<ThoughtNode> candidates)
    {
        var unique = new List<ThoughtNode>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var candidate in candidates)
        {
            if (seen.Add(_task.StateKey(candidate.State)))
            {
                unique.Add(candidate);
            }
            else
            {
                candidate.Status = ThoughtNodeStatus.Duplicate;
                candidate.Score = 0;
            }
        }

        return unique.Count == 0 ? Task.CompletedTask
            : _options.Evaluator == ThoughtEvaluator.Value ? ValueAsync(unique) : VoteAsync(unique);
    }

    /// <summary>The best <see cref="TreeOfThoughtsOptions.Breadth"/> candidates, greedily or drawn in proportion to score.</summary>
    public List<ThoughtNode> Select(IReadOnlyList<ThoughtNode> candidates)
    {
        var keep = Math.Min(_options.Breadth, candidates.Count);
        List<ThoughtNode> selected;
        if (_options.Selection == ThoughtSelection.Greedy)
        {
            selected = [.. candidates.OrderByDescending(c => c.Score ?? 0).ThenBy(c => c.Id).Take(keep)];
        }
        else
        {
            selected = [];
            var pool = candidates.ToList();
            while (selected.Count < keep)
            {
                var total = pool.Sum(c => c.Score ?? 0);
                var pick = 0;
                if (total > 0)
                {
                    var draw = _random.NextDouble() * total;
                    for (var acc = 0.0; pick < pool.Count - 1; pick++)
                    {
                        acc += pool[pick].Score ?? 0;
                        if (draw < acc)
                        {
                            break;
                        }
                    }
                }

                selected.Add(pool[pick]);
                pool.RemoveAt(pick);
            }
        }

        foreach (var candidate in candidates)
        {
            if (selected.Contains(candidate))
            {
                candidate.Status = ThoughtNodeStatus.Selected;
            }
            else if (candidate.Status == ThoughtNodeStatus.Candidate)
            {
                candidate.Status = ThoughtNodeStatus.Discarded;
            }
        }

        return selected;
    }

    private async Task ValueAsync(List<ThoughtNode> candidates)
    {
        var pending = new List<ThoughtNode>();
        foreach (var candidate in candidates)
        {
            if (_valueCache.TryGetValue(_task.StateKey(candidate.State), out var cached))
            {
                candidate.Score = cached.Score;
                foreach (var verdict in cached.Verdicts)
                {
                    candidate.AddVerdict(verdict);
                }
            }
            else
            {
                pending.Add(candidate);
            }
        }

        if (pending.Count == 0)
        {
            return;
        }

        var n = _options.ValueSamples;
        var prompt = _run.Prompt(_task.Prompts.Value);
        var conversations = pending.SelectMany(c => Enumerable.Repeat(prompt.Render(_task.ValueInputs(c.State)), n)).ToList();
        var responses = await _run.CompleteManyAsync(prompt.Name, conversations, prompt.CreateChatOptions(CallOptions()), Batch, _options.MaxConcurrency).ConfigureAwait(false);
        var scores = _options.VerdictScores;
        for (var i = 0; i < responses.Count; i++)
        {
            var candidate = pending[i / n];
            var verdict = ParseVerdict(responses[i].Text);
            candidate.AddVerdict(verdict ?? "unparsed");
            candidate.Score = (candidate.Score ?? 0) + verdict switch
            {
                "sure" => scores.Sure,
                "likely" => scores.Likely,
                "impossible" => scores.Impossible,
                _ => 0,
            };
        }

        foreach (var candidate in pending.Where(c => c.Verdicts.Count == n))
        {
            _valueCache[_task.StateKey(candidate.State)] = (candidate.Score ?? 0, [.. candidate.Verdicts]);
        }
    }

    private async Task VoteAsync(List<ThoughtNode> candidates)
    {
        var prompt = _run.Prompt(_task.Prompts.Vote);
        var inputs = _task.VoteInputs([.. candidates.Select(c => c.State)]);
        var responses = await _run.SampleAsync(prompt, inputs, _options.VoteSamples, CallOptions(), Batch, _options.MaxConcurrency).ConfigureAwait(false);
        var votes = new int[candidates.Count];
        foreach (var response in responses)
        {
            if (ParseVote(response.Text) is { } best && best >= 1 && best <= candidates.Count)
            {
                votes[best - 1]++;
            }
        }

        for (var i = 0; i < candidates.Count; i++)
        {
            candidates[i].Score = votes[i];
            candidates[i].AddVerdict(string.Create(CultureInfo.InvariantCulture, $"{votes[i]} of {responses.Count} votes"));
        }
    }

    /// <summary>Options for the next round of calls; a configured seed advances with the calls made, so rounds do not repeat each other.</summary>
    private ChatOptions CallOptions()
    {
        var options = _options.ChatOptions?.Clone() ?? new ChatOptions();
        if (_options.ChatOptions?.Seed is { } seed)
        {
            options.Seed = seed + _run.Meter.Calls;
        }

        return options;
    }

    internal static string? ParseVerdict(string text)
    {
        if (StructuredJson.TryParseObject(text) is { } json && json.TryGetProperty("verdict", out var verdict) && verdict.ValueKind == JsonValueKind.String)
        {
            var value = verdict.GetString()!.Trim().ToLowerInvariant();
            if (value is "sure" or "likely" or "impossible")
            {
                return value;
            }
        }

        // Models that ignore the format usually still end with the word (the paper reads the last line).
        var matches = VerdictWord().Matches(text);
        return matches.Count == 0 ? null : matches[^1].Value.ToLowerInvariant();
    }

    internal static int? ParseVote(string text)
    {
        if (StructuredJson.TryParseObject(text) is { } json && json.TryGetProperty("best", out var best) && best.TryGetInt32(out var index))
        {
            return index;
        }

        var match = BestChoice().Match(text);
        return match.Success ? int.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture) : null;
    }

    [GeneratedRegex(@"\b(sure|likely|impossible)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex VerdictWord();

    [GeneratedRegex(@"best (?:choice|candidate) is\s*(?:candidate\s*)?(?<n>\d+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex BestChoice();
}
