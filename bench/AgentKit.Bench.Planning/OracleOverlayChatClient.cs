using System.Text.Json;
using AgentKit.Abstractions;
using Game24.Puzzle;
using Microsoft.Extensions.AI;

namespace AgentKit.Bench.Planning;

/// <summary>
/// Lets the engine decode every call for real (prompt and generated tokens, so the timing is the engine's), then
/// replaces the generated Game of 24 text with the exact answer: true next steps for proposals (those that can still
/// reach 24 first, as a good proposer would), an exact verdict for
/// values. The search then takes the same path whichever way the calls were issued, so two runs differ only in how
/// they used the engine. The generated model's own text is random and would stop the search at the root.
/// </summary>
internal sealed class OracleOverlayChatClient(IChatClient inner, bool offerMultiSequence, int proposals) : DelegatingChatClient(inner), IMultiSequenceChatClient
{
    private readonly IMultiSequenceChatClient? _multi = inner.GetService<IMultiSequenceChatClient>();

    public int MaxSequences => _multi!.MaxSequences;

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        return Overlay(list, await base.GetResponseAsync(list, options, cancellationToken).ConfigureAwait(false));
    }

    public async Task<IReadOnlyList<ChatResponse>> GetResponsesAsync(IEnumerable<ChatMessage> messages, int count, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        var responses = await _multi!.GetResponsesAsync(list, count, options, cancellationToken).ConfigureAwait(false);
        return [.. responses.Select(r => Overlay(list, r))];
    }

    public async Task<IReadOnlyList<ChatResponse>> GetResponsesAsync(IReadOnlyList<IEnumerable<ChatMessage>> conversations, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var lists = conversations.Select(c => c.ToList()).ToList();
        var responses = await _multi!.GetResponsesAsync(lists, options, cancellationToken).ConfigureAwait(false);
        return [.. responses.Select((r, i) => Overlay(lists[i], r))];
    }

    public override object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(IMultiSequenceChatClient) ? (offerMultiSequence && _multi is not null ? this : null) : base.GetService(serviceType, serviceKey);

    private ChatResponse Overlay(List<ChatMessage> messages, ChatResponse response)
    {
        var system = messages[0].Text;
        var numbers = messages[^1].Text.Replace("Input:", "", StringComparison.Ordinal)
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(t => Rational.TryParse(t, out var r) ? r : throw new FormatException($"not a Game of 24 state: {messages[^1].Text}"))
            .ToList();
        var text = system.Contains("Evaluate if", StringComparison.Ordinal)
            ? JsonSerializer.Serialize(new { evaluation = "exact", verdict = Game24Solver.CanReach24(numbers) ? "sure" : "impossible" })
            : string.Join('\n', Game24Solver.NextSteps(numbers).OrderByDescending(step => Game24Solver.CanReach24(step.Remaining)).Take(proposals));
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, text)) { Usage = response.Usage, FinishReason = response.FinishReason };
    }
}
