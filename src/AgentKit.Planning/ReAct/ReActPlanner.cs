using System.Text.Json;
using System.Text.Json.Serialization;
using AgentKit.Prompts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentKit.Planning;

/// <summary>
/// ReAct (Yao et al. 2022): each turn the model writes a thought and either calls one tool or finishes, as
/// structured JSON (<c>planning/react</c>); the planner runs the tool itself and shows the result as a fenced
/// observation. An unknown tool, bad arguments or a failing tool become observations, not errors. At the step cap
/// the planner falls back to self-consistency over the question (ReAct → CoT-SC). Cost: one call per turn (two when
/// a reply must be corrected), plus the fallback's paths.
/// </summary>
public sealed class ReActPlanner
{
    private readonly IPromptRegistry _prompts;
    private readonly ILogger _logger;

    /// <summary>Creates the planner.</summary>
    /// <param name="prompts">Where the prompt files come from.</param>
    /// <param name="logger">Optional logger.</param>
    public ReActPlanner(IPromptRegistry prompts, ILogger<ReActPlanner>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        _prompts = prompts;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Answers <paramref name="question"/> with the tools in <paramref name="options"/>.</summary>
    /// <param name="client">The model.</param>
    /// <param name="question">The question or task.</param>
    /// <param name="options">Options, with the tools.</param>
    /// <param name="cancellationToken">Stops the run (raises <see cref="OperationCanceledException"/>).</param>
    /// <returns>The answer, the turns, trace, usage and calls.</returns>
    public async Task<ReActResult> RunAsync(IChatClient client, string question, ReActOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(question);
        options ??= new ReActOptions();
        options.Validate();
        using var run = new PlanningRun(PlannerNames.ReAct, client, _prompts, options.Budget, cancellationToken);
        var steps = new List<ReActStep>();
        var history = new List<Dictionary<string, object?>>();
        var governor = PlannerTools.Govern(options.Tools, options.MaxObservationChars);
        var tools = PlannerTools.Describe(options.Tools);
        var prompt = run.Prompt(options.Prompt);
        try
        {
            for (var turn = 0; turn < options.MaxSteps; turn++)
            {
                var inputs = new Dictionary<string, object?> { ["question"] = question, ["tools"] = tools, ["history"] = history };
                Reply reply;
                try
                {
                    reply = await run.StructuredAsync<Reply>(prompt, inputs, options.ChatOptions).ConfigureAwait(false);
                }
                catch (PromptOutputException e)
                {
                    Record("", null, null, $"Your reply could not be used: {e.Message} Reply with JSON as described.");
                    continue;
                }

                if (reply.Action is { } action)
                {
                    var outcome = await PlannerTools.InvokeAsync(run, governor, action.Tool, action.Arguments, _logger).ConfigureAwait(false);
                    Record(reply.Thought, action.Tool, action.Arguments.ValueKind == JsonValueKind.Undefined ? "{}" : action.Arguments.GetRawText(), outcome.Text);
                    continue;
                }

                if (!string.IsNullOrWhiteSpace(reply.Finish))
                {
                    steps.Add(new ReActStep(reply.Thought, null, null, null));
                    return PlanningLog.Finish(_logger, run, new ReActResult
                    {
                        Planner = PlannerNames.ReAct,
                        Outcome = PlanningOutcome.Answered,
                        Answer = reply.Finish.Trim(),
                        Steps = steps,
                    });
                }

                Record(reply.Thought, null, null, "Your reply had neither an action nor a finish. Call a tool, or finish with the answer.");
            }

            if (!options.FallbackToSelfConsistency)
            {
                return PlanningLog.Finish(_logger, run, new ReActResult
                {
                    Planner = PlannerNames.ReAct,
                    Outcome = PlanningOutcome.NoAnswer,
                    Reason = $"no answer within {options.MaxSteps} steps",
                    Steps = steps,
                });
            }

            PlanningLog.ReActFallback(_logger, options.MaxSteps);
            run.Trace.Add(TraceStepKind.Decision, "fallback", $"{options.MaxSteps} steps without an answer", "self-consistency over the question");
            var fallback = await SelfConsistencyPlanner.RunInAsync(run, question, options.Fallback, _logger).ConfigureAwait(false);
            return PlanningLog.Finish(_logger, run, new ReActResult
            {
                Planner = PlannerNames.ReAct,
                Outcome = fallback.Outcome,
                Answer = fallback.Answer,
                Reason = fallback.Reason,
                BudgetExceeded = fallback.BudgetExceeded,
                Steps = steps,
                FellBack = true,
                Fallback = fallback,
            });
        }
        catch (BudgetExhaustedException e)
        {
            return PlanningLog.Finish(_logger, run, new ReActResult
            {
                Planner = PlannerNames.ReAct,
                Outcome = PlanningOutcome.BudgetExceeded,
                BudgetExceeded = e.Exceeded,
                Reason = e.Exceeded.ToString(),
                Steps = steps,
            });
        }

        void Record(string thought, string? tool, string? arguments, string observation)
        {
            steps.Add(new ReActStep(thought, tool, arguments, observation));
            history.Add(new Dictionary<string, object?>
            {
                ["thought"] = thought,
                ["action"] = tool ?? "",
                ["arguments"] = arguments ?? "",
                ["observation"] = PlannerTools.Fence(observation),
            });
        }
    }

    /// <summary>The turn prompt's structured answer.</summary>
    internal sealed record Reply(
        [property: JsonPropertyName("thought")] string Thought,
        [property: JsonPropertyName("action")] ToolCallReply? Action,
        [property: JsonPropertyName("finish")] string? Finish);
}
