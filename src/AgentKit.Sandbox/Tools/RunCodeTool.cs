using System.ComponentModel;
using Microsoft.Extensions.AI;

namespace AgentKit.Sandbox;

/// <summary>What <c>run_code</c> returns to the model: the output and result, or the error to correct the program by.</summary>
/// <param name="Output">What the program printed.</param>
/// <param name="Result">The value of its last expression, as JSON; null when none.</param>
/// <param name="Error">Why it did not complete (a JavaScript error with its line, or the limit it hit); null when it did.</param>
/// <param name="Limit">The <see cref="SandboxLimit"/> it hit, when that is why.</param>
public sealed record RunCodeResult(string Output, string? Result, string? Error = null, string? Limit = null);

/// <summary>
/// The <c>run_code</c> tool: runs a JavaScript program the model wrote in an <see cref="IJavaScriptSandbox"/>. A
/// failed program is an answer (<see cref="RunCodeResult.Error"/>) for the model to correct, not a tool failure.
/// Offer it to agents through the governed tool pipeline like any tool (hosting: the built-in plugin <c>code</c>).
/// </summary>
public static class RunCodeTool
{
    /// <summary>The tool's name.</summary>
    public const string Name = "run_code";

    /// <summary>The tool's description, as the model reads it.</summary>
    public const string Description =
        "Runs a JavaScript program (strict mode, ECMAScript 2023) and returns what it printed with console.log and the value of its last expression. " +
        "Use it for exact arithmetic, counting, dates and data transformations. The global `input` is undefined; there are no files, network, modules or timers, " +
        "and time, statements, memory and output are limited. On failure the error names the line or the limit: fix the program and run it again.";

    /// <summary>Creates the tool over a sandbox.</summary>
    /// <param name="sandbox">Where programs run.</param>
    /// <returns>The tool.</returns>
    public static AIFunction Create(IJavaScriptSandbox sandbox)
    {
        ArgumentNullException.ThrowIfNull(sandbox);

        async Task<RunCodeResult> RunAsync(
            [Description("The JavaScript program. Print the answer with console.log(...).")] string code,
            CancellationToken cancellationToken = default)
        {
            try
            {
                var result = await sandbox.RunAsync(new SandboxRequest(code), cancellationToken).ConfigureAwait(false);
                return new RunCodeResult(result.Output, result.Result);
            }
            catch (SandboxLimitExceededException e)
            {
                return new RunCodeResult(e.Output, null, e.Message, e.Limit.ToString());
            }
            catch (SandboxScriptException e)
            {
                return new RunCodeResult(e.Output, null, e.Message);
            }
        }

        return AIFunctionFactory.Create(RunAsync, new AIFunctionFactoryOptions { Name = Name, Description = Description });
    }
}
