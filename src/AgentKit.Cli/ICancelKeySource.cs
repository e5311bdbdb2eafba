namespace AgentKit.Cli;

/// <summary>Ctrl+C, abstracted so the chat loop's handling can be tested.</summary>
internal interface ICancelKeySource
{
    /// <summary>Raised on Ctrl+C. A handler returns true to keep the process alive.</summary>
    event Func<bool>? CancelKeyPress;
}

internal sealed class ConsoleCancelKeySource : ICancelKeySource
{
    private Func<bool>? _handlers;

    public event Func<bool>? CancelKeyPress
    {
        add
        {
            if (_handlers is null)
            {
                Console.CancelKeyPress += OnCancelKeyPress;
            }

            _handlers += value;
        }

        remove
        {
            _handlers -= value;
            if (_handlers is null)
            {
                Console.CancelKeyPress -= OnCancelKeyPress;
            }
        }
    }

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        var keepRunning = false;
        foreach (var handler in _handlers?.GetInvocationList().Cast<Func<bool>>() ?? [])
        {
            keepRunning |= handler();
        }

        e.Cancel = keepRunning;
    }
}
