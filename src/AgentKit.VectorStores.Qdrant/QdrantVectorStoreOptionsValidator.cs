using Microsoft.Extensions.Options;

namespace AgentKit.VectorStores.Qdrant;

/// <summary>Validates <see cref="QdrantVectorStoreOptions"/>; failures name the configuration key.</summary>
/// <param name="endpointRequired">False when the store is given its own <c>QdrantClient</c>, which knows its server.</param>
internal sealed class QdrantVectorStoreOptionsValidator(bool endpointRequired = true) : IValidateOptions<QdrantVectorStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, QdrantVectorStoreOptions options) =>
        FirstFailure(options, endpointRequired) is { } failure ? ValidateOptionsResult.Fail(failure) : ValidateOptionsResult.Success;

    internal static string? FirstFailure(QdrantVectorStoreOptions options, bool endpointRequired = true)
    {
        const string Section = QdrantVectorStoreOptions.SectionName;
        if (options.Endpoint is null && endpointRequired)
        {
            return $"{Section}:Endpoint is required: the Qdrant gRPC address, for example http://localhost:6334/.";
        }

        if (options.Endpoint is { } endpoint
            && (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps)))
        {
            return $"{Section}:Endpoint '{endpoint}' must be an absolute http or https address (gRPC, port 6334 by default).";
        }

        if (options.ApiKey is { } key && (key.Length == 0 || key.Any(char.IsControl)))
        {
            return $"{Section}:ApiKey must be non-empty and free of control characters when set.";
        }

        if (options.Timeout <= TimeSpan.Zero || options.Timeout > TimeSpan.FromHours(1))
        {
            return $"{Section}:Timeout {options.Timeout} must be above zero and at most one hour.";
        }

        if (options.MaxRetries is < 0 or > 10)
        {
            return $"{Section}:MaxRetries {options.MaxRetries} must be between 0 and 10.";
        }

        if (options.RetryBaseDelay < TimeSpan.Zero || options.RetryBaseDelay > TimeSpan.FromMinutes(1))
        {
            return $"{Section}:RetryBaseDelay {options.RetryBaseDelay} must be between zero and one minute.";
        }

        if (options.UpsertBatchSize is < 1 or > 10_000)
        {
            return $"{Section}:UpsertBatchSize {options.UpsertBatchSize} must be between 1 and 10000.";
        }

        if (options.HnswM is < 0)
        {
            return $"{Section}:HnswM {options.HnswM} must not be negative.";
        }

        if (options.HnswEfConstruct is < 4)
        {
            return $"{Section}:HnswEfConstruct {options.HnswEfConstruct} must be 4 or more.";
        }

        return null;
    }
}
