using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using AgentKit.LlamaCpp.Native;

namespace AgentKit.LlamaCpp;

/// <summary>
/// An inference context: a KV cache holding up to <see cref="MaxSequences"/> sequences, with its own threads.
/// A context runs one operation at a time (use one context per concurrent request; contexts on the same
/// model decode concurrently). The context remembers which tokens each sequence holds, so a prompt that
/// starts like the previous one decodes only the part that changed.
/// </summary>
public sealed partial class LlamaContext : IDisposable
{
    private readonly SafeLlamaContextHandle _handle;
    private readonly nint _memory;
    private readonly List<LlamaToken>[] _sequences;
    private readonly unsafe int* _abortFlag;
    private LlamaBatchNative _batch;
    private readonly int _batchCapacity;
    private int _busy;
    private bool _disposed;

    // Threads the owner (a pool sharing its cores) wants for the next decode, packed as (threads << 16) | batch
    // threads; 0: keep what the context was created with. Applied by the decoding thread itself.
    private int _wantedThreads;
    private int _appliedThreads;

    internal unsafe LlamaContext(LlamaModel model, LlamaContextOptions options)
    {
        options.Validate();
        Model = model;
        Options = options;

        var parameters = NativeMethods.llama_context_default_params();
        var trained = model.Metadata.TrainingContextLength;
        parameters.n_ctx = (uint)(options.ContextSize == 0 && trained > 0 ? trained : Math.Max(options.ContextSize, 16));

        parameters.n_batch = (uint)Math.Min(options.BatchSize, (int)parameters.n_ctx);
        parameters.n_ubatch = (uint)Math.Min(options.MicroBatchSize, (int)parameters.n_batch);
        parameters.n_seq_max = (uint)options.MaxSequences;
        parameters.n_threads = options.Threads;
        parameters.n_threads_batch = options.BatchThreads;
        parameters.flash_attn_type = (int)options.FlashAttention;
        parameters.type_k = (int)options.KeyCacheType;
        parameters.type_v = (int)options.ValueCacheType;
        parameters.embeddings = options.Embeddings ? (byte)1 : (byte)0;
        parameters.pooling_type = (int)options.Pooling;
        parameters.kv_unified = options.UnifiedKvCache ? (byte)1 : (byte)0;
        parameters.offload_kqv = options.OffloadKv ? (byte)1 : (byte)0;
        parameters.no_perf = 0;

        _abortFlag = (int*)NativeMemory.AllocZeroed(sizeof(int));
        parameters.abort_callback = (nint)(delegate* unmanaged[Cdecl]<void*, byte>)&OnAbortCheck;
        parameters.abort_callback_data = (nint)_abortFlag;

        LastErrorCapture.Begin();
        var context = NativeMethods.llama_init_from_model(model.NativePointer, parameters);
        if (context == nint.Zero)
        {
            NativeMemory.Free(_abortFlag);
            var detail = LastErrorCapture.Describe();
            throw new LlamaException($"llama.cpp could not create a context on '{model.Path}' (context {parameters.n_ctx}, batch {parameters.n_batch}, sequences {parameters.n_seq_max}): {(detail.Length > 0 ? detail : "no reason given")}");
        }

        // One persistent pool for both thread counts (a decode uses the first n of its workers), as llama.cpp's tools do.
        var threads = options.PersistentThreadPool ? GgmlThreadPool.TryCreate(Math.Max(options.Threads, options.BatchThreads)) : null;
        if (threads is not null)
        {
            NativeMethods.llama_attach_threadpool(context, threads.DangerousGetHandle(), threads.DangerousGetHandle());
        }

        _handle = new SafeLlamaContextHandle(context, model.Handle, threads);
        _memory = NativeMethods.llama_get_memory(context);
        ContextSize = (int)NativeMethods.llama_n_ctx(context);
        BatchSize = (int)NativeMethods.llama_n_batch(context);
        MaxSequences = (int)NativeMethods.llama_n_seq_max(context);
        SequenceCapacity = (int)NativeMethods.llama_n_ctx_seq(context);
        _sequences = new List<LlamaToken>[MaxSequences];
        for (var i = 0; i < _sequences.Length; i++)
        {
            _sequences[i] = [];
        }

        _batchCapacity = Math.Max(BatchSize, MaxSequences);
        _batch = NativeMethods.llama_batch_init(_batchCapacity, 0, MaxSequences);
    }

    /// <summary>The model this context runs.</summary>
    public LlamaModel Model { get; }

    /// <summary>The options the context was created with.</summary>
    public LlamaContextOptions Options { get; }

    /// <summary>Tokens the KV cache holds, all sequences together.</summary>
    public int ContextSize { get; }

    /// <summary>Tokens one sequence can hold (equal to <see cref="ContextSize"/> with a unified KV cache).</summary>
    public int SequenceCapacity { get; }

    /// <summary>Most tokens per decode call.</summary>
    public int BatchSize { get; }

    /// <summary>Number of sequences the context holds at once.</summary>
    public int MaxSequences { get; }

    internal nint Pointer
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _handle.DangerousGetHandle();
        }
    }

    /// <summary>The tokens a sequence currently holds in the KV cache, in position order.</summary>
    public IReadOnlyList<LlamaToken> GetSequenceTokens(LlamaSeqId sequence) => _sequences[CheckSequence(sequence)].AsReadOnly();

    /// <summary>Removes every token of a sequence from the KV cache.</summary>
    public void ClearSequence(LlamaSeqId sequence)
    {
        using var scope = Enter();
        RemoveSequenceCore(CheckSequence(sequence));
    }

    /// <summary>Empties the whole KV cache.</summary>
    public void Clear()
    {
        using var scope = Enter();
        NativeMethods.llama_memory_clear(_memory, true);
        foreach (var tokens in _sequences)
        {
            tokens.Clear();
        }
    }

    /// <summary>
    /// Makes <paramref name="destination"/> hold the same tokens as <paramref name="source"/>. With a unified KV
    /// cache the cells are shared, not copied, so forking a long prompt costs nothing.
    /// </summary>
    public void CopySequence(LlamaSeqId source, LlamaSeqId destination)
    {
        using var scope = Enter();
        CopySequenceCore(CheckSequence(source), CheckSequence(destination));
    }

    /// <summary>
    /// Decodes <paramref name="tokens"/> into a sequence, reusing the longest prefix the sequence already holds
    /// (only the changed tail is decoded). Afterwards the logits of the last token are ready for sampling.
    /// </summary>
    /// <returns>How many tokens were decoded (the rest were reused from the cache).</returns>
    /// <exception cref="LlamaContextOverflowException">The tokens do not fit in the sequence's capacity.</exception>
    public int Evaluate(LlamaSeqId sequence, IReadOnlyList<LlamaToken> tokens, CancellationToken cancellationToken = default)
    {
        using var scope = Enter();
        return EvaluateCore(CheckSequence(sequence), tokens, cancellationToken);
    }

    /// <summary>Frees the context and its KV cache.</summary>
    public unsafe void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            throw new InvalidOperationException("The LlamaContext is in use by a running operation; cancel it and wait for it to end before disposing.");
        }

        _disposed = true;
        NativeMethods.llama_batch_free(_batch);
        _batch = default;
        _handle.Dispose();
        NativeMemory.Free(_abortFlag);
    }

    // ---- internals shared by generation, multi-sequence decoding and embeddings ----

    internal Scope Enter()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            throw new InvalidOperationException("A LlamaContext runs one operation at a time. Use one context per concurrent request (LlamaChatClient keeps a pool of them).");
        }

        return new Scope(this);
    }

    internal readonly struct Scope(LlamaContext owner) : IDisposable
    {
        public void Dispose() => Volatile.Write(ref owner._busy, 0);
    }

    internal int CheckSequence(LlamaSeqId sequence)
    {
        if ((uint)sequence.Value >= (uint)MaxSequences)
        {
            throw new ArgumentOutOfRangeException(nameof(sequence), sequence.Value, $"Sequence ids of this context run from 0 to {MaxSequences - 1} (LlamaContextOptions.MaxSequences).");
        }

        return sequence.Value;
    }

    internal List<LlamaToken> SequenceTokens(int sequence) => _sequences[sequence];

    internal void RemoveSequenceCore(int sequence)
    {
        NativeMethods.llama_memory_seq_rm(_memory, sequence, -1, -1);
        _sequences[sequence].Clear();
    }

    internal void CopySequenceCore(int source, int destination)
    {
        if (source == destination)
        {
            return;
        }

        RemoveSequenceCore(destination);
        NativeMethods.llama_memory_seq_cp(_memory, source, destination, -1, -1);
        _sequences[destination].AddRange(_sequences[source]);
    }

    /// <summary>Truncates a sequence to its first <paramref name="keep"/> tokens.</summary>
    internal void TruncateSequence(int sequence, int keep)
    {
        var tokens = _sequences[sequence];
        if (keep >= tokens.Count)
        {
            return;
        }

        if (!NativeMethods.llama_memory_seq_rm(_memory, sequence, keep, -1))
        {
            // Recurrent state cannot be partially rolled back: start the sequence over.
            RemoveSequenceCore(sequence);
            return;
        }

        tokens.RemoveRange(keep, tokens.Count - keep);
    }

    internal int EvaluateCore(int sequence, IReadOnlyList<LlamaToken> tokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (tokens.Count == 0)
        {
            throw new ArgumentException("The prompt is empty: at least one token is needed.", nameof(tokens));
        }

        if (tokens.Count > SequenceCapacity)
        {
            throw new LlamaContextOverflowException(tokens.Count, SequenceCapacity, "The prompt");
        }

        var existing = _sequences[sequence];
        var common = CommonPrefixLength(existing, tokens);
        // The last prompt token is always decoded again so that its logits are fresh.
        common = Math.Min(common, tokens.Count - 1);
        TruncateSequence(sequence, common);
        common = existing.Count;

        var position = common;
        while (position < tokens.Count)
        {
            var count = Math.Min(BatchSize, tokens.Count - position);
            ClearBatch();
            for (var i = 0; i < count; i++)
            {
                AddToBatch(tokens[position + i], position + i, sequence, position + i == tokens.Count - 1);
            }

            Decode(cancellationToken, sequence);
            for (var i = 0; i < count; i++)
            {
                existing.Add(tokens[position + i]);
            }

            position += count;
        }

        return tokens.Count - common;
    }

    /// <summary>
    /// Runs blocking native work (a decode) without blocking a caller that must stay responsive: inline when the
    /// caller is already a thread-pool thread, which is the case on every step of a generation loop after the first
    /// await, so there is no thread hop and no task per token; on the pool otherwise.
    /// </summary>
    internal static ValueTask<T> OffCallerAsync<T>(Func<T> work, CancellationToken cancellationToken)
    {
        if (!Thread.CurrentThread.IsThreadPoolThread)
        {
            return new ValueTask<T>(Task.Run(work, cancellationToken));
        }

        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(work());
    }

    /// <inheritdoc cref="OffCallerAsync{T}(Func{T}, CancellationToken)"/>
    internal static ValueTask OffCallerAsync(Action work, CancellationToken cancellationToken)
    {
        if (!Thread.CurrentThread.IsThreadPoolThread)
        {
            return new ValueTask(Task.Run(work, cancellationToken));
        }

        cancellationToken.ThrowIfCancellationRequested();
        work();
        return ValueTask.CompletedTask;
    }

    internal unsafe void ClearBatch() => _batch.n_tokens = 0;

    internal int BatchCount => _batch.n_tokens;

    internal int BatchCapacity => _batchCapacity;

    internal unsafe void AddToBatch(LlamaToken token, int position, int sequence, bool wantLogits)
    {
        var i = _batch.n_tokens;
        if (i >= _batchCapacity)
        {
            throw new LlamaContextOverflowException(i + 1, _batchCapacity, "The batch");
        }

        _batch.token[i] = token.Value;
        _batch.pos[i] = position;
        _batch.n_seq_id[i] = 1;
        _batch.seq_id[i][0] = sequence;
        _batch.logits[i] = wantLogits ? (sbyte)1 : (sbyte)0;
        _batch.n_tokens = i + 1;
    }

    /// <summary>
    /// Asks for other thread counts from the next decode on (set from any thread; the decoding thread applies them,
    /// so a decode in flight is never changed under it).
    /// </summary>
    internal void SetThreads(int threads, int batchThreads)
    {
        Volatile.Write(ref _wantedThreads, (Math.Clamp(threads, 1, 1024) << 16) | Math.Clamp(batchThreads, 1, 1024));
    }

    /// <summary>The thread counts llama.cpp uses now (generation, batch).</summary>
    internal (int Threads, int BatchThreads) NativeThreads
        => (NativeMethods.llama_n_threads(Pointer), NativeMethods.llama_n_threads_batch(Pointer));

    /// <summary>Runs llama_decode on the current batch; on failure the sequences touched are reset so the bookkeeping stays true.</summary>
    internal unsafe void Decode(CancellationToken cancellationToken, params ReadOnlySpan<int> touchedSequences)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var wanted = Volatile.Read(ref _wantedThreads);
        if (wanted != 0 && wanted != _appliedThreads)
        {
            NativeMethods.llama_set_n_threads(Pointer, wanted >> 16, wanted & 0xFFFF);
            _appliedThreads = wanted;
        }

        int result;
        using (cancellationToken.CanBeCanceled ? cancellationToken.UnsafeRegister(static s => SetAbort((nint)s!), (nint)_abortFlag) : default)
        {
            LastErrorCapture.Begin();
            // Encoder-decoder models (T5) run their input through the encoder; everything else decodes.
            result = Model.Metadata.HasEncoder
                ? NativeMethods.llama_encode(Pointer, _batch)
                : NativeMethods.llama_decode(Pointer, _batch);
        }

        Volatile.Write(ref *_abortFlag, 0);
        if (result == 0)
        {
            return;
        }

        foreach (var sequence in touchedSequences)
        {
            RemoveSequenceCore(sequence);
        }

        if (result == 2)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw new OperationCanceledException("The decode was aborted.");
        }

        if (result == 1)
        {
            throw new LlamaContextOverflowException($"The KV cache is full ({ContextSize} cells across {MaxSequences} sequences): raise LlamaContextOptions.ContextSize or use fewer/shorter sequences.");
        }

        var detail = LastErrorCapture.Describe();
        throw new LlamaDecodeException(result, detail.Length > 0 ? detail : "see the llama.cpp log");
    }

    private static unsafe void SetAbort(nint flag) => Volatile.Write(ref *(int*)flag, 1);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static unsafe byte OnAbortCheck(void* data) => Volatile.Read(ref *(int*)data) != 0 ? (byte)1 : (byte)0;

    /// <summary>The logits the last decode produced for batch row <paramref name="batchIndex"/> (-1: the last row with logits).</summary>
    internal unsafe ReadOnlySpan<float> GetLogits(int batchIndex)
    {
        var logits = NativeMethods.llama_get_logits_ith(Pointer, batchIndex);
        if (logits == null)
        {
            throw new LlamaException($"No logits for batch row {batchIndex}: that row did not request output.");
        }

        return new ReadOnlySpan<float>(logits, Model.Vocabulary.Count);
    }

    /// <summary>Performance counters of this context (prompt and generation timings and token counts).</summary>
    public LlamaPerformance GetPerformance()
    {
        var data = NativeMethods.llama_perf_context(Pointer);
        return new LlamaPerformance(data.n_p_eval, TimeSpan.FromMilliseconds(data.t_p_eval_ms), data.n_eval, TimeSpan.FromMilliseconds(data.t_eval_ms));
    }

    /// <summary>Resets the performance counters.</summary>
    public void ResetPerformance() => NativeMethods.llama_perf_context_reset(Pointer);
}

/// <summary>llama.cpp's performance counters for a context.</summary>
/// <param name="PromptTokens">Tokens processed in prompt batches.</param>
/// <param name="PromptTime">Time spent on them.</param>
/// <param name="GeneratedTokens">Tokens decoded one at a time (generation).</param>
/// <param name="GenerationTime">Time spent on them.</param>
public sealed record LlamaPerformance(int PromptTokens, TimeSpan PromptTime, int GeneratedTokens, TimeSpan GenerationTime);
