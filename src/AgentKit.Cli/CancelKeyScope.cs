namespace AgentKit.Cli;

/// <summary>
/// While alive, Ctrl+C cancels <see cref="Token"/> instead of killing the process, so the operation in
/// progress can stop cleanly.
/// </summary>
internal sealed class CancelKeyScope : IDisposable
{
    private readonly ICancelKeySource _source;
    private readonly CancellationTokenSource _cts;

    public CancelKeyScope(ICancelKeySource source, CancellationToken cancellationToken)
    {
        _source = source;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _source.CancelKeyPress += OnCancel;
    }

    public CancellationToken Token => _cts.Token;

    public bool WasCancelledByKey { get; private set; }

    public void Dispose()
    {
        _source.CancelKeyPress -= OnCancel;
        _cts.Dispose();
    }

    private bool OnCancel()
    {
        WasCancelledByKey = true;
        _cts.Cancel();
        return true;
    }
}
