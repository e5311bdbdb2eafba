using System.Numerics.Tensors;
using Microsoft.Extensions.AI;

namespace AgentKit.Cost.Routing;

/// <summary>A labelled example: a request and the model that should answer requests like it.</summary>
/// <param name="Request">The request's text.</param>
/// <param name="Model">The model's name.</param>
public sealed record RoutingExample(string Request, string Model);

/// <summary>A router's choice.</summary>
/// <param name="Model">The model with the most weight among the nearest examples.</param>
/// <param name="Confidence">Its share of the neighbours' similarity weight, from 0 to 1.</param>
/// <param name="Confident">Whether the confidence reached <see cref="ModelRouterOptions.MinConfidence"/>; when not, the fallback should answer.</param>
public sealed record RoutingDecision(string Model, double Confidence, bool Confident);

/// <summary>Options of a <see cref="ModelRouter"/>. Values are validated when set.</summary>
public sealed class ModelRouterOptions
{
    private int _neighbours = 7;
    private double _minConfidence = 0.6;
    private int _maxExamples = 100_000;

    /// <summary>Nearest examples that vote. Default 7; 1 to 256.</summary>
    public int Neighbours
    {
        get => _neighbours;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 256);
            _neighbours = value;
        }
    }

    /// <summary>Vote share below which the router is not confident and the fallback answers. Default 0.6; 0 to 1.</summary>
    public double MinConfidence
    {
        get => _minConfidence;
        set
        {
            if (!(value >= 0 && value <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "The minimum confidence must be between 0 and 1.");
            }

            _minConfidence = value;
        }
    }

    /// <summary>Most examples a router holds. Default 100,000; at least 1.</summary>
    public int MaxExamples
    {
        get => _maxExamples;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _maxExamples = value;
        }
    }
}

/// <summary>
/// Picks a model per request from labelled examples: the request is embedded and its nearest examples vote, each
/// with its cosine similarity as weight (k-nearest neighbours). Trained in one call; held in memory.
/// </summary>
public sealed class ModelRouter
{
    private readonly IEmbeddingGenerator<string, Embedding<float>> _embeddings;
    private readonly float[][] _vectors;
    private readonly string[] _labels;

    private ModelRouter(IEmbeddingGenerator<string, Embedding<float>> embeddings, float[][] vectors, string[] labels, ModelRouterOptions options)
    {
        _embeddings = embeddings;
        _vectors = vectors;
        _labels = labels;
        Options = options;
        Models = [.. labels.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    /// <summary>The options.</summary>
    public ModelRouterOptions Options { get; }

    /// <summary>The models the examples name.</summary>
    public IReadOnlyList<string> Models { get; }

    /// <summary>Embeds the examples and returns a router over them.</summary>
    /// <param name="embeddings">The embedding model; requests are embedded with it too.</param>
    /// <param name="examples">The labelled examples.</param>
    /// <param name="options">The options.</param>
    /// <param name="cancellationToken">Cancels training.</param>
    /// <returns>The router.</returns>
    /// <exception cref="ArgumentException">No examples, more than <see cref="ModelRouterOptions.MaxExamples"/>, or an example with an empty request or model.</exception>
    public static async Task<ModelRouter> TrainAsync(
        IEmbeddingGenerator<string, Embedding<float>> embeddings, IEnumerable<RoutingExample> examples, ModelRouterOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        ArgumentNullException.ThrowIfNull(examples);
        options ??= new ModelRouterOptions();
        var list = examples.ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException("A router needs at least one labelled example.", nameof(examples));
        }

        if (list.Count > options.MaxExamples)
        {
            throw new ArgumentException($"{list.Count} routing examples exceed the limit of {options.MaxExamples} (ModelRouterOptions.MaxExamples).", nameof(examples));
        }

        var bad = list.FindIndex(e => string.IsNullOrWhiteSpace(e.Request) || string.IsNullOrWhiteSpace(e.Model));
        if (bad >= 0)
        {
            throw new ArgumentException($"Routing example {bad} has an empty request or model.", nameof(examples));
        }

        var vectors = new float[list.Count][];
        const int batch = 64;
        for (var start = 0; start < list.Count; start += batch)
        {
            var chunk = list.Skip(start).Take(batch).Select(e => e.Request).ToList();
            var generated = await embeddings.GenerateAsync(chunk, cancellationToken: cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < generated.Count; i++)
            {
                vectors[start + i] = generated[i].Vector.ToArray();
            }
        }

        return new ModelRouter(embeddings, vectors, [.. list.Select(e => e.Model)], options);
    }

    /// <summary>Picks the model for <paramref name="request"/>.</summary>
    /// <param name="request">The request's text.</param>
    /// <param name="cancellationToken">Cancels the embedding.</param>
    /// <returns>The decision.</returns>
    public async Task<RoutingDecision> RouteAsync(string request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var query = (await _embeddings.GenerateAsync([request], cancellationToken: cancellationToken).ConfigureAwait(false))[0].Vector.Span;
        var k = Math.Min(Options.Neighbours, _vectors.Length);
        var best = new PriorityQueue<int, float>(k + 1);
        for (var i = 0; i < _vectors.Length; i++)
        {
            var similarity = TensorPrimitives.CosineSimilarity(query, _vectors[i]);
            best.Enqueue(i, similarity);
            if (best.Count > k)
            {
                best.Dequeue();
            }
        }

        var votes = new Dictionary<string, double>(StringComparer.Ordinal);
        var total = 0.0;
        while (best.TryDequeue(out var index, out var similarity))
        {
            var weight = Math.Max(similarity, 0);
            votes[_labels[index]] = votes.GetValueOrDefault(_labels[index]) + weight;
            total += weight;
        }

        var (model, weightOf) = votes.MaxBy(v => v.Value);
        var confidence = total > 0 ? weightOf / total : 0;
        return new RoutingDecision(model, confidence, confidence >= Options.MinConfidence);
    }
}
