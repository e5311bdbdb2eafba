using System.Runtime.CompilerServices;
using AgentKit.VectorStores.Qdrant.Grpc;
using AgentKit.VectorStores.Qdrant.Mapping;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.VectorData;
using Microsoft.Extensions.VectorData.ProviderServices;
using Qdrant.Client;

namespace AgentKit.VectorStores.Qdrant;

/// <summary>
/// A <see cref="VectorStore"/> on a Qdrant server (v1.10 or later), spoken to over gRPC through the official
/// <see cref="QdrantClient"/>. Thread-safe; one instance per server is enough. Register it with
/// <c>services.AddQdrantVectorStore(…)</c>, or construct it from options (it then owns its client) or with your own
/// <see cref="QdrantClient"/> (which it uses but does not dispose).
/// </summary>
public sealed class QdrantVectorStore : VectorStore
{
    private readonly QdrantClient _client;
    private readonly bool _ownsClient;
    private readonly QdrantCalls _calls;
    private readonly QdrantVectorStoreOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly VectorStoreMetadata _metadata = new() { VectorStoreSystemName = QdrantCalls.SystemName };

    /// <summary>Creates a store with its own <see cref="QdrantClient"/> for <see cref="QdrantVectorStoreOptions.Endpoint"/>, disposed with the store.</summary>
    /// <param name="options">Where the server is and how to talk to it; validated here.</param>
    /// <param name="loggerFactory">Logging (retries, created collections, the client's own); none by default.</param>
    /// <exception cref="ArgumentException">An option is invalid; the message names its key.</exception>
    public QdrantVectorStore(QdrantVectorStoreOptions options, ILoggerFactory? loggerFactory = null)
        : this(CreateClient(options, loggerFactory), ownsClient: true, options, loggerFactory)
    {
    }

    /// <summary>
    /// Creates a store on a <see cref="QdrantClient"/> you configured (address, TLS, API key, headers, gRPC deadline).
    /// The store does not dispose it.
    /// </summary>
    /// <param name="client">The client every call goes through.</param>
    /// <param name="options">
    /// Retries, timeout, batch size, layout and embedding generator; <see cref="QdrantVectorStoreOptions.Endpoint"/> and
    /// <see cref="QdrantVectorStoreOptions.ApiKey"/> are not used (the client has its own). Defaults when null.
    /// </param>
    /// <param name="loggerFactory">Logging (retries, created collections); none by default.</param>
    /// <exception cref="ArgumentException">An option is invalid; the message names its key.</exception>
    public QdrantVectorStore(QdrantClient client, QdrantVectorStoreOptions? options = null, ILoggerFactory? loggerFactory = null)
        : this(client ?? throw new ArgumentNullException(nameof(client)), ownsClient: false, Checked(options ?? new QdrantVectorStoreOptions()), loggerFactory)
    {
    }

    private QdrantVectorStore(QdrantClient client, bool ownsClient, QdrantVectorStoreOptions options, ILoggerFactory? loggerFactory)
    {
        _client = client;
        _ownsClient = ownsClient;
        _options = options;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _calls = new QdrantCalls(options, _loggerFactory.CreateLogger<QdrantVectorStore>(), ownsClient ? options.Endpoint : null);
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
        return new QdrantCollection<TKey, TRecord>(_client, _calls, name, layout, _options.UpsertBatchSize, _loggerFactory.CreateLogger<QdrantVectorStore>());
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
        return new QdrantCollection<object, Dictionary<string, object?>>(_client, _calls, name, layout, _options.UpsertBatchSize, _loggerFactory.CreateLogger<QdrantVectorStore>());
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<string> ListCollectionNamesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var names = await _calls.RunAsync(ct => _client.ListCollectionsAsync(ct), "ListCollectionNames", null, cancellationToken).ConfigureAwait(false);
        foreach (var name in names)
        {
            yield return name;
        }
    }

    /// <inheritdoc />
    public override Task<bool> CollectionExistsAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return QdrantCollectionCalls.ExistsAsync(_client, _calls, name, cancellationToken);
    }

    /// <inheritdoc />
    public override Task EnsureCollectionDeletedAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return QdrantCollectionCalls.DeleteAsync(_client, _calls, name, cancellationToken);
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(VectorStoreMetadata) ? _metadata
            : serviceType == typeof(QdrantClient) ? _client
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && _ownsClient)
        {
            _client.Dispose();
        }

        base.Dispose(disposing);
    }

    private static QdrantClient CreateClient(QdrantVectorStoreOptions options, ILoggerFactory? loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return new QdrantClient(options.Endpoint!, options.ApiKey, default, loggerFactory);
    }

    /// <summary>Options for a client handed over, which knows its own server: everything but the endpoint is checked.</summary>
    private static QdrantVectorStoreOptions Checked(QdrantVectorStoreOptions options) =>
        QdrantVectorStoreOptionsValidator.FirstFailure(options, endpointRequired: false) is { } failure ? throw new ArgumentException(failure) : options;
}
