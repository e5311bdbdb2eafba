using System.Text.RegularExpressions;
using AgentKit.Prompts;
using AgentKit.Sandbox;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentKit.Planning;

/// <summary>
/// Program-aided answering (PAL, Gao et al. 2022): the model writes a JavaScript program (<c>planning/pal</c>), the
/// program runs in the <see cref="IJavaScriptSandbox"/> within its limits, and the answer is what it printed last (or
/// its result), normalised in the <see cref="AnswerFormat"/>. A program that does not parse, throws, hits a sandbox
/// limit or prints no answer in the format is shown to the model with its error for a corrected one, up to
/// <see cref="ProgramAidedOptions.MaxAttempts"/>. The arithmetic is exact because the interpreter does it, not the model.
/// Cost: 1 call per attempt.
/// </summary>
public sealed partial class ProgramAidedPlanner
{
    private readonly IPromptRegistry _prompts;
    private readonly IJavaScriptSandbox _sandbox;
    private readonly ILogger _logger;

    /// <summary>Creates the planner.</summary>
    /// <param name="prompts">Where the prompt files come from.</param>
    /// <param name="sandbox">Where the programs run (<c>AddAgentKitSandbox</c> registers one; its limits apply).</param>
    /// <param name="logger">Optional logger.</param>
    public ProgramAidedPlanner(IPromptRegistry prompts, IJavaScriptSandbox sandbox, ILogger<ProgramAidedPlanner>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(sandbox);
        _prompts = prompts;
        _sandbox = sandbox;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Answers <paramref name="question"/> with a program.</summary>
    /// <param name="client">The model that writes the programs.</param>
    /// <param name="question">The question or task.</param>
    /// <param name="options">Options; default <see cref="ProgramAidedOptions"/>.</param>
    /// <param name="cancellationToken">Stops the run and a program in flight (raises <see cref="OperationCanceledException"/>).</param>
    /// <returns>The answer and every program written with its output or error; a budget stop is an outcome, not an exception.</returns>
    public async Task<ProgramAidedResult> RunAsync(IChatClient client, string question, ProgramAidedOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(question);
        options ??= new ProgramAidedOptions();
        options.Validate();
        using var run = new PlanningRun(PlannerNames.ProgramAided, client, _prompts, options.Budget, cancellationToken);
        var attempts = new List<ProgramAttempt>();
        var prompt = run.Prompt(options.Prompt);
        try
        {
            while (attempts.Count < options.MaxAttempts)
            {
                var reply = await run.CompleteAsync(prompt, new Dictionary<string, object?>
                {
                    ["question"] = question,
                    ["format"] = options.Format.Kind,
                    ["format_detail"] = options.Format.Detail,
                    ["attempts"] = attempts.Select(a => new Dictionary<string, object?> { ["code"] = a.Program, ["error"] = a.Error }).ToList(),
                }, options.ChatOptions).ConfigureAwait(false);
                var (attempt, answer) = await RunProgramAsync(run, Program(reply.Text), options).ConfigureAwait(false);
                attempts.Add(attempt);
                if (answer is not null)
                {
                    return PlanningLog.Finish(_logger, run, Result(PlanningOutcome.Answered, answer, null, attempts));
                }

                PlanningLog.ProgramFailed(_logger, attempts.Count, options.MaxAttempts, attempt.Error!);
            }

            return PlanningLog.Finish(_logger, run, Result(PlanningOutcome.NoAnswer, null,
                $"none of the {attempts.Count} program(s) gave a {options.Format.Kind} answer; the last failed with: {attempts[^1].Error}", attempts));
        }
        catch (BudgetExhaustedException e)
        {
            return PlanningLog.Finish(_logger, run, Result(PlanningOutcome.BudgetExceeded, null, e.Exceeded.ToString(), attempts) with { BudgetExceeded = e.Exceeded });
        }
    }

    /// <summary>The program in a reply: the first fenced block (any language tag), else the whole reply.</summary>
    internal static string Program(string reply)
    {
        var fenced = FencedBlock().Match(reply);
        return (fenced.Success ? fenced.Groups["code"].Value : reply).Trim();
    }

    private static ProgramAidedResult Result(PlanningOutcome outcome, string? answer, string? reason, List<ProgramAttempt> attempts) => new()
    {
        Planner = PlannerNames.ProgramAided,
        Outcome = outcome,
        Answer = answer,
        Reason = reason,
        Attempts = [.. attempts],
    };

    private async Task<(ProgramAttempt Attempt, string? Answer)> RunProgramAsync(PlanningRun run, string code, ProgramAidedOptions options)
    {
        if (code.Length == 0)
        {
            return Failed(run, code, "", "the reply held no program: reply with the program in one ```javascript block.", options);
        }

        SandboxResult result;
        run.StepStarted(TraceStepKind.ToolCall, RunCodeTool.Name);
        try
        {
            result = await run.GuardAsync(() => _sandbox.RunAsync(new SandboxRequest(code), run.Token)).ConfigureAwait(false);
        }
        catch (SandboxException e)
        {
            return Failed(run, code, e.Output, e.Message, options);
        }

        var printed = result.Answer;
        var answer = printed is null ? null : options.Format.Normalize(printed);
        if (answer is null)
        {
            var problem = printed is null
                ? "the program printed nothing and its last expression has no value: print the answer with console.log(...)."
                : $"the program's answer '{Cut(printed, 200)}' is not a {options.Format} answer.";
            return Failed(run, code, result.Output, problem, options);
        }

        run.Trace.Add(TraceStepKind.ToolCall, RunCodeTool.Name, code, result.Output.Length > 0 ? result.Output : result.Result ?? "");
        return (new ProgramAttempt(code, result.Output, null), answer);
    }

    private static (ProgramAttempt, string?) Failed(PlanningRun run, string code, string output, string error, ProgramAidedOptions options)
    {
        error = Cut(error, options.MaxErrorChars);
        run.Trace.Add(TraceStepKind.ToolCall, RunCodeTool.Name, code, "Error: " + error);
        return (new ProgramAttempt(code, output, error), null);
    }

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..max] + "…";

    [GeneratedRegex(@"```[^\S\r\n]*[\w+-]*[^\S\r\n]*\r?\n(?<code>.*?)```", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex FencedBlock();
}
