using System.Text;
using AgentKit.Evaluation.Datasets;
using AgentKit.Prompts;
using Microsoft.Extensions.AI;

namespace AgentKit.Evaluation.Scenarios;

/// <summary>Plays the user's side of a scenario.</summary>
public interface IUserSimulator
{
    /// <summary>The user's next message, or <see langword="null"/> when the user is done.</summary>
    /// <param name="conversation">The conversation so far (user and assistant messages, tool traffic included).</param>
    /// <param name="cancellationToken">Cancels a model call.</param>
    /// <returns>The message.</returns>
    ValueTask<string?> NextAsync(IReadOnlyList<ChatMessage> conversation, CancellationToken cancellationToken);
}

/// <summary>A user whose messages are fixed in the dataset (<c>input</c> or <c>turns</c>).</summary>
/// <param name="turns">The messages, in order.</param>
public sealed class ScriptedUserSimulator(IReadOnlyList<string> turns) : IUserSimulator
{
    private int _next;

    /// <inheritdoc/>
    public ValueTask<string?> NextAsync(IReadOnlyList<ChatMessage> conversation, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_next < turns.Count ? turns[_next++] : null);
}

/// <summary>
/// A user played by a model on the prompt file <c>eval/user-simulator</c> (persona, goal, transcript). The model ends
/// the conversation by answering <see cref="DoneMarker"/>; the scenario's <c>max_turns</c> bounds it anyway.
/// </summary>
/// <param name="model">The model playing the user (it may be another model than the one under test).</param>
/// <param name="prompt">The persona prompt, <c>eval/user-simulator</c> or one with the same inputs.</param>
/// <param name="spec">The persona, goal and turn bound.</param>
public sealed class ModelUserSimulator(IChatClient model, PromptTemplate prompt, UserSimulatorSpec spec) : IUserSimulator
{
    /// <summary>The prompt file's registry name.</summary>
    public const string PromptName = "eval/user-simulator";

    /// <summary>What the simulated user answers when its goal is reached or cannot be.</summary>
    public const string DoneMarker = "[DONE]";

    private const int MaxTranscriptChars = 24_000;
    private int _sent;

    /// <inheritdoc/>
    public async ValueTask<string?> NextAsync(IReadOnlyList<ChatMessage> conversation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        if (_sent >= spec.MaxTurns)
        {
            return null;
        }

        var inputs = new Dictionary<string, object?>
        {
            ["persona"] = spec.Persona,
            ["goal"] = spec.Goal,
            ["transcript"] = Transcript(conversation),
        };
        var response = await model.GetResponseAsync(prompt, inputs, cancellationToken: cancellationToken).ConfigureAwait(false);
        var text = response.Text.Trim();
        if (text.Length == 0 || text.Contains(DoneMarker, StringComparison.Ordinal))
        {
            return null;
        }

        _sent++;
        return text;
    }

    private static string Transcript(IReadOnlyList<ChatMessage> conversation)
    {
        var builder = new StringBuilder();
        foreach (var m in conversation.Where(m => (m.Role == ChatRole.User || m.Role == ChatRole.Assistant) && !string.IsNullOrWhiteSpace(m.Text)))
        {
            builder.Append(m.Role == ChatRole.User ? "Customer: " : "Agent: ").AppendLine(m.Text.Trim());
        }

        // The simulator needs the latest exchange most: keep the end of a long transcript.
        return builder.Length <= MaxTranscriptChars ? builder.ToString() : builder.ToString(builder.Length - MaxTranscriptChars, MaxTranscriptChars);
    }
}
