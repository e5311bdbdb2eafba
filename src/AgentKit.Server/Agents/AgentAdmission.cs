using AgentKit.Agents;
using AgentKit.Hosting.Admission;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AgentKit.Server.Agents;

/// <summary>
/// Admits an agent run to its model before the run starts, holding the slot for the whole run: a refusal then
/// comes back as 429 before anything is stored or streamed, instead of as a failed run halfway through.
/// </summary>
internal static class AgentAdmission
{
    /// <summary>The admission control of the agent's model, when its pipeline has one (local models do).</summary>
    public static ModelAdmission? Find(IServiceProvider services, AgentDefinition agent)
    {
        var client = agent.ChatClientKey is null ? services.GetService<IChatClient>() : services.GetKeyedService<IChatClient>(agent.ChatClientKey);
        return client?.GetService<ModelAdmission>();
    }

    /// <summary>Runs <paramref name="work"/> inside <paramref name="admission"/>, or directly when there is none.</summary>
    public static Task<T> RunAsync<T>(ModelAdmission? admission, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        admission is null ? work(cancellationToken) : admission.RunAsync(work, cancellationToken);
}
