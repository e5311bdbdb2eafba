using System.Text.Json.Serialization;
using AgentKit.Prompts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentKit.Planning;

/// <summary>
/// Multi-agent debate (Du et al. 2023): n agents answer alone (<c>planning/cot</c>), then for r − 1 rounds each agent
/// sees the others' previous solutions and answers again (<c>planning/debate</c>); the debate stops early once all
/// agree, and otherwise ends in a plurality vote or a judge's verdict (<c>planning/debate-judge</c>). Agents share the
/// client: a round's n calls go as one multi-sequence request when the engine offers it (found through
/// <see cref="IChatClient.GetService"/>, as self-consistency does), else as concurrent calls. Cost: n calls per round
/// (fewer rounds on consensus), plus 1 for a judge.
/// </summary>
public sealed class DebatePlanner
{
    private readonly IPromptRegistry _prompts;
    private readonly ILogger _logger;

    /// <summary>Creates the planner.</summary>
    /// <param name="prompts">Where the prompt files come from.</param>
    /// <param name="logger">Optional logger.</param>
    public DebatePlanner(IPromptRegistry prompts, ILogger<DebatePlanner>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        _prompts = prompts;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Answers <paramref name="question"/> by debate.</summary>
    /// <param name="client">The model every agent (and the judge) runs on.</param>
    /// <param name="question">The question or task.</param>
    /// <param name="options">Options; default <see cref="DebateOptions"/>.</param>
    /// <param name="cancellationToken">Stops the run (raises <see cref="OperationCanceledException"/>).</param>
    /// <returns>The answer, every round, how it was decided; a budget stop is an outcome, not an exception.</returns>
    public Task<DebateResult> RunAsync(IChatClient client, string question, DebateOptions? options = null, CancellationToken cancellationToken = default) =>
        RunAsync(client, judge: null, question, options, cancellationToken);

    /// <summary>Answers <paramref name="question"/> by debate, a judge model deciding a debate without consensus.</summary>
    /// <param name="client">The model every agent runs on.</param>
    /// <param name="judge">The model that judges when <see cref="DebateOptions.Decision"/> is <see cref="DebateDecision.Judge"/>; <see langword="null"/> for <paramref name="client"/>. Its calls count against the same budget.</param>
    /// <param name="question">The question or task.</param>
    /// <param name="options">Options; default <see cref="DebateOptions"/>.</param>
    /// <param name="cancellationToken">Stops the run (raises <see cref="OperationCanceledException"/>).</param>
    /// <returns>The answer, every round, how it was decided; a budget stop is an outcome, not an exception.</returns>
    public async Task<DebateResult> RunAsync(IChatClient client, IChatClient? judge, string question, DebateOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(question);
        options ??= new DebateOptions();
        options.Validate();
        using var run = new PlanningRun(PlannerNames.Debate, client, _prompts, options.Budget, cancellationToken);
        var batch = options.UseMultiSequence && run.MultiSequence is not null;
        var rounds = new List<IReadOnlyList<DebateTurn>>();
        BudgetExceeded? exceeded = null;
        var stoppedEarly = false;
        try
        {
            for (var round = 1; round <= options.Rounds; round++)
            {
                var responses = await RoundAsync(run, question, options, round, rounds.LastOrDefault(), batch).ConfigureAwait(false);
                var turns = new List<DebateTurn>(options.Agents);
                for (var agent = 0; agent < options.Agents; agent++)
                {
                    if (agent < responses.Count)
                    {
                        var extracted = await AnswerExtractor.ExtractAsync(run, question, responses[agent].Text, options.Format, options.Extraction).ConfigureAwait(false);
                        turns.Add(new DebateTurn(round, agent + 1, responses[agent].Text, extracted));
                    }
                    else
                    {
                        // The call budget granted fewer calls than agents: the rest stand by their last turn.
                        turns.Add((rounds.Count > 0 ? rounds[^1][agent] : new DebateTurn(round, agent + 1, "", null)) with { Round = round });
                    }
                }

                rounds.Add(turns);
                run.Trace.Add(TraceStepKind.Decision, "round", $"round {round}", string.Join(", ", turns.Select(t => $"agent {t.Agent}: {t.Answer ?? "(none)"}")), Agreement(turns));
                if (Consensus(turns) && round < options.Rounds && options.EarlyStopOnConsensus)
                {
                    PlanningLog.DebateConsensus(_logger, round, options.Rounds, turns[0].Answer!);
                    stoppedEarly = true;
                    break;
                }
            }
        }
        catch (BudgetExhaustedException e)
        {
            exceeded = e.Exceeded;
        }

        var final = rounds.LastOrDefault() ?? [];
        var tally = new VoteTally();
        foreach (var turn in final)
        {
            tally.Add(new ReasoningPath(turn.Reasoning, turn.Answer));
        }

        var consensus = final.Count > 0 && Consensus(final);
        string? answer = tally.Leader?.Answer;
        var decidedBy = consensus ? "consensus" : answer is null ? null : "majority";
        string? rationale = null;
        if (!consensus && exceeded is null && options.Decision == DebateDecision.Judge && final.Count > 0)
        {
            try
            {
                var verdict = await JudgeAsync(run, judge, question, options, final).ConfigureAwait(false);
                if (options.Format.Normalize(verdict.Answer) is { } judged)
                {
                    (answer, decidedBy, rationale) = (judged, "judge", verdict.Rationale);
                }
                else
                {
                    run.Trace.Add(TraceStepKind.Decision, "judge", verdict.Answer, $"not a {options.Format.Kind} answer; the majority decides");
                }
            }
            catch (BudgetExhaustedException e)
            {
                exceeded = e.Exceeded;
            }
            catch (PromptOutputException e)
            {
                run.Trace.Add(TraceStepKind.Decision, "judge", "", $"the verdict was not valid twice ({e.Message}); the majority decides");
            }
        }

        run.Trace.Add(TraceStepKind.Decision, "decision", string.Join(", ", tally.Votes.Select(v => $"{v.Key}: {v.Value}")), $"{answer ?? "(no answer)"} by {decidedBy ?? "nobody"}", tally.Confidence);
        return PlanningLog.Finish(_logger, run, new DebateResult
        {
            Planner = PlannerNames.Debate,
            Outcome = exceeded is not null ? PlanningOutcome.BudgetExceeded : answer is null ? PlanningOutcome.NoAnswer : PlanningOutcome.Answered,
            Answer = answer,
            Reason = exceeded?.ToString() ?? (answer is null ? $"no agent gave a {options.Format.Kind} answer" : null),
            BudgetExceeded = exceeded,
            Rounds = rounds,
            Consensus = consensus,
            StoppedEarly = stoppedEarly,
            DecidedBy = decidedBy,
            Votes = tally.Votes,
            JudgeRationale = rationale,
            UsedMultiSequence = batch,
        });
    }

    private static async Task<IReadOnlyList<ChatResponse>> RoundAsync(
        PlanningRun run, string question, DebateOptions options, int round, IReadOnlyList<DebateTurn>? previous, bool batch)
    {
        var chatOptions = options.ChatOptions?.Clone() ?? new ChatOptions();
        chatOptions.Temperature = options.Temperature;
        if (options.ChatOptions?.Seed is { } seed)
        {
            chatOptions.Seed = seed + ((round - 1) * options.Agents);
        }

        if (previous is null)
        {
            var (name, inputs) = CotPrompt.Build(question, options.Format, [], options.FirstRoundPrompt, options.FirstRoundPrompt);
            return await run.SampleAsync(run.Prompt(name), inputs, options.Agents, chatOptions, batch, options.MaxConcurrency).ConfigureAwait(false);
        }

        var prompt = run.Prompt(options.DebatePrompt);
        var conversations = previous.Select(self => prompt.Render(new Dictionary<string, object?>
        {
            ["question"] = question,
            ["own"] = Cut(self.Reasoning, options.MaxSolutionChars),
            ["others"] = Solutions(previous.Where(t => t.Agent != self.Agent), options.MaxSolutionChars),
            ["format"] = options.Format.Kind,
            ["format_detail"] = options.Format.Detail,
        })).ToList();
        return await run.CompleteManyAsync(prompt.Name, conversations, prompt.CreateChatOptions(chatOptions), batch, options.MaxConcurrency).ConfigureAwait(false);
    }

    private static Task<JudgeReply> JudgeAsync(PlanningRun run, IChatClient? judge, string question, DebateOptions options, IReadOnlyList<DebateTurn> final) =>
        run.StructuredAsync<JudgeReply>(run.Prompt(options.JudgePrompt), new Dictionary<string, object?>
        {
            ["question"] = question,
            ["solutions"] = Solutions(final, options.MaxSolutionChars),
            ["format"] = options.Format.Kind,
        }, client: judge);

    private static List<Dictionary<string, object?>> Solutions(IEnumerable<DebateTurn> turns, int maxChars) =>
        turns.Select(t => new Dictionary<string, object?>
        {
            ["agent"] = t.Agent,
            ["reasoning"] = Cut(t.Reasoning, maxChars),
            ["answer"] = t.Answer ?? "(none)",
        }).ToList();

    private static bool Consensus(IReadOnlyList<DebateTurn> turns) =>
        turns[0].Answer is { } first && turns.All(t => t.Answer == first);

    private static double Agreement(List<DebateTurn> turns) =>
        turns.Where(t => t.Answer is not null).GroupBy(t => t.Answer).Select(g => g.Count()).DefaultIfEmpty(0).Max() / (double)turns.Count;

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..max] + " [cut]";

    internal sealed record JudgeReply(
        [property: JsonPropertyName("rationale")] string Rationale,
        [property: JsonPropertyName("answer")] string Answer);
}
