using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AgentKit.Agents.Tools.Selection;

/// <summary>Registers the <see cref="ToolSelector"/> agents with <see cref="AgentDefinition.ToolSelection"/> use.</summary>
public static class ToolSelectionServiceCollectionExtensions
{
    /// <summary>Registers one <see cref="ToolSelector"/> (its embedding cache shared by every agent) over an embedding model from the container.</summary>
    /// <param name="services">The services.</param>
    /// <param name="embeddingGeneratorKey">The key of the keyed <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> to use (AgentKit's hosting passes <c>default-embedding</c>); <see langword="null"/> for the unkeyed one.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddAgentKitToolSelection(this IServiceCollection services, object? embeddingGeneratorKey = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(sp => new ToolSelector(embeddingGeneratorKey is null
            ? sp.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>()
            : sp.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>(embeddingGeneratorKey)));
        return services;
    }
}
