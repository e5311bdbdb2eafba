using Microsoft.Extensions.AI;

namespace AgentKit.Abstractions.Tools;

/// <summary>
/// How a tool's side effects behave when a call is repeated, declared in <see cref="ToolPolicy.Idempotency"/>. A
/// durable agent run never repeats a call whose result it recorded; this decides what it does with a call that
/// started before a crash and has no recorded result (it may or may not have taken effect).
/// </summary>
public enum ToolIdempotency
{
    /// <summary>Repeating the call may repeat its effect (send an e-mail, charge a card): a person is asked before it runs again.</summary>
    NotIdempotent = 0,

    /// <summary>Repeating the call is harmless (a lookup, setting a value): it runs again.</summary>
    Idempotent = 1,

    /// <summary>
    /// The tool deduplicates by the key it receives (<see cref="ToolCallContext.GetIdempotencyKey"/>), as payment and
    /// shipping APIs do: it runs again with the same key as the interrupted attempt.
    /// </summary>
    IdempotencyKey = 2,
}

/// <summary>What the runtime tells a tool about the call it is serving, through <see cref="AIFunctionArguments.Context"/>.</summary>
public static class ToolCallContext
{
    /// <summary>The <see cref="AIFunctionArguments.Context"/> key of the call's idempotency key.</summary>
    public const string IdempotencyKeyName = "agentkit.idempotency_key";

    /// <summary>
    /// The idempotency key of this call: the same for every attempt of one tool call of one run (a retry after a
    /// crash included), different for every other call. Pass it to the remote API that deduplicates (an
    /// <c>Idempotency-Key</c> header). A tool declares <see cref="ToolIdempotency.IdempotencyKey"/> to be re-run with it.
    /// </summary>
    /// <param name="arguments">The arguments the tool was invoked with (an <see cref="AIFunctionArguments"/> parameter of the tool method receives them).</param>
    /// <returns>The key, or <see langword="null"/> outside a checkpointed agent run.</returns>
    public static string? GetIdempotencyKey(this AIFunctionArguments arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        return arguments.Context is { } context && context.TryGetValue(IdempotencyKeyName, out var key) ? key as string : null;
    }
}
