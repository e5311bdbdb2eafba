using System.Globalization;
using AgentKit.Abstractions.Text;
using Microsoft.Extensions.AI;

namespace AgentKit.LlamaCpp.Embeddings;

/// <summary>
/// Embeddings from a local llama.cpp model as an <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>. Pooling
/// comes from the model's metadata (Mean when it declares none), vectors are L2-normalised, and several inputs
/// are decoded per batch, one sequence each. An input longer than the batch raises
/// <see cref="LlamaContextOverflowException"/> naming the input and its length. <c>GetService(typeof(ITokenCounter))</c>
/// returns the model's tokenizer as a <see cref="LlamaTokenCounter"/>, so chunking counts what the model sees.
/// </summary>
public sealed class LlamaEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly LlamaModel _model;
    private readonly LlamaTokenCounter _tokenCounter;
    private readonly LlamaEmbeddingGeneratorOptions _options;
    private readonly LlamaContextPool _pool;
    private readonly EmbeddingGeneratorMetadata _metadata;

    /// <summary>Creates the generator on a loaded model. The generator does not own the model.</summary>
    public LlamaEmbeddingGenerator(LlamaModel model, LlamaEmbeddingGeneratorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.IsVocabOnly)
        {
            throw new LlamaException($"Model '{model.Path}' was loaded with VocabOnly = true and cannot compute embeddings.");
        }

        _options = options ?? new LlamaEmbeddingGeneratorOptions();
        _options.Validate();
        _model = model;
        _tokenCounter = new LlamaTokenCounter(model.Vocabulary);
        var pooling = _options.Pooling;
        if (pooling == LlamaPoolingType.Unspecified)
        {
            var declared = model.Metadata.Values.GetValueOrDefault(model.Metadata.Architecture + ".pooling_type");
            pooling = declared is not null && int.TryParse(declared, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value is 1 or 2 or 3
                ? (LlamaPoolingType)value
                : LlamaPoolingType.Mean;
        }

        Pooling = pooling;
        var contextOptions = new LlamaContextOptions
        {
            ContextSize = _options.BatchSize,
            BatchSize = _options.BatchSize,
            MicroBatchSize = _options.BatchSize,
            MaxSequences = _options.MaxInputsPerBatch,
            Embeddings = true,
            Pooling = pooling,
            Threads = _options.Threads,
            BatchThreads = _options.Threads,
        };
        _pool = new LlamaContextPool(model, contextOptions, _options.MaxContexts, _options.ModelId ?? model.Metadata.Name);
        Dimensions = model.Metadata.EmbeddingLength;
        _metadata = new EmbeddingGeneratorMetadata("llama.cpp", null, _options.ModelId ?? model.Metadata.Name ?? Path.GetFileNameWithoutExtension(model.Path), Dimensions);
    }

    /// <summary>The pooling in use.</summary>
    public LlamaPoolingType Pooling { get; }

    /// <summary>Length of each embedding vector.</summary>
    public int Dimensions { get; }

    /// <inheritdoc />
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var inputs = values.Select((text, i) =>
        {
            if (text is null)
            {
                throw new ArgumentException($"Input {i} is null.", nameof(values));
            }

            var tokens = _model.Vocabulary.Tokenize(text, addSpecial: true, parseSpecial: false);
            if (tokens.Length > _options.BatchSize)
            {
                throw new LlamaContextOverflowException(tokens.Length, _options.BatchSize, $"Embedding input {i} ({text.Length} characters)");
            }

            return tokens.Length == 0 ? [_model.Vocabulary.Bos] : tokens;
        }).ToArray();

        var result = new GeneratedEmbeddings<Embedding<float>>(inputs.Length) { Usage = new UsageDetails { InputTokenCount = inputs.Sum(i => i.Length) } };
        if (inputs.Length == 0)
        {
            return result;
        }

        using var lease = await _pool.RentAsync([], cancellationToken).ConfigureAwait(false);
        var created = DateTimeOffset.UtcNow;
        var start = 0;
        while (start < inputs.Length)
        {
            var batch = new List<LlamaToken[]>();
            var tokens = 0;
            while (start + batch.Count < inputs.Length && batch.Count < _options.MaxInputsPerBatch && tokens + inputs[start + batch.Count].Length <= _options.BatchSize)
            {
                tokens += inputs[start + batch.Count].Length;
                batch.Add(inputs[start + batch.Count]);
            }

            var vectors = await Task.Run(() => lease.Context.EmbedBatch(batch, _options.Normalize, cancellationToken), cancellationToken).ConfigureAwait(false);
            foreach (var vector in vectors)
            {
                result.Add(new Embedding<float>(vector) { CreatedAt = created, ModelId = _metadata.DefaultModelId });
            }

            start += batch.Count;
        }

        return result;
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(EmbeddingGeneratorMetadata))
        {
            return _metadata;
        }

        if (serviceType == typeof(LlamaModel))
        {
            return _model;
        }

        if (serviceType == typeof(ITokenCounter))
        {
            return _tokenCounter;
        }

        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <summary>Frees the generator's contexts (not the model).</summary>
    public void Dispose() => _pool.Dispose();
}
