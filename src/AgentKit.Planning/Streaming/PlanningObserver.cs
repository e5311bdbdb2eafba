using System.Threading.Channels;

namespace AgentKit.Planning;

/// <summary>
/// Where a streamed run's updates go. <see cref="PlanningStreaming"/> sets it for the flow that runs the strategy;
/// every <see cref="PlanningRun"/> created in that flow picks it up, so the strategies report steps without a
/// streaming copy of their code.
/// </summary>
internal sealed class PlanningObserver(ChannelWriter<PlanningUpdate> writer)
{
    private static readonly AsyncLocal<PlanningObserver?> CurrentObserver = new();

    public static PlanningObserver? Current
    {
        get => CurrentObserver.Value;
        set => CurrentObserver.Value = value;
    }

    public void Post(PlanningUpdate update) => writer.TryWrite(update);
}
