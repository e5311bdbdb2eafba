using Microsoft.Extensions.AI;

namespace AgentKit.VectorStores.Conformance;

/// <summary>
/// A deterministic embedding for the embedding-generator tests: dimension <c>i</c> counts the letter <c>'a' + i</c>
/// (plus a small constant so that no vector is zero), so texts made of the same letters are nearest. It records
/// every text it embedded, which tells the tests which generator of the store, collection or property was used.
/// </summary>
public sealed class LetterCountEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>The dimensions of every embedding (the letters a to d).</summary>
    public const int Dimensions = 4;

    private readonly List<string> _texts = [];

    /// <summary>Gets the texts embedded so far, in order.</summary>
    public IReadOnlyList<string> Texts
    {
        get
        {
            lock (_texts)
            {
                return [.. _texts];
            }
        }
    }

    /// <inheritdoc />
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var embeddings = new GeneratedEmbeddings<Embedding<float>>();
        foreach (var value in values)
        {
            lock (_texts)
            {
                _texts.Add(value);
            }

            var vector = new float[Dimensions];
            vector.AsSpan().Fill(0.01f);
            foreach (var c in value)
            {
                if (c is >= 'a' and < (char)('a' + Dimensions))
                {
                    vector[c - 'a']++;
                }
            }

            embeddings.Add(new Embedding<float>(vector));
        }

        return Task.FromResult(embeddings);
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) => serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
