using System.ClientModel;
using System.Runtime.CompilerServices;
using System.Text.Json;
using AgentKit.Abstractions.Models;
using Microsoft.Extensions.AI;

namespace AgentKit.Hosting.Models;

/// <summary>
/// The innermost layer over an OpenAI-compatible endpoint: turns its transport and protocol failures into a
/// <see cref="ModelEndpointException"/> that says plainly what failed, and treats a stream that ends before the model
/// finished (no finish reason) as a failure instead of a short answer. An upstream refusal of a prompt too long for
/// the model's context becomes <see cref="ModelFailureKind.ContextLengthExceeded"/>, as the local engine reports it.
/// </summary>
internal sealed class RemoteModelChatClient(IChatClient inner, string modelName, Uri endpoint, TimeSpan timeout) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        try
        {
            return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Translate(e, cancellationToken) is { } failure)
        {
            throw failure;
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var finished = false;
        var updates = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using (updates.ConfigureAwait(false))
        {
            while (true)
            {
                try
                {
                    if (!await updates.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }
                }
                catch (Exception e) when (Translate(e, cancellationToken) is { } failure)
                {
                    throw failure;
                }

                finished |= updates.Current.FinishReason is not null;
                yield return updates.Current;
            }
        }

        if (!finished)
        {
            throw Failure(ModelEndpointFailure.TruncatedStream, "its streamed answer ended before the model finished (no finish_reason): the connection was cut or the server stopped early", null);
        }
    }

    private ModelEndpointException? Translate(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        ModelEndpointException => null,
        OperationCanceledException when cancellationToken.IsCancellationRequested => null,

        // The retry policy gives up with every attempt's failure; the last one says what is wrong.
        AggregateException { InnerExceptions.Count: > 0 } retries => Translate(retries.InnerExceptions[^1], cancellationToken),
        OperationCanceledException or TimeoutException => Failure(ModelEndpointFailure.Timeout, $"it did not answer within {timeout.TotalSeconds:0.###} s (AgentKit:Models:{modelName}:Timeout)", exception),
        ClientResultException { Status: 400 } http when UpstreamError(http) is { } overflow && IsContextOverflow(overflow) =>
            Failure(ModelEndpointFailure.HttpError, $"the prompt does not fit in its context window ({Message(overflow)}); shorten the conversation or ask for fewer output tokens", exception, 400, ModelFailureKind.ContextLengthExceeded),
        ClientResultException { Status: > 0 } http => Failure(ModelEndpointFailure.HttpError, $"it answered HTTP {http.Status}{Reason(http.Status)}", exception, http.Status),
        ClientResultException or HttpRequestException => Failure(ModelEndpointFailure.Unreachable, $"it could not be reached ({exception.Message.ReplaceLineEndings(" ")})", exception),
        IOException => Failure(ModelEndpointFailure.TruncatedStream, "its answer was cut off (the connection closed mid-response)", exception),
        JsonException or FormatException or InvalidOperationException or KeyNotFoundException => Failure(ModelEndpointFailure.InvalidResponse, $"its answer is not a valid chat completion ({exception.GetType().Name}: {exception.Message.ReplaceLineEndings(" ")})", exception),
        _ => null,
    };

    private ModelEndpointException Failure(ModelEndpointFailure failure, string what, Exception? cause, int? status = null, ModelFailureKind? kind = null) =>
        new($"The model '{modelName}' at {endpoint} failed: {what}.", cause)
        {
            ModelName = modelName,
            Endpoint = endpoint,
            Failure = failure,
            StatusCode = status,
            Reason = what,
            Kind = kind ?? failure switch
            {
                ModelEndpointFailure.Timeout => ModelFailureKind.Timeout,
                ModelEndpointFailure.Unreachable or ModelEndpointFailure.HttpError => ModelFailureKind.Unavailable,
                _ => ModelFailureKind.InvalidResponse,
            },
        };

    /// <summary>The <c>error</c> object of an OpenAI-style error body, when the endpoint sent one.</summary>
    private static JsonElement? UpstreamError(ClientResultException http)
    {
        try
        {
            using var body = JsonDocument.Parse(http.GetRawResponse()?.Content ?? BinaryData.Empty);
            return body.RootElement.ValueKind == JsonValueKind.Object && body.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object
                ? error.Clone()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // OpenAI says code "context_length_exceeded"; llama.cpp's server says type "exceed_context_size_error".
    private static bool IsContextOverflow(JsonElement error) =>
        (error.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String && code.ValueEquals("context_length_exceeded"))
        || (error.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.ValueEquals("exceed_context_size_error"));

    private static string Message(JsonElement error) =>
        error.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String ? message.GetString()!.ReplaceLineEndings(" ") : "context_length_exceeded";

    private static string Reason(int status) => status switch
    {
        429 => " (too many requests: the endpoint is rate-limiting; retries were exhausted)",
        500 => " (internal server error)",
        502 or 503 or 504 => " (the endpoint is unavailable)",
        401 or 403 => " (the API key was refused)",
        404 => " (not found: check the endpoint URL and model name)",
        _ => string.Empty,
    };
}
