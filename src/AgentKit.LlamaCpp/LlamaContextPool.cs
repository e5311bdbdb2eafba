namespace AgentKit.LlamaCpp;

/// <summary>
/// A bounded pool of contexts on one model. A request takes the idle context whose sequence 0 shares the
/// longest prefix with its prompt (so a conversation's next turn lands where its history is already decoded),
/// creating contexts lazily up to the limit; beyond it, requests wait.
/// </summary>
internal sealed class LlamaContextPool(LlamaModel model, LlamaContextOptions options, int maxContexts) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(maxContexts, maxContexts);
    private readonly List<LlamaContext> _idle = [];
    private readonly Lock _lock = new();
    private int _created;
    private bool _disposed;

    public int MaxContexts => maxContexts;

    public int Created => Volatile.Read(ref _created);

    public int InUse => maxContexts - _slots.CurrentCount;

    public LlamaContextOptions ContextOptions => options;

    public async Task<Lease> RentAsync(IReadOnlyList<LlamaToken> prompt, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
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
                if (best is not null && (bestLength > 0 || _created >= maxContexts))
                {
                    _idle.Remove(best);
                    return new Lease(this, best);
                }

                _created++;
            }

            try
            {
                return new Lease(this, model.CreateContext(options));
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

    private void Return(LlamaContext context)
    {
        lock (_lock)
        {
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

    public void Dispose()
    {
        lock (_lock)
        {
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
