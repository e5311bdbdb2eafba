using System.Text.Json.Serialization;
using AgentKit.Prompts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentKit.Planning;

/// <summary>
/// Least-to-most prompting (Zhou et al. 2022): the model decomposes the question into simpler sub-questions
/// (<c>planning/ltm-decompose</c>, structured), answers them in order with every earlier sub-question and answer in
/// context (<c>planning/ltm-solve</c>), then answers the original question the same way; the final answer is
/// extracted in the <see cref="AnswerFormat"/>. Sub-questions and the answers carried forward are bounded. A
/// decomposition that cannot be read (invalid twice) is traced and the question answered directly. Cost: 1
/// decomposition call, 1 call per sub-question, 1 final call (+1 for model extraction).
/// </summary>
public sealed class LeastToMostPlanner
{
    private static readonly AnswerFormat Verbatim = AnswerFormat.Text(t => t.Trim());
    private readonly IPromptRegistry _prompts;
    private readonly ILogger _logger;

    /// <summary>Creates the planner.</summary>
    /// <param name="prompts">Where the prompt files come from.</param>
    /// <param name="logger">Optional logger.</param>
    public LeastToMostPlanner(IPromptRegistry prompts, ILogger<LeastToMostPlanner>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        _prompts = prompts;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Answers <paramref name="question"/> through sub-questions.</summary>
    /// <param name="client">The model.</param>
    /// <param name="question">The question or task.</param>
    /// <param name="options">Options; default <see cref="LeastToMostOptions"/>.</param>
    /// <param name="cancellationToken">Stops the run (raises <see cref="OperationCanceledException"/>).</param>
    /// <returns>The answer, the sub-questions and their answers; a budget stop is an outcome, not an exception.</returns>
    public async Task<LeastToMostResult> RunAsync(IChatClient client, string question, LeastToMostOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(question);
        options ??= new LeastToMostOptions();
        options.Validate();
        using var run = new PlanningRun(PlannerNames.LeastToMost, client, _prompts, options.Budget, cancellationToken);
        IReadOnlyList<string> subquestions = [];
        var decomposed = false;
        var solved = new List<SolvedSubquestion>();
        string? reasoning = null;
        try
        {
            (subquestions, decomposed) = await DecomposeAsync(run, question, options).ConfigureAwait(false);
            var solve = run.Prompt(options.SolvePrompt);
            foreach (var subquestion in subquestions)
            {
                var reply = (await run.CompleteAsync(solve, Inputs(question, solved, subquestion, options, final: false), options.ChatOptions).ConfigureAwait(false)).Text;
                solved.Add(new SolvedSubquestion(subquestion, Subanswer(reply, options.MaxSubanswerChars), reply));
            }

            reasoning = (await run.CompleteAsync(solve, Inputs(question, solved, question, options, final: true), options.ChatOptions).ConfigureAwait(false)).Text;
            var answer = await AnswerExtractor.ExtractAsync(run, question, reasoning, options.Format, options.Extraction).ConfigureAwait(false);
            return PlanningLog.Finish(_logger, run, Result(answer is null ? PlanningOutcome.NoAnswer : PlanningOutcome.Answered, answer,
                answer is null ? $"no {options.Format.Kind} answer could be extracted from the final reasoning" : null, subquestions, solved, decomposed, reasoning));
        }
        catch (BudgetExhaustedException e)
        {
            return PlanningLog.Finish(_logger, run, Result(PlanningOutcome.BudgetExceeded, null, e.Exceeded.ToString(), subquestions, solved, decomposed, reasoning) with { BudgetExceeded = e.Exceeded });
        }
    }

    private static async Task<(IReadOnlyList<string> Subquestions, bool Decomposed)> DecomposeAsync(PlanningRun run, string question, LeastToMostOptions options)
    {
        DecompositionReply reply;
        try
        {
            reply = await run.StructuredAsync<DecompositionReply>(run.Prompt(options.DecomposePrompt), new Dictionary<string, object?>
            {
                ["question"] = question,
                ["max_subquestions"] = options.MaxSubquestions + 1,
            }, options.ChatOptions).ConfigureAwait(false);
        }
        catch (PromptOutputException e)
        {
            run.Trace.Add(TraceStepKind.Plan, "decompose", question, $"the decomposition was not valid twice ({e.Message}); answering the question directly");
            return ([], false);
        }

        // The prompt asks for the original question last; it is answered by the final call, so it is dropped here.
        var subquestions = reply.Subquestions
            .Select(s => s?.Trim() ?? "")
            .Where(s => s.Length > 0 && !string.Equals(AnswerFormat.NormalizeText(s), AnswerFormat.NormalizeText(question), StringComparison.Ordinal))
            .ToList();
        if (subquestions.Count > options.MaxSubquestions)
        {
            run.Trace.Add(TraceStepKind.Decision, "cut", $"{subquestions.Count} sub-questions", $"kept the first {options.MaxSubquestions} (LeastToMostOptions.MaxSubquestions)");
            subquestions = subquestions.Take(options.MaxSubquestions).ToList();
        }

        run.Trace.Add(TraceStepKind.Plan, "decompose", question, string.Join("\n", subquestions.Select((s, i) => $"{i + 1}. {s}")));
        return (subquestions, true);
    }

    private static Dictionary<string, object?> Inputs(string question, List<SolvedSubquestion> solved, string subquestion, LeastToMostOptions options, bool final) => new()
    {
        ["question"] = question,
        ["solved"] = solved.Select(s => new Dictionary<string, object?> { ["question"] = s.Question, ["answer"] = s.Answer }).ToList(),
        ["subquestion"] = subquestion,
        ["format"] = options.Format.Kind,
        ["format_detail"] = options.Format.Detail,
        ["final"] = final,
    };

    /// <summary>What a sub-question's reply concluded: its "the answer is" line when it has one, else its last line; cut to the limit.</summary>
    internal static string Subanswer(string reply, int maxChars)
    {
        var answer = Verbatim.TryParse(reply) ?? reply.Trim();
        answer = answer.TrimEnd('.').Trim();
        return answer.Length <= maxChars ? answer : answer[..maxChars] + " [cut]";
    }

    private static LeastToMostResult Result(PlanningOutcome outcome, string? answer, string? reason, IReadOnlyList<string> subquestions, List<SolvedSubquestion> solved, bool decomposed, string? reasoning) => new()
    {
        Planner = PlannerNames.LeastToMost,
        Outcome = outcome,
        Answer = answer,
        Reason = reason,
        Subquestions = subquestions,
        Solved = [.. solved],
        Decomposed = decomposed,
        Reasoning = reasoning,
    };

    internal sealed record DecompositionReply([property: JsonPropertyName("subquestions")] IReadOnlyList<string?> Subquestions);
}
