using Microsoft.Extensions.AI;

namespace AgentKit.Memory;

/// <summary>
/// Carries the <see cref="MemoryScope"/> of a model call to the memory tools it invokes. The scope is attached to a
/// request message as a CLR object in <see cref="AdditionalPropertiesDictionary"/>, which is never sent to the model
/// and cannot be produced by deserializing a message, so neither the model nor a user can name another agent's scope.
/// The tools find it through <see cref="FunctionInvokingChatClient.CurrentContext"/>.
/// </summary>
public static class MemoryToolScope
{
    /// <summary>The additional-property key holding the scope.</summary>
    public const string PropertyName = "agentkit.memory.scope";

    /// <summary>Attaches <paramref name="scope"/> to <paramref name="message"/>.</summary>
    /// <param name="message">A message of the request (not one that is stored).</param>
    /// <param name="scope">The scope of the calling agent and session.</param>
    public static void Attach(ChatMessage message, MemoryScope scope)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(scope);
        message.AdditionalProperties ??= [];
        message.AdditionalProperties[PropertyName] = scope;
    }

    /// <summary>The scope attached to the messages of the function invocation in progress (the latest one when several are).</summary>
    /// <returns>The scope, or <see langword="null"/> outside a function invocation or when no message carries one.</returns>
    public static MemoryScope? Current() => Find(FunctionInvokingChatClient.CurrentContext?.Messages);

    /// <summary>The scope attached to the latest of <paramref name="messages"/> that carries one.</summary>
    /// <param name="messages">The messages.</param>
    /// <returns>The scope, or <see langword="null"/>.</returns>
    public static MemoryScope? Find(IEnumerable<ChatMessage>? messages) =>
        messages?.Select(m => m.AdditionalProperties?.GetValueOrDefault(PropertyName) as MemoryScope).LastOrDefault(s => s is not null);
}
