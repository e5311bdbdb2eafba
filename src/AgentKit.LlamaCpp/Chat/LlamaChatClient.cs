using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using AgentKit.Abstractions;
using AgentKit.Abstractions.Text;
using AgentKit.LlamaCpp.Batching;
using AgentKit.LlamaCpp.Diagnostics;
using AgentKit.LlamaCpp.Generation;
using AgentKit.LlamaCpp.Grammars;
using AgentKit.LlamaCpp.Sampling;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentKit.LlamaCpp.Chat;

/// <summary>
/// An <see cref="IChatClient"/> over a local llama.cpp model. Formats the conversation with the model's own
/// chat template, honours <see cref="ChatOptions"/> (sampling, limits, stop sequences, seed, JSON and JSON
/// Schema response formats, tools with auto/required/none), returns tool calls as
/// <see cref="FunctionCallContent"/> (so <c>UseFunctionInvocation()</c> works end to end), and reuses the KV
/// cache for the unchanged prefix of a conversation across turns. Requests run concurrently on a bounded pool
/// of contexts. Through <see cref="GetService"/> it offers <see cref="IMultiSequenceChatClient"/> and the model's
/// <see cref="ITokenCounter"/>.
/// </summary>
public sealed partial class LlamaChatClient : IChatClient, IMultiSequenceChatClient
{
    /// <summary><see cref="ChatOptions.AdditionalProperties"/> key for min-p sampling (float).</summary>
    public const string MinPProperty = "min_p";

    /// <summary><see cref="ChatOptions.AdditionalProperties"/> key for the repetition penalty (float).</summary>
    public const string RepetitionPenaltyProperty = "repetition_penalty";

    /// <summary><see cref="ChatOptions.AdditionalProperties"/> key for typical-p sampling (float).</summary>
    public const string TypicalPProperty = "typical_p";

    private readonly LlamaModel _model;
    private readonly LlamaTokenCounter _tokenCounter;
    private readonly LlamaChatClientOptions _options;
    private readonly LlamaContextPool _pool;
    private readonly LlamaContextPool? _draftPool;
    private readonly ChatPromptBuilder _prompts;
    private readonly ILogger _logger;
    private readonly ChatClientMetadata _metadata;

    /// <summary>Creates a chat client on a loaded model. The client does not own the model.</summary>
    /// <param name="model">The model; it must not be vocabulary-only.</param>
    /// <param name="options">Options; defaults when null.</param>
    /// <param name="loggerFactory">Logging.</param>
    public LlamaChatClient(LlamaModel model, LlamaChatClientOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.IsVocabOnly)
        {
            throw new LlamaException($"Model '{model.Path}' was loaded with VocabOnly = true and cannot generate. Load it without VocabOnly.");
        }

        _options = options ?? new LlamaChatClientOptions();
        _options.Validate();
        _model = model;
        _tokenCounter = new LlamaTokenCounter(model.Vocabulary);
        _logger = loggerFactory?.CreateLogger<LlamaChatClient>() ?? NullLogger<LlamaChatClient>.Instance;
        var modelId = _options.ModelId ?? model.Metadata.Name ?? Path.GetFileNameWithoutExtension(model.Path);
        _scheduler = _options.Batching is { } batching ? new LlamaBatchScheduler(model, _options.Context, batching) : null;
        _pool = new LlamaContextPool(model, _options.Context, _options.MaxContexts, modelId, _options.ShareThreadsAcrossContexts);
        _draftPool = CreateDraftPool(model, _options, modelId);
        _prompts = new ChatPromptBuilder(model, _options, new ToolPromptTemplates(_options.ToolPrompts ?? new ToolPromptFiles(_options.PromptsDirectory ?? ToolPromptFiles.DefaultDirectory)));
        _metadata = new ChatClientMetadata("llama.cpp", null, modelId);
    }

    /// <summary>The tool-call syntax this client uses with its model.</summary>
    public ToolCallFormat ToolCallFormat => _prompts.Format;

    /// <inheritdoc />
    public int MaxSequences => _options.Batching?.MaxSequences ?? _options.Context.MaxSequences;

    /// <summary>Most contexts (concurrent requests) the client keeps.</summary>
    public int MaxContexts => _pool.MaxContexts;

    /// <summary>Contexts currently running a request.</summary>
    public int ContextsInUse => _pool.InUse;

    /// <inheritdoc />
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var request = Prepare(messages, options, count: 1);
        var responseId = NewId("chatcmpl-");
        var created = DateTimeOffset.UtcNow;
        var stream = new ToolAwareStream(request.Tools);

        var speed = new GenerationSpeed(_metadata.DefaultModelId);
        LlamaGenerationUpdate last = default;
        var logProbabilities = request.Generation[0].LogProbabilities ? new List<float>() : null;
        await foreach (var update in GenerateOneAsync(request.Prompt, request.Generation[0], cancellationToken).ConfigureAwait(false))
        {
            speed.OnToken();
            last = update;
            if (update.LogProbability is { } logProbability)
            {
                logProbabilities!.Add(logProbability);
            }

            var visible = stream.Push(update.Text);
            if (visible.Length > 0)
            {
                yield return Update(responseId, created, new TextContent(visible));
            }
        }

        Log.Generated(_logger, last.Usage.PromptTokens, last.Usage.ReusedPromptTokens, last.Usage.GeneratedTokens, last.FinishReason);
        speed.Record(last.Usage);
        var final = stream.Complete();
        var contents = new List<AIContent>();
        if (final.Text.Length > 0)
        {
            contents.Add(new TextContent(final.Text));
        }

        contents.AddRange(final.Calls);
        contents.Add(new UsageContent(Usage(last.Usage)));
        var finalUpdate = Update(responseId, created, contents);
        if (logProbabilities is not null)
        {
            finalUpdate.AdditionalProperties = new() { [TokenLogProbabilities.PropertyKey] = logProbabilities.ToArray() };
        }

        finalUpdate.FinishReason = final.Calls.Count > 0 ? ChatFinishReason.ToolCalls
            : last.FinishReason == LlamaFinishReason.Length ? ChatFinishReason.Length : ChatFinishReason.Stop;
        yield return finalUpdate;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ChatResponse>> GetResponsesAsync(IEnumerable<ChatMessage> messages, int count, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (count < 1 || count > MaxSequences)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"count must be 1 to {MaxSequences} (LlamaChatClientOptions.Context.MaxSequences).");
        }

        var request = Prepare(messages, options, count);
        return await GenerateManyAsync(Enumerable.Repeat(request.Prompt, count).ToArray(), request, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ChatResponse>> GetResponsesAsync(IReadOnlyList<IEnumerable<ChatMessage>> conversations, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(conversations);
        if (conversations.Count < 1 || conversations.Count > MaxSequences)
        {
            throw new ArgumentOutOfRangeException(nameof(conversations), conversations.Count, $"Between 1 and {MaxSequences} conversations (LlamaChatClientOptions.Context.MaxSequences).");
        }

        var requests = conversations.Select(c => Prepare(c, options, 1)).ToArray();
        var combined = requests[0] with { Generation = requests.Select(r => r.Generation[0]).ToArray() };
        return await GenerateManyAsync(requests.Select(r => r.Prompt).ToArray(), combined, cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<ChatResponse>> GenerateManyAsync(IReadOnlyList<LlamaToken>[] prompts, PreparedRequest request, CancellationToken cancellationToken)
    {
        var n = prompts.Length;
        var texts = Enumerable.Range(0, n).Select(_ => new StringBuilder()).ToArray();
        var finals = new LlamaGenerationUpdate[n];
        await CollectManyAsync(prompts, request, texts, finals, cancellationToken).ConfigureAwait(false);

        var created = DateTimeOffset.UtcNow;
        var responses = new ChatResponse[n];
        for (var i = 0; i < n; i++)
        {
            var stream = new ToolAwareStream(request.Tools);
            var visible = stream.Push(texts[i].ToString());
            var final = stream.Complete();
            var contents = new List<AIContent>();
            if (visible.Length + final.Text.Length > 0 || final.Calls.Count == 0)
            {
                contents.Add(new TextContent(visible + final.Text));
            }

            contents.AddRange(final.Calls);
            responses[i] = new ChatResponse(new ChatMessage(ChatRole.Assistant, contents))
            {
                ResponseId = NewId("chatcmpl-"),
                ModelId = _metadata.DefaultModelId,
                CreatedAt = created,
                FinishReason = final.Calls.Count > 0 ? ChatFinishReason.ToolCalls
                    : finals[i].FinishReason == LlamaFinishReason.Length ? ChatFinishReason.Length : ChatFinishReason.Stop,
                Usage = Usage(finals[i].Usage),
            };
        }

        return responses;
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(ChatClientMetadata))
        {
            return _metadata;
        }

        if (serviceType == typeof(LlamaModel))
        {
            return _model;
        }

        if (serviceType == typeof(ITokenCounter))
        {
            return _tokenCounter;
        }

        if (serviceType == typeof(LlamaBatchScheduler))
        {
            return _scheduler;
        }

        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <summary>Frees the pooled contexts, the draft contexts and the batch scheduler (not the model or the draft model).</summary>
    public void Dispose()
    {
        _scheduler?.Dispose();
        _pool.Dispose();
        _draftPool?.Dispose();
    }

    private PreparedRequest Prepare(IEnumerable<ChatMessage> messages, ChatOptions? options, int count)
    {
        var grammarOptions = new JsonSchemaGrammarOptions { MaxStringLength = _options.MaxJsonStringLength };
        var tools = ToolSet.From(options, _prompts.Format, grammarOptions);
        var promptText = _prompts.Build(messages, tools.Descriptors, tools.Required);
        var prompt = _model.Vocabulary.Tokenize(promptText, addSpecial: true, parseSpecial: true);

        var sampling = Sampling(options);
        var grammar = ResponseGrammar(options, tools, grammarOptions);
        if (grammar is not null)
        {
            sampling = sampling with { Grammar = grammar };
        }

        var maxTokens = options?.MaxOutputTokens ?? _options.DefaultMaxOutputTokens;
        if (maxTokens < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), maxTokens, "ChatOptions.MaxOutputTokens must be 1 or more.");
        }

        var stops = options?.StopSequences?.Where(s => !string.IsNullOrEmpty(s)).ToArray() ?? [];
        var generation = Enumerable.Range(0, count).Select(i => new LlamaGenerationOptions
        {
            MaxTokens = maxTokens,
            StopSequences = stops,
            LogProbabilities = count == 1 && TokenLogProbabilities.Requested(options),
            Sampling = sampling.Seed == LlamaSamplingOptions.RandomSeed || i == 0 ? sampling : sampling with { Seed = unchecked(sampling.Seed + (uint)i) },
        }).ToArray();
        return new PreparedRequest(prompt, generation, tools);
    }

    private LlamaSamplingOptions Sampling(ChatOptions? options)
    {
        var sampling = _options.DefaultSampling;
        if (options is null)
        {
            return sampling;
        }

        sampling = sampling with
        {
            Temperature = options.Temperature ?? sampling.Temperature,
            TopP = options.TopP ?? sampling.TopP,
            TopK = options.TopK ?? sampling.TopK,
            FrequencyPenalty = options.FrequencyPenalty ?? sampling.FrequencyPenalty,
            PresencePenalty = options.PresencePenalty ?? sampling.PresencePenalty,
            Seed = options.Seed is { } seed ? unchecked((uint)seed) : sampling.Seed,
            MinP = Extra(options, MinPProperty) ?? sampling.MinP,
            TypicalP = Extra(options, TypicalPProperty) ?? sampling.TypicalP,
            RepetitionPenalty = Extra(options, RepetitionPenaltyProperty) ?? sampling.RepetitionPenalty,
        };
        if (sampling.Seed == LlamaSamplingOptions.RandomSeed && options.Seed is not null)
        {
            sampling = sampling with { Seed = 0 };
        }

        sampling.Validate();
        return sampling;

        static float? Extra(ChatOptions options, string key) =>
            options.AdditionalProperties?.TryGetValue(key, out var value) == true
                ? value switch
                {
                    float f => f,
                    double d => (float)d,
                    int i => i,
                    string s when float.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
                    JsonElement { ValueKind: JsonValueKind.Number } e => e.GetSingle(),
                    _ => throw new ArgumentException($"ChatOptions.AdditionalProperties['{key}'] must be a number.", nameof(options)),
                }
                : null;
    }

    private static LlamaGrammar? ResponseGrammar(ChatOptions? options, ToolSet tools, JsonSchemaGrammarOptions grammarOptions)
    {
        if (tools.Descriptors.Count > 0)
        {
            return tools.Grammar;
        }

        return options?.ResponseFormat switch
        {
            ChatResponseFormatJson { Schema: { } schema } => JsonSchemaGrammarConverter.FromJsonSchema(schema, grammarOptions),
            // OpenAI's json_object: an object, not any JSON value.
            ChatResponseFormatJson => LlamaGrammar.JsonObject,
            _ => null,
        };
    }

    private ChatResponseUpdate Update(string responseId, DateTimeOffset created, AIContent content) => Update(responseId, created, [content]);

    private ChatResponseUpdate Update(string responseId, DateTimeOffset created, IList<AIContent> contents) => new(ChatRole.Assistant, contents)
    {
        ResponseId = responseId,
        MessageId = responseId,
        ModelId = _metadata.DefaultModelId,
        CreatedAt = created,
    };

    private static UsageDetails Usage(LlamaUsage usage) => new()
    {
        InputTokenCount = usage.PromptTokens,
        OutputTokenCount = usage.GeneratedTokens,
        TotalTokenCount = usage.PromptTokens + usage.GeneratedTokens,
        CachedInputTokenCount = usage.ReusedPromptTokens,
    };

    internal static string NewId(string prefix) => prefix + Guid.NewGuid().ToString("N")[..24];

    private sealed record PreparedRequest(LlamaToken[] Prompt, LlamaGenerationOptions[] Generation, ToolSet Tools);

    private static partial class Log
    {
        [LoggerMessage(EventId = 10, Level = LogLevel.Debug, Message = "Generated {Generated} tokens after a {Prompt}-token prompt ({Reused} reused from the KV cache); finish {Finish}")]
        public static partial void Generated(ILogger logger, int prompt, int reused, int generated, LlamaFinishReason? finish);
    }
}
