using AgentKit.Abstractions.Embeddings;
using AgentKit.Abstractions.Graph;
using AgentKit.Hosting.Configuration;
using AgentKit.Rag.Knowledge;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.VectorData;

namespace AgentKit.Hosting.Knowledge;

/// <summary>
/// Checks each knowledge base at start: its own settings and sources, and that the embedding model and vector store
/// it names exist (a chat model named as its embedding model is refused), and that a base that re-ranks has a model
/// that can score tokens. Failures name <c>AgentKit:Knowledge:&lt;name&gt;:…</c>.
/// </summary>
internal sealed class KnowledgeBaseOptionsValidator(IServiceProvider services, IOptions<AgentKitOptions> agentKit) : IValidateOptions<KnowledgeBaseOptions>
{
    public ValidateOptionsResult Validate(string? name, KnowledgeBaseOptions options)
    {
        if (name is null || name.Length == 0)
        {
            return ValidateOptionsResult.Skip;
        }

        var key = $"{AgentKitOptions.SectionName}:Knowledge:{name}";
        var root = services.GetService<IHostEnvironment>()?.ContentRootPath ?? Directory.GetCurrentDirectory();
        var failures = options.Validate(key, root).ToList();
        if (options.UseGraph && services.GetService<IServiceProviderIsService>()?.IsService(typeof(IGraphEvidenceSink)) != true)
        {
            failures.Add($"{key}:UseGraph: the base feeds and reads the knowledge graph, and none is configured; add the {AgentKitOptions.SectionName}:Graph section or set UseGraph to false.");
        }

        if (options.AnswerMode == AgentKit.Rag.Answers.RagAnswerMode.Global && services.GetService<IServiceProviderIsService>()?.IsService(typeof(IGraphGlobalSearch)) != true)
        {
            failures.Add($"{key}:AnswerMode: Global answers from the knowledge graph's community summaries, and no graph is configured; add the {AgentKitOptions.SectionName}:Graph section or set AnswerMode to Passages.");
        }

        var registered = services.GetService<IServiceProviderIsKeyedService>();
        var models = agentKit.Value.Models;
        if (options.EmbeddingModel is { } model)
        {
            if (models.TryGetValue(model, out var configured) && configured.Kind != ModelKind.Embedding)
            {
                failures.Add($"{key}:EmbeddingModel: '{model}' is a {configured.Kind} model; a knowledge base needs an Embedding model.");
            }
            else if (configured is null && registered?.IsKeyedService(typeof(IEmbeddingGenerator<string, Embedding<float>>), model) != true)
            {
                failures.Add($"{key}:EmbeddingModel: no embedding model named '{model}' under {AgentKitOptions.SectionName}:Models.");
            }
        }
        else if (registered?.IsService(typeof(IEmbeddingGenerator<string, Embedding<float>>)) != true)
        {
            failures.Add($"{key}:EmbeddingModel: not set, and there is no default embedding model ({AgentKitOptions.SectionName}:DefaultEmbeddingModel).");
        }

        if (options.VectorStore is { } store && registered?.IsKeyedService(typeof(VectorStore), store) != true)
        {
            failures.Add($"{key}:VectorStore: no vector store is registered under the key '{store}'.");
        }
        else if (options.VectorStore is null && registered?.IsService(typeof(VectorStore)) != true)
        {
            failures.Add($"{key}:VectorStore: no vector store is registered (AddAgentKit() registers {AgentKitOptions.SectionName}:VectorStore; in code, AddSqliteVectorStore).");
        }

        if (options.Rerank == true && failures.Count == 0)
        {
            // Only resolved when everything it depends on checked out; creating a generator loads no model.
            var embedder = options.EmbeddingModel is { } named
                ? services.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>(named)
                : services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
            if (embedder.GetService<IRelevanceScorer>() is null)
            {
                failures.Add($"{key}:Rerank: the embedding model '{embedder.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelId ?? embedder.GetType().Name}' offers no token-level relevance scorer (IRelevanceScorer); the built-in all-MiniLM-L6-v2 (the default embedding model) does. Set Rerank to false or use it.");
            }
        }

        if (options.ChatModel is { } chat && models.TryGetValue(chat, out var chatModel) && chatModel.Kind != ModelKind.Chat)
        {
            failures.Add($"{key}:ChatModel: '{chat}' is an {chatModel.Kind} model; answers need a Chat model.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
