using System.Runtime.CompilerServices;
using AgentKit.VectorStores.Qdrant.Http;
using AgentKit.VectorStores.Qdrant.Mapping;
using AgentKit.VectorStores.Qdrant.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.VectorData;
using Microsoft.Extensions.VectorData.ProviderServices;

namespace AgentKit.VectorStores.Qdrant;

/// <summary>
/// A <see cref="VectorStore"/> on a Qdrant server (v1.10 or later) spoken to over REST. Thread-safe; one instance
/// per server is enough. Register it with <c>services.AddQdrantVectorStore(…)</c> or construct it with an
/// <see cref="HttpClient"/>, which the store uses but does not dispose.
/// </summary>
public sealed class QdrantVectorStore : VectorStore
{
    private readonly QdrantRestClient _client;
    private readonly QdrantVectorStoreOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly VectorStoreMetadata _metadata = new() { VectorStoreSystemName = QdrantRestClient.SystemName };

    /// <summary>Creates a store.</summary>
    /// <param name="httpClient">Sends the requests; its own timeout should not be shorter than <see cref="QdrantVectorStoreOptions.Timeout"/>.</param>
    /// <param name="options">Where the server is and how to talk to it; validated here.</param>
    /// <param name="loggerFactory">Logging (retries, created collections); none by default.</param>
    /// <exception cref="ArgumentException">An option is invalid; the message names its key.</exception>
    public QdrantVectorStore(HttpClient httpClient, QdrantVectorStoreOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _client = new QdrantRestClient(httpClient, options, _loggerFactory.CreateLogger<QdrantVectorStore>());
    }

    /// <inheritdoc />
    /// <exception cref="NotSupportedException">The key type is not ulong or Guid, or the record uses something Qdrant cannot store.</exception>
    public override QdrantCollection<TKey, TRecord> GetCollection<TKey, TRecord>(string name, VectorStoreCollectionDefinition? definition = null) =>
        GetCollection<TKey, TRecord>(name, new QdrantCollectionOptions { Definition = definition });

    /// <summary>Gets a collection with Qdrant-specific settings (named vectors, HNSW parameters, embedding generator).</summary>
    /// <typeparam name="TKey">ulong or Guid.</typeparam>
    /// <typeparam name="TRecord">The record type, annotated with the VectorStore attributes or described by the definition.</typeparam>
    /// <param name="name">The collection's name.</param>
    /// <param name="options">The collection's settings.</param>
    /// <returns>The collection (nothing is sent to the server yet).</returns>
    public QdrantCollection<TKey, TRecord> GetCollection<TKey, TRecord>(string name, QdrantCollectionOptions options)
        where TKey : notnull
        where TRecord : class
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(options);
        if (typeof(TRecord) == typeof(Dictionary<string, object?>))
        {
            throw new NotSupportedException(VectorDataStrings.GetCollectionWithDictionaryNotSupported);
        }

        if (typeof(TKey) != typeof(ulong) && typeof(TKey) != typeof(Guid))
        {
            throw new NotSupportedException($"Collection '{name}': Qdrant keys are ulong or Guid; {typeof(TKey).Name} cannot be used.");
        }

        var layout = QdrantCollectionLayout.Create(typeof(TRecord), typeof(TKey), options.Definition, options, _options);
        return new QdrantCollection<TKey, TRecord>(_client, name, layout, _options.UpsertBatchSize, _loggerFactory.CreateLogger<QdrantVectorStore>());
    }

    /// <inheritdoc />
    public override QdrantCollection<object, Dictionary<string, object?>> GetDynamicCollection(string name, VectorStoreCollectionDefinition definition) =>
        GetDynamicCollection(name, new QdrantCollectionOptions { Definition = definition ?? throw new ArgumentNullException(nameof(definition)) });

    /// <summary>Gets a collection of dictionary records described by <see cref="VectorStoreCollectionOptions.Definition"/>.</summary>
    /// <param name="name">The collection's name.</param>
    /// <param name="options">The collection's settings; the definition is required.</param>
    /// <returns>The collection; keys are ulong or Guid values boxed as object.</returns>
    public QdrantCollection<object, Dictionary<string, object?>> GetDynamicCollection(string name, QdrantCollectionOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(options);
        var layout = QdrantCollectionLayout.Create(null, null, options.Definition, options, _options);
        return new QdrantCollection<object, Dictionary<string, object?>>(_client, name, layout, _options.UpsertBatchSize, _loggerFactory.CreateLogger<QdrantVectorStore>());
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<string> ListCollectionNamesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var result = await _client.SendAsync<object, CollectionsResult>(HttpMethod.Get, "collections", null, null,
            QdrantJsonContext.Default.QdrantResponseCollectionsResult, "ListCollectionNames", null, cancellationToken).ConfigureAwait(false);
        foreach (var collection in result?.Collections ?? [])
        {
            yield return collection.Name;
        }
    }

    /// <inheritdoc />
    public override async Task<bool> CollectionExistsAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var result = await _client.SendAsync<object, CollectionExistence>(HttpMethod.Get, $"collections/{Uri.EscapeDataString(name)}/exists", null, null,
            QdrantJsonContext.Default.QdrantResponseCollectionExistence, "CollectionExists", name, cancellationToken).ConfigureAwait(false);
        return result?.Exists ?? false;
    }

    /// <inheritdoc />
    public override async Task EnsureCollectionDeletedAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        try
        {
            await _client.SendAsync<object, bool>(HttpMethod.Delete, $"collections/{Uri.EscapeDataString(name)}", null, null,
                QdrantJsonContext.Default.QdrantResponseBoolean, "DeleteCollection", name, cancellationToken).ConfigureAwait(false);
        }
        catch (QdrantVectorStoreException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
        }
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(VectorStoreMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }
}
