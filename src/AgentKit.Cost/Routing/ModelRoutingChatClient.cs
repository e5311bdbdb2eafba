using System.Runtime.CompilerServices;
using AgentKit.Cost.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentKit.Cost.Routing;

/// <summary>
/// Sends each request to the model a <see cref="ModelRouter"/> picks for its last user message, or to a fallback
/// (typically a <see cref="Cascade.ModelCascade"/>) when the router is not confident. The decision is in the
/// response's (and each streamed update's) <see cref="DecisionPropertyKey"/> property.
/// </summary>
/// <remarks>
/// Microsoft.Extensions.AI 10.11 has a <c>RoutingChatClient</c> base for this, still marked for evaluation only
/// (MEAI001); deriving from it would pass that warning on to every caller, so this client stands alone until it is stable.
/// </remarks>
public sealed class ModelRoutingChatClient : IChatClient
{
    /// <summary>The property of a response (and of each streamed update) that holds the <see cref="RoutingDecision"/>.</summary>
    public const string DecisionPropertyKey = "agentkit.routing";

    /// <summary>The model name reported when a request without user text went to the fallback.</summary>
    public const string FallbackName = "fallback";

    private readonly ModelRouter _router;
    private readonly IReadOnlyDictionary<string, IChatClient> _models;
    private readonly IChatClient _fallback;
    private readonly ILogger _logger;

    /// <summary>Creates the client.</summary>
    /// <param name="router">The trained router.</param>
    /// <param name="models">The models by the names the examples use.</param>
    /// <param name="fallback">Answers when the router is not confident.</param>
    /// <param name="logger">Logs decisions at Debug level.</param>
    /// <exception cref="ArgumentException">A model the router knows is missing from <paramref name="models"/>.</exception>
    public ModelRoutingChatClient(ModelRouter router, IReadOnlyDictionary<string, IChatClient> models, IChatClient fallback, ILogger<ModelRoutingChatClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(router);
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(fallback);
        if (router.Models.FirstOrDefault(m => !models.ContainsKey(m)) is { } missing)
        {
            throw new ArgumentException($"The router's examples name the model '{missing}', which is not among the models given ({string.Join(", ", models.Keys)}).", nameof(models));
        }

        _router = router;
        _models = models;
        _fallback = fallback;
        _logger = logger ?? NullLogger<ModelRoutingChatClient>.Instance;
    }

    /// <inheritdoc/>
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        var (decision, client) = await ChooseAsync(list, cancellationToken).ConfigureAwait(false);
        var response = await client.GetResponseAsync(list, options, cancellationToken).ConfigureAwait(false);
        (response.AdditionalProperties ??= [])[DecisionPropertyKey] = decision;
        return response;
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        var (decision, client) = await ChooseAsync(list, cancellationToken).ConfigureAwait(false);
        await foreach (var update in client.GetStreamingResponseAsync(list, options, cancellationToken).ConfigureAwait(false))
        {
            (update.AdditionalProperties ??= [])[DecisionPropertyKey] = decision;
            yield return update;
        }
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        // The models belong to whoever gave them.
    }

    private async Task<(RoutingDecision Decision, IChatClient Client)> ChooseAsync(IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken)
    {
        var text = messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text;
        var decision = string.IsNullOrWhiteSpace(text)
            ? new RoutingDecision(FallbackName, 0, false)
            : await _router.RouteAsync(text, cancellationToken).ConfigureAwait(false);
        if (!decision.Confident)
        {
            CostLog.RouterFallback(_logger, decision.Confidence, _router.Options.MinConfidence);
            CostTelemetry.RouterDecisions.Add(1, new KeyValuePair<string, object?>(CostTelemetry.ModelTag, FallbackName));
            return (decision, _fallback);
        }

        CostLog.Routed(_logger, decision.Model, decision.Confidence);
        CostTelemetry.RouterDecisions.Add(1, new KeyValuePair<string, object?>(CostTelemetry.ModelTag, decision.Model));
        return (decision, _models[decision.Model]);
    }
}
