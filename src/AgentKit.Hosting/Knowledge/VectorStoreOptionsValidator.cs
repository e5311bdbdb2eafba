using AgentKit.Hosting.Configuration;
using AgentKit.VectorStores.Qdrant;
using Microsoft.Extensions.Options;

namespace AgentKit.Hosting.Knowledge;

/// <summary>Checks <c>AgentKit:VectorStore</c>; failures name the key.</summary>
internal sealed class VectorStoreOptionsValidator : IValidateOptions<AgentKitOptions>
{
    private const string Key = $"{AgentKitOptions.SectionName}:VectorStore";

    public ValidateOptionsResult Validate(string? name, AgentKitOptions options)
    {
        var store = options.VectorStore;
        switch (store.Kind)
        {
            case VectorStoreKind.Sqlite:
                return string.IsNullOrWhiteSpace(store.Path) || store.Path.IndexOfAny(Path.GetInvalidPathChars()) >= 0
                    ? ValidateOptionsResult.Fail($"{Key}:Path: '{store.Path}' is not a file path.")
                    : ValidateOptionsResult.Success;
            case VectorStoreKind.Qdrant:
                try
                {
                    store.Qdrant.Validate();
                    return ValidateOptionsResult.Success;
                }
                catch (ArgumentException e)
                {
                    // The connector names its own section (Qdrant:Endpoint); here it lives under AgentKit:VectorStore.
                    return ValidateOptionsResult.Fail($"{Key}:{e.Message}");
                }

            default:
                return ValidateOptionsResult.Fail($"{Key}:Kind: '{store.Kind}' is not a vector store; use Sqlite or Qdrant.");
        }
    }
}
