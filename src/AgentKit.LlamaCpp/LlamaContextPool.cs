using AgentKit.LlamaCpp.Diagnostics;

namespace AgentKit.LlamaCpp;

/// <summary>
/// A bounded pool of contexts on one model. A request takes the idle context whose sequence 0 shares the
/// longest prefix with its prompt (so a conversation's next turn lands where its history is already decoded),
/// creating contexts lazily up to the limit; beyond it, requests wait.
/// </summary>
/// <remarks>
/// With <c>shareThreads</c>, the contexts in use split the configured threads among themselves (at least one each),
/// so concurrent requests never ask for more threads than one request would: threads fighting over the same cores
/// make every request slower than running them in turn. Reports its limit, use and queue to the <c>AgentKit.LlamaCpp</c> meter tagged with the model id.</remarks>
internal sealed class LlamaContextPool : IDisposable
{
    private readonly LlamaModel _model;
    private readonly LlamaContextOptions _options;
    private readonly int _maxContexts;
    private readonly KeyValuePair<string, object?> _modelTag;
    private readonly SemaphoreSlim _slots;
    private readonly List<LlamaContext> _idle = [];
    private readonly List<LlamaContext> _leased = [];
    private readonly bool _shareThreads;
    private readonly Lock _lock = new();
    private int _created;
    private bool _disposed;

    public LlamaContextPool(LlamaModel model, LlamaContextOptions options, int maxContexts, string? modelId = null, bool shareThreads = false)
    {
        _model = model;
        _shareThreads = shareThreads;
        _options = options;
        _maxContexts = maxContexts;
        _slots = new SemaphoreSlim(maxContexts, maxContexts);
        _modelTag = LlamaTelemetry.ModelTag(modelId);
        LlamaTelemetry.PoolLimit.Add(maxContexts, _modelTag);
    }

    public int MaxContexts => _maxContexts;

    public int Created => Volatile.Read(ref _created);

    public int InUse => _maxContexts - _slots.CurrentCount;

    public LlamaContextOptions ContextOptions => _options;

    public async Task<Lease> RentAsync(IReadOnlyList<LlamaToken> prompt, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await WaitForSlotAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_lock)
            {
                LlamaContext? best = null;
                var bestLength = -1;
                foreach (var context in _idle)
                {
                    var length = LlamaContext.CommonPrefixLength(context.SequenceTokens(0), prompt);
                    if (length > bestLength)
                    {
                        best = context;
                        bestLength = length;
                    }
                }

                // A fresh context beats an idle one that shares nothing, as long as the pool may still grow:
                // it keeps the other conversation's cache for its next turn.
                if (best is not null && (bestLength > 0 || _created >= _maxContexts))
                {
                    _idle.Remove(best);
                    Lend(best);
                    LlamaTelemetry.PoolInUse.Add(1, _modelTag);
                    return new Lease(this, best);
                }

                _created++;
            }

            try
            {
                var created = _model.CreateContext(_options);
                lock (_lock)
                {
                    Lend(created);
                }

                LlamaTelemetry.PoolInUse.Add(1, _modelTag);
                return new Lease(this, created);
            }
            catch
            {
                lock (_lock)
                {
                    _created--;
                }

                throw;
            }
        }
        catch
        {
            _slots.Release();
            throw;
        }
    }

    /// <summary>Takes a slot; while none is free the request counts as queued.</summary>
    private async Task WaitForSlotAsync(CancellationToken cancellationToken)
    {
        if (_slots.Wait(0, cancellationToken))
        {
            return;
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        LlamaTelemetry.PoolQueued.Add(1, _modelTag);
        try
        {
            await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            LlamaTelemetry.PoolQueued.Add(-1, _modelTag);
            if (LlamaTelemetry.PoolWait.Enabled)
            {
                LlamaTelemetry.PoolWait.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds, _modelTag);
            }
        }
    }

    private void Return(LlamaContext context)
    {
        LlamaTelemetry.PoolInUse.Add(-1, _modelTag);
        lock (_lock)
        {
            _leased.Remove(context);
            Rebalance();
            if (_disposed)
            {
                context.Dispose();
            }
            else
            {
                _idle.Add(context);
            }
        }

        _slots.Release();
    }

    /// <summary>Counts a context as in use and, when sharing threads, gives every context in use its new share. Under the lock.</summary>
    private void Lend(LlamaContext context)
    {
        _leased.Add(context);
        Rebalance();
    }

    private void Rebalance()
    {
        if (!_shareThreads || _leased.Count == 0)
        {
            return;
        }

        var threads = Math.Max(1, _options.Threads / _leased.Count);
        var batchThreads = Math.Max(1, _options.BatchThreads / _leased.Count);
        foreach (var context in _leased)
        {
            context.SetThreads(threads, batchThreads);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            LlamaTelemetry.PoolLimit.Add(-_maxContexts, _modelTag);
            _disposed = true;
            foreach (var context in _idle)
            {
                context.Dispose();
            }

            _idle.Clear();
        }
    }

    internal sealed class Lease(LlamaContextPool pool, LlamaContext context) : IDisposable
    {
        private int _returned;

        public LlamaContext Context { get; } = context;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _returned, 1) == 0)
            {
                pool.Return(Context);
            }
        }
    }
}
