using System.Text;
using System.Text.Json;
using AgentKit.Abstractions;
using AgentKit.Abstractions.Models;
using AgentKit.Hosting.Admission;
using AgentKit.Server.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace AgentKit.Server.ChatCompletions;

/// <summary><c>POST /v1/chat/completions</c> and <c>GET /v1/models</c> in OpenAI's wire format; streaming as server-sent events.</summary>
internal sealed class ChatCompletionsEndpoint(IEnumerable<IChatTargetSource> targets, IOptions<AgentKitServerOptions> options, TimeProvider time)
{
    /// <summary>Continues a stored agent session instead of a one-off conversation.</summary>
    public const string SessionHeader = "X-AgentKit-Session";

    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    public IResult ListModels()
    {
        var created = time.GetUtcNow().ToUnixTimeSeconds();
        var data = targets.SelectMany(t => t.Names.Select(n => new ModelEntry { Id = n, Created = created, OwnedBy = t.OwnedBy })).ToList();
        return Results.Json(new ModelList { Data = data }, OpenAIWireContext.Default.ModelList);
    }

    public async Task<IResult> CompleteAsync(HttpContext context)
    {
        var cancellationToken = context.RequestAborted;
        var request = await ReadRequestAsync(context, cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(request.Model))
        {
            throw new ApiProblemException(StatusCodes.Status400BadRequest, "invalid_request", "'model' is required: name an agent or a configured chat model (see GET /v1/models).", "model");
        }

        var client = targets.Select(t => t.Resolve(request.Model)).FirstOrDefault(c => c is not null)
            ?? throw new ApiProblemException(StatusCodes.Status404NotFound, "model_not_found", $"No agent or chat model is named '{request.Model}'; see GET /v1/models.", "model");

        var limits = options.Value;
        List<ChatMessage> messages;
        ChatOptions chatOptions;
        try
        {
            messages = ChatCompletionMapper.ToMessages(request, limits);
            chatOptions = ChatCompletionMapper.ToOptions(request, limits);
        }
        catch (InvalidOperationException e) when (e.InnerException is DecoderFallbackException)
        {
            // Message contents stay raw JSON until mapped; their strings are decoded (and found not UTF-8) here.
            throw ApiProblem.InvalidUtf8(e);
        }

        var choices = request.N ?? 1;
        var multi = Choices(client, request, choices);

        if (context.Request.Headers.TryGetValue(SessionHeader, out var session) && !string.IsNullOrWhiteSpace(session))
        {
            (chatOptions.AdditionalProperties ??= [])[Agents.AgentChatClient.SessionIdProperty] = session.ToString();
        }

        // Only an agent reads it: a model client could forward additional properties upstream.
        if (client is Agents.AgentChatClient && ApiCaller.Owner(context) is { } owner)
        {
            (chatOptions.AdditionalProperties ??= [])[Agents.AgentChatClient.OwnerProperty] = owner;
        }

        // Admitted after validation and before anything is written, so a busy model is a 429 with Retry-After even
        // for a stream; the slot is held until the response (the whole stream) is written.
        return client.GetService<ModelAdmission>() is { } admission
            ? await admission.RunAsync(ct => RespondAsync(context, request, client, multi, choices, messages, chatOptions, ct), cancellationToken).ConfigureAwait(false)
            : await RespondAsync(context, request, client, multi, choices, messages, chatOptions, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Checks <c>n</c>: more than one choice is honoured only by a model that decodes several sequences at once
    /// (<see cref="IMultiSequenceChatClient"/>) and never for an agent or a stream; otherwise it is refused, not ignored.
    /// </summary>
    private static IMultiSequenceChatClient? Choices(IChatClient client, ChatCompletionRequest request, int n)
    {
        if (n < 1)
        {
            throw new ApiProblemException(StatusCodes.Status400BadRequest, "invalid_request", $"'n' is {n}; it must be 1 or more.", "n");
        }

        if (n == 1)
        {
            return null;
        }

        if (request.Stream)
        {
            throw new ApiProblemException(StatusCodes.Status400BadRequest, "invalid_request", $"'n' is {n}; several choices cannot be streamed. Send 'n': 1 or 'stream': false.", "n");
        }

        var multi = client is Agents.AgentChatClient ? null : client.GetService<IMultiSequenceChatClient>();
        return multi is not null && n <= multi.MaxSequences
            ? multi
            : throw new ApiProblemException(
                StatusCodes.Status400BadRequest,
                "invalid_request",
                multi is null
                    ? $"'n' is {n}; '{request.Model}' gives one choice per request. Send 'n': 1 and repeat the request for more."
                    : $"'n' is {n}; '{request.Model}' gives at most {multi.MaxSequences} choices per request.",
                "n");
    }

    private async Task<IResult> RespondAsync(
        HttpContext context,
        ChatCompletionRequest request,
        IChatClient client,
        IMultiSequenceChatClient? multi,
        int choices,
        List<ChatMessage> messages,
        ChatOptions chatOptions,
        CancellationToken cancellationToken)
    {
        var model = request.Model!;
        var id = $"chatcmpl-{Guid.NewGuid():N}";
        var created = time.GetUtcNow().ToUnixTimeSeconds();

        if (!request.Stream)
        {
            IReadOnlyList<ChatResponse> responses = multi is null
                ? [await CallAsync(request, () => client.GetResponseAsync(messages, chatOptions, cancellationToken)).ConfigureAwait(false)]
                : await CallAsync(request, () => multi.GetResponsesAsync(messages, choices, chatOptions, cancellationToken)).ConfigureAwait(false);
            foreach (var response in responses)
            {
                CheckRequiredCall(response, chatOptions);
            }

            return Results.Json(ChatCompletionMapper.ToCompletion(responses, id, model, created), OpenAIWireContext.Default.ChatCompletion);
        }

        // Start the stream first, so a model that cannot run still gets a proper problem response.
        var updates = client.GetStreamingResponseAsync(messages, chatOptions, cancellationToken).GetAsyncEnumerator(cancellationToken);
        var hasFirst = await CallAsync(request, async () => await updates.MoveNextAsync().ConfigureAwait(false)).ConfigureAwait(false);
        // Streamed inside the request guard, so the concurrency slot and the timeout cover the whole stream.
        await new StreamResult(updates, hasFirst, id, model, created, request.StreamOptions?.IncludeUsage == true)
            .ExecuteAsync(context, cancellationToken).ConfigureAwait(false);
        return Results.Empty;
    }

    private static async Task<ChatCompletionRequest> ReadRequestAsync(HttpContext context, CancellationToken cancellationToken)
    {
        if (context.Request.ContentType is not { } type || !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            throw new ApiProblemException(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type", "Send the request as 'Content-Type: application/json'.");
        }

        try
        {
            return await JsonSerializer.DeserializeAsync(context.Request.Body, OpenAIWireContext.Default.ChatCompletionRequest, cancellationToken).ConfigureAwait(false)
                ?? throw new ApiProblemException(StatusCodes.Status400BadRequest, "invalid_request", "The request body is empty.");
        }
        catch (JsonException e)
        {
            throw JsonBodyError.From(e, OpenAIWireContext.Default.Options, typeof(ChatCompletionRequest), "chat completion request");
        }
        catch (InvalidOperationException e) when (e.InnerException is DecoderFallbackException)
        {
            // System.Text.Json reports invalid UTF-8 inside a string this way, not as a JsonException.
            throw ApiProblem.InvalidUtf8(e);
        }
    }

    /// <summary>A schema the model cannot enforce is named by where it sits in the request: <c>tools[i]</c> or <c>response_format</c>.</summary>
    private static async Task<T> CallAsync<T>(ChatCompletionRequest request, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (ModelException e) when (e.Kind == ModelFailureKind.InvalidSchema)
        {
            var index = e.ToolName is null ? -1 : request.Tools?.FindIndex(t => t.Function?.Name == e.ToolName) ?? -1;
            var param = index >= 0 ? $"tools[{index}].function.parameters" : e.ToolName is null ? "response_format" : "tools";
            throw new ApiProblemException(StatusCodes.Status400BadRequest, "invalid_schema", e.Message, param);
        }
    }

    /// <summary>
    /// A required tool call cut off by the output limit is neither a call nor an answer: the caller asked for a call,
    /// so it is told to raise the limit rather than handed an empty message.
    /// </summary>
    private static void CheckRequiredCall(ChatResponse response, ChatOptions options)
    {
        if (options.ToolMode is RequiredChatToolMode && response.FinishReason == ChatFinishReason.Length
            && !response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Any())
        {
            throw new ApiProblemException(
                StatusCodes.Status400BadRequest,
                "max_tokens_too_small",
                $"'max_tokens' ({options.MaxOutputTokens}) ran out before the model finished the tool call 'tool_choice' requires; raise it.",
                "max_tokens");
        }
    }

    private sealed class StreamResult(IAsyncEnumerator<ChatResponseUpdate> updates, bool hasFirst, string id, string model, long created, bool includeUsage)
    {
        public async Task ExecuteAsync(HttpContext httpContext, CancellationToken cancellationToken)
        {
            var response = httpContext.Response;
            response.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-cache";
            response.Headers["X-Accel-Buffering"] = "no";
            var body = response.Body;
            UsageDetails? usage = null;
            var toolIndex = 0;
            string? finish = null;
            var sawToolCall = false;
            await using (updates.ConfigureAwait(false))
            {
                try
                {
                    await WriteAsync(body, Chunk(new ResponseMessage { Role = "assistant", Content = string.Empty }, null), cancellationToken).ConfigureAwait(false);
                    var more = hasFirst;
                    while (more)
                    {
                        var update = updates.Current;
                        foreach (var content in update.Contents)
                        {
                            switch (content)
                            {
                                case TextContent { Text.Length: > 0 } text:
                                    await WriteAsync(body, Chunk(new ResponseMessage { Content = text.Text }, null), cancellationToken).ConfigureAwait(false);
                                    break;
                                case FunctionCallContent call:
                                    sawToolCall = true;
                                    await WriteAsync(body, Chunk(new ResponseMessage { ToolCalls = [ChatCompletionMapper.ToWireCall(call, toolIndex++)] }, null), cancellationToken).ConfigureAwait(false);
                                    break;
                                case UsageContent u:
                                    usage = u.Details;
                                    break;
                            }
                        }

                        finish = ChatCompletionMapper.FinishReason(update.FinishReason, sawToolCall) ?? finish;
                        more = await updates.MoveNextAsync().ConfigureAwait(false);
                    }

                    await WriteAsync(body, Chunk(new ResponseMessage(), finish ?? (sawToolCall ? "tool_calls" : "stop")), cancellationToken).ConfigureAwait(false);
                    if (includeUsage)
                    {
                        var final = new ChatCompletion { Id = id, Object = "chat.completion.chunk", Created = created, Model = model, Choices = [], Usage = ChatCompletionMapper.ToUsage(usage) ?? new WireUsage() };
                        await WriteAsync(body, final, cancellationToken).ConfigureAwait(false);
                    }

                    await body.WriteAsync(Done, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is ModelException or InvalidOperationException or ApiProblemException && !cancellationToken.IsCancellationRequested)
                {
                    // The status line is gone; tell the client in the stream, in OpenAI's error shape, and end it.
                    var message = e is ModelException model ? ApiExceptionHandler.Describe(model) : e.Message;
                    var error = JsonSerializer.Serialize(new Dictionary<string, object> { ["error"] = new Dictionary<string, string> { ["message"] = message, ["type"] = "server_error" } });
                    await body.WriteAsync(Encoding.UTF8.GetBytes($"data: {error}\n\n"), CancellationToken.None).ConfigureAwait(false);
                }
            }
        }

        private ChatCompletion Chunk(ResponseMessage delta, string? finishReason) => new()
        {
            Id = id,
            Object = "chat.completion.chunk",
            Created = created,
            Model = model,
            Choices = [new Choice { Index = 0, Delta = delta, FinishReason = finishReason }],
        };

        private static async Task WriteAsync(Stream body, ChatCompletion chunk, CancellationToken cancellationToken)
        {
            await body.WriteAsync(DataPrefix, cancellationToken).ConfigureAwait(false);
            await JsonSerializer.SerializeAsync(body, chunk, OpenAIWireContext.Default.ChatCompletion, cancellationToken).ConfigureAwait(false);
            await body.WriteAsync(EventEnd, cancellationToken).ConfigureAwait(false);
            await body.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
