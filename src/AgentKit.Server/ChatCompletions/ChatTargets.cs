using AgentKit.Hosting.Configuration;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AgentKit.Server.ChatCompletions;

/// <summary>Something <c>/v1/chat/completions</c> can talk to by name: a configured chat model, or an agent.</summary>
internal interface IChatTargetSource
{
    /// <summary>Owner shown in <c>/v1/models</c> (<c>agentkit-model</c>, <c>agentkit-agent</c>).</summary>
    string OwnedBy { get; }

    IEnumerable<string> Names { get; }

    IChatClient? Resolve(string name);
}

/// <summary>The configured chat models, each its keyed <see cref="IChatClient"/>; none when <see cref="AgentKitServerOptions.ExposeModels"/> is off.</summary>
internal sealed class ModelChatTargets(IOptions<AgentKitOptions> options, IOptions<AgentKitServerOptions> server, IServiceProvider services) : IChatTargetSource
{
    public string OwnedBy => "agentkit-model";

    public IEnumerable<string> Names => server.Value.ExposeModels ? options.Value.Models.Where(m => m.Value.Kind == ModelKind.Chat).Select(m => m.Key) : [];

    public IChatClient? Resolve(string name) =>
        server.Value.ExposeModels && options.Value.Models.TryGetValue(name, out var model) && model.Kind == ModelKind.Chat
            ? services.GetKeyedService<IChatClient>(name)
            : null;
}
