namespace AgentKit.Hostile.Tests;

/// <summary>
/// Runs code under test on the thread pool with a time bound, so a hang fails the test (with the input named)
/// instead of stalling the run, and hands back what it threw for the test to inspect.
/// </summary>
internal static class Bounded
{
    /// <summary>The bound for one hostile input: generous under a loaded 2-core machine, far below a hang.</summary>
    public static readonly TimeSpan PerInput = TimeSpan.FromSeconds(20);

    /// <summary>Runs <paramref name="action"/> and returns what it threw, or null when it returned.</summary>
    /// <exception cref="TimeoutException">It did not finish within the bound.</exception>
    public static async Task<Exception?> CatchAsync(Action action, string input, TimeSpan? limit = null)
    {
        var run = Task.Run(() =>
        {
            try
            {
                action();
                return null;
            }
            catch (Exception e)
            {
                return e;
            }
        });
        try
        {
            return await run.WaitAsync(limit ?? PerInput, TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"No answer within {(limit ?? PerInput).TotalSeconds:0} s for {input}: the input hangs the component.");
        }
    }

    /// <summary>Runs <paramref name="action"/> and returns the exception it must throw, of type <typeparamref name="T"/> exactly or derived.</summary>
    public static async Task<T> ThrowsAsync<T>(Action action, string input, TimeSpan? limit = null)
        where T : Exception
    {
        var error = await CatchAsync(action, input, limit);
        Assert.True(error is T, $"{input}: expected {typeof(T).Name}, got {(error is null ? "no exception" : error.ToString())}");
        return (T)error!;
    }
}
