using AgentKit.Abstractions.Evidence;
using Microsoft.Extensions.AI;

namespace AgentKit.Agents.Tools;

/// <summary>Adds <see cref="EvidenceConflictChatClient"/> to a <see cref="ChatClientBuilder"/>.</summary>
public static class EvidenceConflictChatClientBuilderExtensions
{
    /// <summary>
    /// Surfaces disagreements between a turn's tool results (see <see cref="EvidenceConflictChatClient"/>). Add it
    /// after (inside) function invocation, so that it sees every model call of the tool loop.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="options">Detection thresholds and bounds; defaults when null.</param>
    public static ChatClientBuilder UseEvidenceConflicts(this ChatClientBuilder builder, EvidenceConflictOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use(inner => new EvidenceConflictChatClient(inner, options));
    }
}
