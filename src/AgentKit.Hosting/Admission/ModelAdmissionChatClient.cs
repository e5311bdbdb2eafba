using System.Runtime.CompilerServices;
using AgentKit.Abstractions;
using Microsoft.Extensions.AI;

namespace AgentKit.Hosting.Admission;

/// <summary>
/// Passes each call through a <see cref="ModelAdmission"/>: a call takes a slot (a streaming call for its whole
/// enumeration) or waits in the bounded queue, and beyond the queue fails with <see cref="ModelBusyException"/>.
/// Multi-sequence calls of an engine that offers <see cref="IMultiSequenceChatClient"/> are admitted the same way.
/// <see cref="GetService"/> returns the <see cref="ModelAdmission"/>, so a host can hold a slot for a whole agent run.
/// </summary>
public sealed class ModelAdmissionChatClient : DelegatingChatClient, IMultiSequenceChatClient
{
    /// <summary>Wraps <paramref name="innerClient"/>.</summary>
    /// <param name="innerClient">The model.</param>
    /// <param name="admission">The admission control, usually shared by every client of one model.</param>
    public ModelAdmissionChatClient(IChatClient innerClient, ModelAdmission admission)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(admission);
        Admission = admission;
    }

    /// <summary>The admission control.</summary>
    public ModelAdmission Admission { get; }

    /// <inheritdoc />
    public int MaxSequences => MultiSequence?.MaxSequences ?? 1;

    private IMultiSequenceChatClient? MultiSequence => InnerClient.GetService<IMultiSequenceChatClient>();

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var lease = await Admission.EnterAsync(cancellationToken).ConfigureAwait(false);
        return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var lease = await Admission.EnterAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ChatResponse>> GetResponsesAsync(IEnumerable<ChatMessage> messages, int count, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var inner = MultiSequence ?? throw new NotSupportedException("The model underneath does not decode several sequences at once.");
        using var lease = await Admission.EnterAsync(cancellationToken).ConfigureAwait(false);
        return await inner.GetResponsesAsync(messages, count, options, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ChatResponse>> GetResponsesAsync(IReadOnlyList<IEnumerable<ChatMessage>> conversations, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var inner = MultiSequence ?? throw new NotSupportedException("The model underneath does not decode several sequences at once.");
        using var lease = await Admission.EnterAsync(cancellationToken).ConfigureAwait(false);
        return await inner.GetResponsesAsync(conversations, options, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is null && serviceType == typeof(ModelAdmission))
        {
            return Admission;
        }

        // Offered only when the engine underneath decodes several sequences; then through this layer, admitted.
        if (serviceKey is null && serviceType == typeof(IMultiSequenceChatClient))
        {
            return MultiSequence is null ? null : this;
        }

        return base.GetService(serviceType, serviceKey);
    }
}
