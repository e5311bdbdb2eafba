using Microsoft.Extensions.AI;

namespace AgentKit.Abstractions.Tools;

/// <summary>
/// A tool wrapped in AgentKit's one pipeline (<see cref="ToolGovernor"/>): invoking it runs the allowlist, schema and
/// range checks, approval, timeout, result cap and telemetry, and returns the text the model should read — the result
/// or an <c>Error: …</c> text; it never throws for a refused or failing call. Create one with
/// <see cref="ToolGovernor.Govern"/>.
/// </summary>
public sealed class GovernedAIFunction : DelegatingAIFunction
{
    internal GovernedAIFunction(AIFunction inner, ToolGovernor governor)
        : base(inner) => Governor = governor;

    /// <summary>The tool as registered, whose compiled schema the pipeline reuses.</summary>
    internal AIFunction Inner => InnerFunction;

    /// <summary>The pipeline this tool runs in.</summary>
    public ToolGovernor Governor { get; }

    /// <summary>Calls the tool through the pipeline.</summary>
    /// <param name="arguments">The arguments.</param>
    /// <param name="callId">The caller's id for the call; one is made when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the call (a timeout is an outcome, not an exception).</param>
    /// <returns>What happened and the text for the model.</returns>
    public ValueTask<ToolCallOutcome> InvokeGovernedAsync(AIFunctionArguments arguments, string? callId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        return Governor.InvokeAsync(InnerFunction, Name, arguments, callId ?? ToolGovernor.NewCallId(), approved: false, cancellationToken);
    }

    /// <inheritdoc />
    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken) =>
        (await InvokeGovernedAsync(arguments, null, cancellationToken).ConfigureAwait(false)).Text;
}
