using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace AgentKit.Evaluation.Running;

/// <summary>
/// What one run of a case spent on models: calls, time inside them, tokens, cache hits. The runner sets the current
/// meter for each run (it flows with the run's async calls); <see cref="EvalMeteringChatClient"/> and the response
/// cache record into it. It also carries the run's cache-key masks: values that differ on every run without changing
/// what the model should answer (a session id in the instructions, a random tracking number or port in a tool result).
/// </summary>
public sealed class EvalMeter
{
    /// <summary>The most masks one run may register.</summary>
    public const int MaxMasks = 32;

    private static readonly AsyncLocal<EvalMeter?> CurrentMeter = new();
    private readonly List<Regex> _masks = [];
    private long _modelCalls;
    private long _modelTicks;
    private long _inputTokens;
    private long _outputTokens;
    private long _cacheHits;

    /// <summary>Creates a meter for one run.</summary>
    /// <param name="repeat">The run's repeat index (part of the response cache's key, so repeats are not replays).</param>
    public EvalMeter(int repeat) => Repeat = repeat;

    /// <summary>The meter of the run in progress on this async flow, if any.</summary>
    public static EvalMeter? Current
    {
        get => CurrentMeter.Value;
        set => CurrentMeter.Value = value;
    }

    /// <summary>The run's repeat index.</summary>
    public int Repeat { get; }

    /// <summary>Model calls that reached the model.</summary>
    public long ModelCalls => Interlocked.Read(ref _modelCalls);

    /// <summary>Time spent inside those calls.</summary>
    public TimeSpan ModelTime => TimeSpan.FromTicks(Interlocked.Read(ref _modelTicks));

    /// <summary>Input tokens the model reported.</summary>
    public long InputTokens => Interlocked.Read(ref _inputTokens);

    /// <summary>Output tokens the model reported.</summary>
    public long OutputTokens => Interlocked.Read(ref _outputTokens);

    /// <summary>Model calls answered from the response cache.</summary>
    public long CacheHits => Interlocked.Read(ref _cacheHits);

    /// <summary>The run's cache-key masks.</summary>
    public IReadOnlyList<Regex> CacheKeyMasks => _masks;

    /// <summary>Leaves every occurrence of <paramref name="value"/> out of this run's response-cache keys (a session id, say).</summary>
    /// <param name="value">The exact text.</param>
    /// <exception cref="InvalidOperationException">More than <see cref="MaxMasks"/> masks.</exception>
    public void MaskInCacheKey(string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        MaskInCacheKey(new Regex(Regex.Escape(value), RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)));
    }

    /// <summary>Leaves every match of <paramref name="pattern"/> out of this run's response-cache keys (random ids in tool results, say).</summary>
    /// <param name="pattern">The pattern; give it a match timeout.</param>
    /// <exception cref="InvalidOperationException">More than <see cref="MaxMasks"/> masks.</exception>
    public void MaskInCacheKey(Regex pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        lock (_masks)
        {
            if (_masks.Count == MaxMasks)
            {
                throw new InvalidOperationException($"A run may mask at most {MaxMasks} values in its cache keys.");
            }

            _masks.Add(pattern);
        }
    }

    internal string Mask(string text)
    {
        lock (_masks)
        {
            foreach (var mask in _masks)
            {
                text = mask.Replace(text, "\u2026");
            }
        }

        return text;
    }

    internal void RecordCall(TimeSpan elapsed, UsageDetails? usage)
    {
        Interlocked.Increment(ref _modelCalls);
        Interlocked.Add(ref _modelTicks, elapsed.Ticks);
        Interlocked.Add(ref _inputTokens, usage?.InputTokenCount ?? 0);
        Interlocked.Add(ref _outputTokens, usage?.OutputTokenCount ?? 0);
    }

    internal void RecordCacheHit() => Interlocked.Increment(ref _cacheHits);
}

/// <summary>Records each model call's time and tokens into <see cref="EvalMeter.Current"/>; put it next to the model, under the response cache.</summary>
/// <param name="innerClient">The model.</param>
public sealed class EvalMeteringChatClient(IChatClient innerClient) : DelegatingChatClient(innerClient)
{
    /// <inheritdoc/>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var start = Stopwatch.GetTimestamp();
        var response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        EvalMeter.Current?.RecordCall(Stopwatch.GetElapsedTime(start), response.Usage);
        return response;
    }

    /// <inheritdoc/>
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var meter = EvalMeter.Current;
        var inside = TimeSpan.Zero;
        UsageDetails? usage = null;
        await using var e = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            var before = Stopwatch.GetTimestamp();
            if (!await e.MoveNextAsync().ConfigureAwait(false))
            {
                inside += Stopwatch.GetElapsedTime(before);
                break;
            }

            // Only the time the model took to produce each update: the consumer's time between updates is not the model's.
            inside += Stopwatch.GetElapsedTime(before);
            foreach (var u in e.Current.Contents.OfType<UsageContent>())
            {
                (usage ??= new UsageDetails()).Add(u.Details);
            }

            yield return e.Current;
        }

        meter?.RecordCall(inside, usage);
    }
}

/// <summary>Adds <see cref="EvalMeteringChatClient"/> to a pipeline.</summary>
public static class EvalMeteringChatClientBuilderExtensions
{
    /// <summary>Meters model calls for the evaluation runner; place it last (next to the model), after the response cache.</summary>
    /// <param name="builder">The pipeline.</param>
    /// <returns>The pipeline.</returns>
    public static ChatClientBuilder UseEvalMetering(this ChatClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use(inner => new EvalMeteringChatClient(inner));
    }
}
