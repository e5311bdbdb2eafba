using System.Diagnostics;
using Microsoft.Extensions.AI;

namespace AgentKit.Planning;

/// <summary>
/// Counts what a run spends and refuses calls past its budget. Thread-safe: parallel paths reserve calls before
/// they start, so a limit is never overshot by concurrency.
/// </summary>
internal sealed class BudgetMeter : IDisposable
{
    private readonly Lock _lock = new();
    private readonly PlanningBudget _budget;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly CancellationTokenSource? _timeout;
    private readonly UsageDetails _usage = new();
    private int _calls;
    private int _reserved;
    private int _requests;
    private long _tokens;

    public BudgetMeter(PlanningBudget? budget, CancellationToken cancellationToken)
    {
        _budget = budget ?? PlanningBudget.Unlimited;
        _budget.Validate();
        CallerToken = cancellationToken;
        if (_budget.MaxDuration is { } duration)
        {
            _timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            _timeout.CancelAfter(duration);
            Token = _timeout.Token;
        }
        else
        {
            Token = cancellationToken;
        }
    }

    /// <summary>The caller's token and the time limit together; pass it to every call.</summary>
    public CancellationToken Token { get; }

    public CancellationToken CallerToken { get; }

    public int Calls
    {
        get
        {
            lock (_lock)
            {
                return _calls;
            }
        }
    }

    public int Requests
    {
        get
        {
            lock (_lock)
            {
                return _requests;
            }
        }
    }

    public long Tokens
    {
        get
        {
            lock (_lock)
            {
                return TokensLocked();
            }
        }
    }

    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Calls that may still start, or <see cref="int.MaxValue"/> without a call limit.</summary>
    public int CallsLeft
    {
        get
        {
            lock (_lock)
            {
                return _budget.MaxCalls is { } max ? Math.Max(0, max - _calls - _reserved) : int.MaxValue;
            }
        }
    }

    public UsageDetails Usage
    {
        get
        {
            lock (_lock)
            {
                var copy = new UsageDetails();
                copy.Add(_usage);
                return copy;
            }
        }
    }

    /// <summary>
    /// Reserves up to <paramref name="wanted"/> calls; returns how many were granted (at least one) or throws
    /// <see cref="BudgetExhaustedException"/> when no call may start.
    /// </summary>
    public int Reserve(int wanted)
    {
        Debug.Assert(wanted > 0);
        CheckTime();
        lock (_lock)
        {
            if (_budget.MaxTokens is { } maxTokens && TokensLocked() >= maxTokens)
            {
                throw new BudgetExhaustedException(Exceeded(BudgetResource.Tokens, maxTokens));
            }

            var granted = wanted;
            if (_budget.MaxCalls is { } max)
            {
                granted = Math.Min(wanted, max - _calls - _reserved);
                if (granted <= 0)
                {
                    throw new BudgetExhaustedException(Exceeded(BudgetResource.Calls, max));
                }
            }

            _reserved += granted;
            return granted;
        }
    }

    /// <summary>Settles a reservation: <paramref name="completed"/> responses arrived (their usage is added); the rest is released.</summary>
    public void Settle(int reserved, IEnumerable<ChatResponse> completed)
    {
        lock (_lock)
        {
            _reserved -= reserved;
            _requests++;
            foreach (var response in completed)
            {
                _calls++;
                if (response.Usage is { } usage)
                {
                    _usage.Add(usage);
                    _tokens += usage.TotalTokenCount ?? ((usage.InputTokenCount ?? 0) + (usage.OutputTokenCount ?? 0));
                }
            }
        }
    }

    /// <summary>Releases a reservation whose request failed.</summary>
    public void Release(int reserved)
    {
        lock (_lock)
        {
            _reserved -= reserved;
        }
    }

    /// <summary>Throws <see cref="BudgetExhaustedException"/> when the time limit has passed.</summary>
    public void CheckTime()
    {
        if (_budget.MaxDuration is { } duration && _clock.Elapsed >= duration && !CallerToken.IsCancellationRequested)
        {
            throw new BudgetExhaustedException(Exceeded(BudgetResource.Time, (long)duration.TotalMilliseconds));
        }
    }

    /// <summary>Whether <paramref name="exception"/> is the time limit firing rather than the caller cancelling.</summary>
    public bool IsTimeout(OperationCanceledException exception) =>
        _timeout is not null && _timeout.IsCancellationRequested && !CallerToken.IsCancellationRequested;

    public BudgetExceeded TimeExceeded() => Exceeded(BudgetResource.Time, (long)(_budget.MaxDuration?.TotalMilliseconds ?? 0));

    public BudgetExceeded Exceeded(BudgetResource resource, long limit)
    {
        lock (_lock)
        {
            return new BudgetExceeded(resource, _calls, TokensLocked(), _clock.Elapsed, limit);
        }
    }

    public void Dispose() => _timeout?.Dispose();

    private long TokensLocked() => _tokens;
}

/// <summary>Raised inside a run when a limit is reached; strategies turn it into a result, it never reaches callers.</summary>
internal sealed class BudgetExhaustedException(BudgetExceeded exceeded) : Exception(exceeded.ToString())
{
    public BudgetExceeded Exceeded { get; } = exceeded;
}
