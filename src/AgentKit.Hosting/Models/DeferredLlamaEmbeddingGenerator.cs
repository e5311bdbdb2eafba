using AgentKit.LlamaCpp.Embeddings;
using Microsoft.Extensions.AI;

namespace AgentKit.Hosting.Models;

/// <summary>A <see cref="LlamaEmbeddingGenerator"/> over a model that may still be loading; the first request waits for the load.</summary>
internal sealed class DeferredLlamaEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly LlamaModelHost _host;
    private readonly LlamaEmbeddingGeneratorOptions _options;
    private readonly Lock _gate = new();
    private LlamaEmbeddingGenerator? _generator;
    private bool _disposed;

    public DeferredLlamaEmbeddingGenerator(LlamaModelHost host, LlamaEmbeddingGeneratorOptions options)
    {
        _host = host;
        _options = options;
        Metadata = new EmbeddingGeneratorMetadata("llama.cpp", null, options.ModelId ?? host.Name);
    }

    public EmbeddingGeneratorMetadata Metadata { get; }

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var generator = Volatile.Read(ref _generator);
        if (generator is null)
        {
            var model = await _host.GetModelAsync(cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                generator = _generator ??= new LlamaEmbeddingGenerator(model, _options);
            }
        }

        return await generator.GenerateAsync(values, options, cancellationToken).ConfigureAwait(false);
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(EmbeddingGeneratorMetadata))
        {
            return Metadata;
        }

        var loaded = Volatile.Read(ref _generator)?.GetService(serviceType, serviceKey);
        return loaded ?? (serviceType.IsInstanceOfType(this) ? this : null);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _generator?.Dispose();
            _generator = null;
        }
    }
}
