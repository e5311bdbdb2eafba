using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using AgentKit.Evaluation.Running;

namespace AgentKit.Evaluation.Caching;

/// <summary>
/// The evaluation's response cache: Microsoft.Extensions.AI's <see cref="DistributedCachingChatClient"/> (by default
/// over AgentKit.Cost's <c>SqliteDistributedCache</c>, one file), with a key made for re-running a dataset:
/// the messages' roles and contents, the options that shape the answer, the tools' names, descriptions and schemas,
/// and the run's repeat index (so <c>--repeat N</c> samples the model N times, and a re-run replays each sample).
/// Message ids, timestamps, conversation ids and per-request properties are left out, and so is what the run masked
/// (<see cref="EvalMeter.MaskInCacheKey(string)"/>: the session id an agent puts in its instructions, random ids a tool
/// returns), so an unchanged case hits. Unlike the completion cache of AgentKit.Cost, responses that call tools are cached too:
/// the runner gives each run a fresh world, so replaying a call repeats its effect exactly as the first run did.
/// </summary>
/// <param name="innerClient">The model (under it, <see cref="EvalMeteringChatClient"/>).</param>
/// <param name="storage">The cache.</param>
public sealed class EvalResponseCacheChatClient(IChatClient innerClient, IDistributedCache storage) : DistributedCachingChatClient(innerClient, storage)
{
    /// <inheritdoc/>
    protected override string GetCacheKey(IEnumerable<ChatMessage> messages, ChatOptions? options, params ReadOnlySpan<object?> additionalValues)
    {
        var meter = EvalMeter.Current;
        var normalized = messages.Select(m => new ChatMessage(m.Role, [.. m.Contents.Select(c => Normalize(c, meter)).OfType<AIContent>()]) { AuthorName = m.AuthorName }).ToList();
        ChatOptions? shaped = null;
        string[] tools = [];
        if (options is not null)
        {
            shaped = options.Clone();
            shaped.AdditionalProperties = null;
            shaped.ConversationId = null;
            shaped.Tools = null;
            tools = [.. (options.Tools ?? []).Select(t => t is AIFunction f ? $"{f.Name}\n{f.Description}\n{f.JsonSchema.GetRawText()}" : t.Name)];
        }

        object?[] values = [.. additionalValues, meter?.Repeat ?? 0, tools];
        return base.GetCacheKey(normalized, shaped, values);
    }

    /// <inheritdoc/>
    protected override bool EnableCaching(IEnumerable<ChatMessage> messages, ChatOptions? options) => true;

    /// <inheritdoc/>
    protected override async Task<ChatResponse?> ReadCacheAsync(string key, CancellationToken cancellationToken)
    {
        var hit = await base.ReadCacheAsync(key, cancellationToken).ConfigureAwait(false);
        if (hit is not null)
        {
            EvalMeter.Current?.RecordCacheHit();
        }

        return hit;
    }

    /// <inheritdoc/>
    protected override async Task<IReadOnlyList<ChatResponseUpdate>?> ReadCacheStreamingAsync(string key, CancellationToken cancellationToken)
    {
        var hit = await base.ReadCacheStreamingAsync(key, cancellationToken).ConfigureAwait(false);
        if (hit is not null)
        {
            EvalMeter.Current?.RecordCacheHit();
        }

        return hit;
    }

    private static AIContent? Normalize(AIContent content, EvalMeter? meter)
    {
        string Mask(string? text) => meter is null || text is null ? text ?? string.Empty : meter.Mask(text);
        return content switch
        {
            TextContent t => new TextContent(Mask(t.Text)),
            FunctionCallContent c => new FunctionCallContent(c.CallId, c.Name, new Dictionary<string, object?> { ["arguments"] = Mask(JsonSerializer.Serialize(c.Arguments, AIJsonUtilities.DefaultOptions)) }),
            FunctionResultContent r => new FunctionResultContent(r.CallId, Mask(r.Result is JsonElement j ? j.GetRawText() : r.Result?.ToString())),
            UsageContent => null,
            _ => content,
        };
    }
}

/// <summary>Adds <see cref="EvalResponseCacheChatClient"/> to a pipeline.</summary>
public static class EvalResponseCacheChatClientBuilderExtensions
{
    /// <summary>Caches responses for re-runs of a dataset; place it before <see cref="EvalMeteringChatClientBuilderExtensions.UseEvalMetering"/>.</summary>
    /// <param name="builder">The pipeline.</param>
    /// <param name="storage">The cache, e.g. AgentKit.Cost's <c>SqliteDistributedCache</c> on a file.</param>
    /// <returns>The pipeline.</returns>
    public static ChatClientBuilder UseEvalResponseCache(this ChatClientBuilder builder, IDistributedCache storage)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(storage);
        return builder.Use(inner => new EvalResponseCacheChatClient(inner, storage));
    }
}
