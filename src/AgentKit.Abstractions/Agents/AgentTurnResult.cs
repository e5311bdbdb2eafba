using Microsoft.Extensions.AI;

namespace AgentKit.Abstractions.Agents;

/// <summary>How a turn ended, as <see cref="IAgentMemory.AfterTurnAsync"/> sees it.</summary>
/// <param name="Completed">Whether the model answered; <see langword="false"/> when a limit, cancellation or failure ended the run.</param>
/// <param name="Text">The text of the last assistant message (empty when there was none).</param>
/// <param name="Messages">The messages the run added to the session: the input, assistant messages, tool results.</param>
public sealed record AgentTurnResult(bool Completed, string Text, IReadOnlyList<ChatMessage> Messages);
