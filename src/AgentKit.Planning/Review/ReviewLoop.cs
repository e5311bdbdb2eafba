using Microsoft.Extensions.Logging;

namespace AgentKit.Planning;

/// <summary>
/// Answer (chain-of-thought), review, revise with the feedback, review again — until a review accepts or the
/// revisions run out. Self-check and critique differ only in who reviews.
/// </summary>
internal static class ReviewLoop
{
    public delegate Task<AnswerReview> Reviewer(string answer, string reasoning, int round);

    public static async Task<ReviewedResult> RunAsync(PlanningRun run, string planner, string question, ReviewOptions settings, Reviewer review, ILogger logger)
    {
        var rounds = new List<ReviewRound>();
        string? answer = null;
        string? reasoning = null;
        var unreviewed = false;
        try
        {
            var (name, inputs) = CotPrompt.Build(question, settings.Format, settings.Examples, settings.ZeroShotPrompt, settings.FewShotPrompt);
            reasoning = (await run.CompleteAsync(run.Prompt(name), inputs, settings.ChatOptions).ConfigureAwait(false)).Text;
            unreviewed = true;
            answer = await AnswerExtractor.ExtractAsync(run, question, reasoning, settings.Format, settings.Extraction).ConfigureAwait(false);
            for (var round = 1; ; round++)
            {
                // An answer that cannot be read is not worth a reviewer's call: the feedback is known.
                var verdict = answer is null
                    ? new AnswerReview(false, $"No {settings.Format.Kind} answer could be read from the solution: finish with \"The answer is X.\"")
                    : await review(answer, reasoning, round).ConfigureAwait(false);
                rounds.Add(new ReviewRound(round, answer, reasoning, verdict));
                unreviewed = false;
                run.Trace.Add(TraceStepKind.Decision, "review", answer ?? "(no answer)", verdict.Accepted ? "accepted" : "rejected: " + verdict.Feedback, verdict.Accepted ? 1 : 0);
                if (verdict.Accepted)
                {
                    return Result(planner, PlanningOutcome.Answered, answer, null, rounds, accepted: true);
                }

                PlanningLog.Rejected(logger, planner, round, verdict.Feedback);
                if (round > settings.MaxRevisions)
                {
                    return Result(planner, answer is null ? PlanningOutcome.NoAnswer : PlanningOutcome.Answered, answer,
                        $"not accepted after {settings.MaxRevisions} revision(s): {verdict.Feedback}", rounds, accepted: false);
                }

                var revised = (await run.CompleteAsync(run.Prompt(settings.RevisePrompt), new Dictionary<string, object?>
                {
                    ["question"] = question,
                    ["answer"] = answer ?? "(none)",
                    ["reasoning"] = reasoning,
                    ["feedback"] = verdict.Feedback,
                    ["format"] = settings.Format.Kind,
                    ["format_detail"] = settings.Format.Detail,
                }, settings.ChatOptions).ConfigureAwait(false)).Text;
                var revisedAnswer = await AnswerExtractor.ExtractAsync(run, question, revised, settings.Format, settings.Extraction).ConfigureAwait(false);
                (reasoning, answer, unreviewed) = (revised, revisedAnswer, true);
            }
        }
        catch (BudgetExhaustedException e)
        {
            // The revision the budget interrupted was never reviewed; it is still the latest answer.
            if (unreviewed && reasoning is not null)
            {
                rounds.Add(new ReviewRound(rounds.Count + 1, answer, reasoning, null));
            }

            return Result(planner, PlanningOutcome.BudgetExceeded, answer, e.Exceeded.ToString(), rounds, accepted: false) with { BudgetExceeded = e.Exceeded };
        }
    }

    private static ReviewedResult Result(string planner, PlanningOutcome outcome, string? answer, string? reason, List<ReviewRound> rounds, bool accepted) => new()
    {
        Planner = planner,
        Outcome = outcome,
        Answer = answer,
        Reason = reason,
        Accepted = accepted,
        Rounds = [.. rounds],
    };
}
