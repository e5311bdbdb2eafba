using System.Numerics.Tensors;
using AgentKit.Abstractions.Text;
using Microsoft.Extensions.AI;

namespace AgentKit.Rag.Embeddings;

/// <summary>
/// A lexical embedding that needs no model, so ingestion and retrieval run out of the box. Text is lower-cased and
/// split into words (runs of letters and digits); each word, and each pair of adjacent words, is a feature. A
/// feature's 64-bit FNV-1a hash picks a dimension (hash mod <see cref="HashingEmbeddingGeneratorOptions.Dimensions"/>)
/// and a sign (the hash's top bit), so collisions cancel out on average instead of piling up (signed feature
/// hashing). A feature's weight is 1 + ln(count) (log-scaled term frequency), bigrams times
/// <see cref="HashingEmbeddingGeneratorOptions.BigramWeight"/>; the vector is L2-normalised, so cosine similarity
/// and dot product agree. Text without words gets the vector of a reserved feature, never a zero vector.
/// </summary>
/// <remarks>
/// It matches words, not meanings: "car" and "automobile" are unrelated to it. Use a GGUF embedding model
/// (<c>LlamaEmbeddingGenerator</c>) for semantic search; this default suits keyword-heavy technical text and tests.
/// The output depends only on the text and the options, on every platform and run.
/// </remarks>
public sealed class HashingEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private const ulong FnvOffset = 14695981039346656037;
    private const ulong FnvPrime = 1099511628211;
    private const string EmptyFeature = "\u0000empty";

    private readonly HashingEmbeddingGeneratorOptions _options;
    private readonly EmbeddingGeneratorMetadata _metadata;

    /// <summary>Creates the generator.</summary>
    /// <param name="options">Settings; defaults when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">The options are out of range.</exception>
    public HashingEmbeddingGenerator(HashingEmbeddingGeneratorOptions? options = null)
    {
        _options = options ?? new HashingEmbeddingGeneratorOptions();
        _options.Validate();
        ModelId = $"agentkit-hashing-{_options.Dimensions}{(_options.IncludeBigrams ? "-bigrams" : "")}";
        _metadata = new EmbeddingGeneratorMetadata("agentkit-hashing", null, ModelId, _options.Dimensions);
    }

    /// <summary>The vector length.</summary>
    public int Dimensions => _options.Dimensions;

    /// <summary>A name for the settings (<c>agentkit-hashing-384-bigrams</c>); vectors with different names are not comparable.</summary>
    public string ModelId { get; }

    /// <inheritdoc />
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var result = new GeneratedEmbeddings<Embedding<float>>();
        var created = DateTimeOffset.UtcNow;
        foreach (var value in values)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ArgumentNullException.ThrowIfNull(value, nameof(values));
            result.Add(new Embedding<float>(Embed(value)) { CreatedAt = created, ModelId = ModelId });
        }

        return Task.FromResult(result);
    }

    /// <summary>Embeds one text.</summary>
    /// <param name="text">The text.</param>
    /// <returns>A unit-length vector of <see cref="Dimensions"/> values.</returns>
    public float[] Embed(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var counts = new Dictionary<ulong, (int Count, float Weight)>();
        ulong previous = 0;
        var hasPrevious = false;
        foreach (var word in WordTokenizer.Words(text))
        {
            var hash = Hash(FnvOffset, word);
            Count(counts, hash, 1f);
            if (_options.IncludeBigrams && hasPrevious)
            {
                // The pair's hash continues the first word's hash over a separator and the second word.
                Count(counts, Hash(Hash(previous, " "), word), _options.BigramWeight);
            }

            previous = hash;
            hasPrevious = true;
        }

        if (counts.Count == 0)
        {
            Count(counts, Hash(FnvOffset, EmptyFeature), 1f);
        }

        var vector = new float[_options.Dimensions];
        foreach (var (hash, (count, weight)) in counts)
        {
            var index = (int)(hash % (ulong)vector.Length);
            var sign = (hash >> 63) == 0 ? 1f : -1f;
            vector[index] += sign * weight * (1f + MathF.Log(count));
        }

        var norm = TensorPrimitives.Norm(vector);
        if (norm > 0)
        {
            TensorPrimitives.Divide(vector, norm, vector);
        }
        else
        {
            // Every feature cancelled out in one dimension: fall back to the reserved feature.
            var hash = Hash(FnvOffset, EmptyFeature);
            vector[(int)(hash % (ulong)vector.Length)] = 1f;
        }

        return vector;
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <summary>Nothing to free.</summary>
    public void Dispose()
    {
    }

    private static void Count(Dictionary<ulong, (int Count, float Weight)> counts, ulong hash, float weight)
    {
        var (count, _) = counts.GetValueOrDefault(hash);
        counts[hash] = (count + 1, weight);
    }

    private static ulong Hash(ulong seed, string text)
    {
        var hash = seed;
        foreach (var c in text)
        {
            hash = (hash ^ (byte)c) * FnvPrime;
            hash = (hash ^ (byte)(c >> 8)) * FnvPrime;
        }

        return hash;
    }
}
