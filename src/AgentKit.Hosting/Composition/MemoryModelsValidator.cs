using AgentKit.Hosting.Configuration;
using AgentKit.Memory;
using Microsoft.Extensions.Options;

namespace AgentKit.Hosting.Composition;

/// <summary>Checks that <c>AgentKit:Memory</c> names a chat model and an embedding model that exist, each of the right kind.</summary>
internal sealed class MemoryModelsValidator(IOptions<AgentKitOptions> agentKit) : IValidateOptions<MemoryOptions>
{
    private const string Key = $"{AgentKitOptions.SectionName}:Memory";

    public ValidateOptionsResult Validate(string? name, MemoryOptions options)
    {
        var models = agentKit.Value;
        var failures = new List<string>();
        ModelChecks.CheckUse(models, options.ChatClientKey ?? models.DefaultChatModel, ModelKind.Chat, $"{Key}:{nameof(options.ChatClientKey)}", failures);
        ModelChecks.CheckUse(models, options.EmbeddingGeneratorKey ?? models.DefaultEmbeddingModel, ModelKind.Embedding, $"{Key}:{nameof(options.EmbeddingGeneratorKey)}", failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>Checks shared by the validators: a model name used for a purpose exists and is of the kind the purpose needs.</summary>
internal static class ModelChecks
{
    public static void CheckUse(AgentKitOptions options, string? modelName, ModelKind kind, string key, List<string> failures)
    {
        var property = kind == ModelKind.Chat ? nameof(AgentKitOptions.DefaultChatModel) : nameof(AgentKitOptions.DefaultEmbeddingModel);
        if (modelName is null)
        {
            failures.Add($"{key}: no {kind} model named and no {AgentKitOptions.SectionName}:{property} to fall back on; name one of {AgentKitOptions.SectionName}:Models.");
        }
        else if (!options.Models.TryGetValue(modelName, out var model))
        {
            failures.Add($"{key}: no model named '{modelName}' under {AgentKitOptions.SectionName}:Models.");
        }
        else if (model.Kind != kind)
        {
            failures.Add($"{key}: '{modelName}' is {(model.Kind == ModelKind.Chat ? "a Chat" : "an Embedding")} model; this needs {(kind == ModelKind.Chat ? "a Chat" : "an Embedding")} model (set its Kind, or name another model).");
        }
    }
}
