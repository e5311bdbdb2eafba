using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace AgentKit.Evaluation.Optimization;

/// <summary>Counts the calls sent to the model and refuses any beyond the budget (the optimiser plans within it; this makes the bound hold whatever a target does).</summary>
internal sealed class CallBudgetChatClient(IChatClient inner, int budget) : DelegatingChatClient(inner)
{
    private long _calls;

    public long Calls => Interlocked.Read(ref _calls);

    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Take();
        return base.GetResponseAsync(messages, options, cancellationToken);
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Take();
        await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }
    }

    private void Take()
    {
        if (Interlocked.Increment(ref _calls) > budget)
        {
            Interlocked.Decrement(ref _calls);
            throw new PromptOptimizationException(null, "Budget", $"the budget of {budget} model calls is spent.");
        }
    }
}
