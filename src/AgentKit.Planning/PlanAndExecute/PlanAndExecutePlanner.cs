using System.Text.Json;
using System.Text.Json.Serialization;
using AgentKit.Abstractions.Tools;
using AgentKit.Prompts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentKit.Planning;

/// <summary>
/// Plan-and-execute with re-planning: the model writes a plan of steps (<c>planning/plan</c>, structured), an
/// executor carries the steps out one at a time with the tools (<c>planning/execute-step</c>), and when an
/// observation invalidates the rest of the plan — a tool fails, or the executor reports a contradiction — the
/// remaining steps are revised (<c>planning/replan</c>) instead of pressed on with. Every plan and revision is in
/// the result and the trace; revisions are bounded. The answer is the last step's result. Cost: 1 planning call, 1–2
/// executor calls per step (one more per tool call), 1 per revision.
/// </summary>
public sealed class PlanAndExecutePlanner
{
    private readonly IPromptRegistry _prompts;
    private readonly ILogger _logger;

    /// <summary>Creates the planner.</summary>
    /// <param name="prompts">Where the prompt files come from.</param>
    /// <param name="logger">Optional logger.</param>
    public PlanAndExecutePlanner(IPromptRegistry prompts, ILogger<PlanAndExecutePlanner>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        _prompts = prompts;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Achieves <paramref name="goal"/> with the tools in <paramref name="options"/>.</summary>
    /// <param name="client">The model.</param>
    /// <param name="goal">What to do or answer.</param>
    /// <param name="options">Options, with the tools.</param>
    /// <param name="cancellationToken">Stops the run (raises <see cref="OperationCanceledException"/>).</param>
    /// <returns>The answer, the plans, the executed steps, trace, usage and calls.</returns>
    public async Task<PlanAndExecuteResult> RunAsync(IChatClient client, string goal, PlanAndExecuteOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(goal);
        options ??= new PlanAndExecuteOptions();
        options.Validate();
        using var run = new PlanningRun(PlannerNames.PlanAndExecute, client, _prompts, options.Budget, cancellationToken);
        var state = new ExecutionState(run, goal, options, _logger);
        try
        {
            return PlanningLog.Finish(_logger, run, await state.RunAsync().ConfigureAwait(false));
        }
        catch (BudgetExhaustedException e)
        {
            return PlanningLog.Finish(_logger, run, state.Result(PlanningOutcome.BudgetExceeded, null, e.Exceeded.ToString()) with { BudgetExceeded = e.Exceeded });
        }
        catch (PromptOutputException e)
        {
            return PlanningLog.Finish(_logger, run, state.Result(PlanningOutcome.NoAnswer, null, $"the model's plan could not be read: {e.Message}"));
        }
    }

    /// <summary>One run's plan, progress and revisions.</summary>
    private sealed class ExecutionState(PlanningRun run, string goal, PlanAndExecuteOptions options, ILogger logger)
    {
        private readonly List<Dictionary<string, object?>> _tools = PlannerTools.Describe(options.Tools);
        private readonly ToolGovernor _governor = PlannerTools.Govern(options.Tools, options.MaxObservationChars);
        private readonly List<Plan> _plans = [];
        private readonly List<ExecutedStep> _executed = [];
        private List<PlanStep> _plan = [];

        public async Task<PlanAndExecuteResult> RunAsync()
        {
            var first = await run.StructuredAsync<PlanReply>(run.Prompt(options.PlanPrompt), new Dictionary<string, object?>
            {
                ["goal"] = goal,
                ["tools"] = _tools,
                ["max_steps"] = options.MaxPlanSteps,
            }, options.ChatOptions).ConfigureAwait(false);
            Adopt(Steps(first), null);

            while (_executed.Count < _plan.Count)
            {
                var step = _plan[_executed.Count];
                var problem = await ExecuteAsync(step).ConfigureAwait(false);
                if (problem is null)
                {
                    continue;
                }

                if (_plans.Count > options.MaxRevisions)
                {
                    return Result(PlanningOutcome.NoAnswer, null, $"the plan failed at '{step.Description}' after {options.MaxRevisions} revision(s): {problem}");
                }

                await ReviseAsync(step, problem).ConfigureAwait(false);
            }

            var answer = _executed.Count > 0 ? _executed[^1].Result : null;
            return Result(answer is null ? PlanningOutcome.NoAnswer : PlanningOutcome.Answered, answer, answer is null ? "the plan had no steps" : null);
        }

        public PlanAndExecuteResult Result(PlanningOutcome outcome, string? answer, string? reason) => new()
        {
            Planner = PlannerNames.PlanAndExecute,
            Outcome = outcome,
            Answer = answer,
            Reason = reason,
            Plans = [.. _plans],
            Executed = [.. _executed],
        };

        /// <summary>Carries out one step (recording its result); returns the problem that invalidates the plan, or null.</summary>
        private async Task<string?> ExecuteAsync(PlanStep step)
        {
            var calls = new List<ReActStep>();
            var observations = new List<Dictionary<string, object?>>();
            var prompt = run.Prompt(options.ExecutePrompt);
            for (var turn = 0; turn <= options.MaxToolCallsPerStep; turn++)
            {
                var reply = await run.StructuredAsync<StepReply>(prompt, new Dictionary<string, object?>
                {
                    ["goal"] = goal,
                    ["tools"] = _tools,
                    ["plan"] = _plan.Select(s => s.Description).ToList(),
                    ["done"] = _executed.Select(e => new Dictionary<string, object?> { ["step"] = e.Step.Description, ["result"] = e.Result }).ToList(),
                    ["step"] = step.Description,
                    ["observations"] = observations,
                }, options.ChatOptions).ConfigureAwait(false);

                if (reply.InvalidatesPlan == true)
                {
                    return string.IsNullOrWhiteSpace(reply.Reason) ? "the executor found the plan cannot work" : reply.Reason.Trim();
                }

                if (reply.Action is { } action)
                {
                    if (turn == options.MaxToolCallsPerStep)
                    {
                        return $"the step needed more than {options.MaxToolCallsPerStep} tool call(s)";
                    }

                    var arguments = action.Arguments.ValueKind == JsonValueKind.Undefined ? "{}" : action.Arguments.GetRawText();
                    var outcome = await PlannerTools.InvokeAsync(run, _governor, action.Tool, action.Arguments, logger).ConfigureAwait(false);
                    calls.Add(new ReActStep(reply.Thought, action.Tool, arguments, outcome.Text));
                    if (!outcome.Succeeded)
                    {
                        return outcome.Text;
                    }

                    observations.Add(new Dictionary<string, object?>
                    {
                        ["tool"] = action.Tool,
                        ["arguments"] = arguments,
                        ["observation"] = PlannerTools.Fence(outcome.Text),
                    });
                    continue;
                }

                if (reply.Result is { } result)
                {
                    _executed.Add(new ExecutedStep(step, result.Trim(), calls));
                    return null;
                }

                observations.Add(new Dictionary<string, object?>
                {
                    ["tool"] = "(none)",
                    ["arguments"] = "{}",
                    ["observation"] = "Your reply had no action, no result and did not invalidate the plan. Give one of them.",
                });
            }

            return "the executor gave no result for the step";
        }

        private async Task ReviseAsync(PlanStep failed, string problem)
        {
            var done = _executed.Count;
            PlanningLog.Replanned(logger, _plans.Count, failed.Description, problem);
            var revised = await run.StructuredAsync<PlanReply>(run.Prompt(options.ReplanPrompt), new Dictionary<string, object?>
            {
                ["goal"] = goal,
                ["tools"] = _tools,
                ["done"] = _executed.Select(e => new Dictionary<string, object?> { ["step"] = e.Step.Description, ["result"] = e.Result }).ToList(),
                ["failed_step"] = failed.Description,
                ["problem"] = PlannerTools.Fence(problem),
                ["remaining"] = _plan.Skip(done + 1).Select(s => s.Description).ToList(),
                ["max_steps"] = options.MaxPlanSteps,
            }, options.ChatOptions).ConfigureAwait(false);
            Adopt([.. _plan.Take(done), .. Steps(revised)], problem);
        }

        private void Adopt(List<PlanStep> steps, string? problem)
        {
            _plan = steps;
            var plan = new Plan(_plans.Count, [.. steps], problem);
            _plans.Add(plan);
            run.Trace.Add(TraceStepKind.Plan, plan.Revision == 0 ? "plan" : "replan", problem ?? goal,
                string.Join("\n", steps.Select((s, i) => $"{i + 1}. {s.Description}{(s.Tool is null ? "" : $" [{s.Tool}]")}")));
        }

        private List<PlanStep> Steps(PlanReply reply) =>
            [.. reply.Steps.Take(options.MaxPlanSteps).Select(s => new PlanStep(s.Description.Trim(), string.IsNullOrWhiteSpace(s.Tool) ? null : s.Tool.Trim()))];
    }

    internal sealed record PlanReply([property: JsonPropertyName("steps")] IReadOnlyList<PlanReplyStep> Steps);

    internal sealed record PlanReplyStep(
        [property: JsonPropertyName("description")] string Description,
        [property: JsonPropertyName("tool")] string? Tool);

    internal sealed record StepReply(
        [property: JsonPropertyName("thought")] string Thought,
        [property: JsonPropertyName("action")] ToolCallReply? Action,
        [property: JsonPropertyName("result")] string? Result,
        [property: JsonPropertyName("invalidates_plan")] bool? InvalidatesPlan,
        [property: JsonPropertyName("reason")] string? Reason);
}
