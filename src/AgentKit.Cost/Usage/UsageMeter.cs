using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace AgentKit.Cost.Usage;

/// <summary>Adds up the usage of every call through it (including calls made by helpers that only return text or JSON).</summary>
internal sealed class UsageMeter(IChatClient inner) : DelegatingChatClient(inner)
{
    private readonly Lock _lock = new();
    private readonly UsageDetails _total = new();

    public UsageDetails Total
    {
        get
        {
            lock (_lock)
            {
                return Copy(_total);
            }
        }
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        Add(response.Usage);
        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            foreach (var usage in update.Contents.OfType<UsageContent>())
            {
                Add(usage.Details);
            }

            yield return update;
        }
    }

    public static UsageDetails Copy(UsageDetails? usage)
    {
        var copy = new UsageDetails();
        if (usage is not null)
        {
            copy.Add(usage);
        }

        return copy;
    }

    private void Add(UsageDetails? usage)
    {
        if (usage is null)
        {
            return;
        }

        lock (_lock)
        {
            _total.Add(usage);
        }
    }
}
