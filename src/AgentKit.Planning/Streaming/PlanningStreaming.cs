using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.AI;

namespace AgentKit.Planning;

/// <summary>
/// Runs a planning strategy and reports what it does as it happens: steps as they start and finish (model calls,
/// tool calls and observations, plans, votes, candidates, rounds), the text of single model calls as the model
/// streams it, a budget stop, and last the result — the very result the non-streaming call returns, because the
/// streamed run is that call: the same code, budget, trace and telemetry, with its model calls made through
/// <see cref="IChatClient.GetStreamingResponseAsync"/>.
/// </summary>
public static class PlanningStreaming
{
    /// <summary>Runs <paramref name="planner"/> and streams its updates.</summary>
    /// <param name="planner">The strategy.</param>
    /// <param name="client">The model.</param>
    /// <param name="request">The question and per-call settings.</param>
    /// <param name="cancellationToken">Stops the run (the enumeration then raises <see cref="OperationCanceledException"/>).</param>
    /// <returns>The updates; the last is <see cref="PlanningUpdateKind.Completed"/>. Stopping the enumeration early cancels the run.</returns>
    public static IAsyncEnumerable<PlanningUpdate> RunStreamingAsync(this IPlanner planner, IChatClient client, PlanningRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(planner);
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(request);
        return ObserveAsync(token => planner.RunAsync(client, request, token), cancellationToken);
    }

    /// <summary>
    /// Streams the updates of a run started by <paramref name="run"/> — a strategy called directly with its own
    /// options: <c>PlanningStreaming.ObserveAsync(ct =&gt; cot.RunAsync(client, question, options, ct))</c>.
    /// </summary>
    /// <typeparam name="TResult">The strategy's result.</typeparam>
    /// <param name="run">Starts the run with the token it is given.</param>
    /// <param name="cancellationToken">Stops the run (the enumeration then raises <see cref="OperationCanceledException"/>).</param>
    /// <returns>The updates; the last is <see cref="PlanningUpdateKind.Completed"/>. An exception of the run is raised after the updates before it. Stopping the enumeration early cancels the run.</returns>
    public static async IAsyncEnumerable<PlanningUpdate> ObserveAsync<TResult>(
        Func<CancellationToken, Task<TResult>> run, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where TResult : PlanningResult
    {
        ArgumentNullException.ThrowIfNull(run);
        var channel = Channel.CreateUnbounded<PlanningUpdate>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var observer = new PlanningObserver(channel.Writer);

        // On the thread pool, so a client that answers synchronously cannot hold the reader back.
        var running = Task.Run(
            async () =>
            {
                PlanningObserver.Current = observer;
                try
                {
                    var result = await run(stop.Token).ConfigureAwait(false);
                    if (result.BudgetExceeded is { } exceeded)
                    {
                        observer.Post(new PlanningUpdate { Kind = PlanningUpdateKind.BudgetStopped, Planner = result.Planner, BudgetExceeded = exceeded });
                    }

                    observer.Post(new PlanningUpdate { Kind = PlanningUpdateKind.Completed, Planner = result.Planner, Text = result.Answer, Result = result });
                }
                finally
                {
                    channel.Writer.TryComplete();
                }
            },
            CancellationToken.None);

        var drained = false;
        try
        {
            await foreach (var update in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return update;
            }

            drained = true;
        }
        finally
        {
            if (!drained)
            {
                await stop.CancelAsync().ConfigureAwait(false);
                try
                {
                    await running.ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // The reader left (or was cancelled); how the abandoned run ended is of no use to it.
                }
            }
        }

        await running.ConfigureAwait(false);
    }
}
