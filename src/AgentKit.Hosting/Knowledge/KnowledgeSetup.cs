using AgentKit.Hosting.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AgentKit.Hosting.Knowledge;

/// <summary>What <c>AddAgentKit()</c> registers for the <c>AgentKit:VectorStore</c> and <c>AgentKit:Knowledge</c> sections.</summary>
internal static class KnowledgeSetup
{
    public static void Add(IHostApplicationBuilder builder, IConfigurationSection section, AgentKitOptions snapshot)
    {
        var services = builder.Services;
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AgentKitOptions>, VectorStoreOptionsValidator>());
        switch (snapshot.VectorStore.Kind)
        {
            case VectorStoreKind.Qdrant:
                services.AddQdrantVectorStore(o => section.GetSection("VectorStore:Qdrant").Bind(o));
                break;
            default:
                // The file is opened when first resolved, after start-up validation has checked the folder's key.
                var storage = AgentKitPaths.Resolve(builder.Environment.ContentRootPath, snapshot.Storage.Directory);
                services.AddSqliteVectorStore(Path.Combine(storage, snapshot.VectorStore.Path));
                break;
        }

        foreach (var name in snapshot.Knowledge.Keys)
        {
            KnowledgeServiceCollectionExtensions.AddKnowledgeBase(services, name).Bind(section.GetSection($"Knowledge:{name}"));
        }
    }
}
