using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using AgentKit.LlamaCpp.Generation;
using AgentKit.LlamaCpp.Sampling;

namespace AgentKit.LlamaCpp.Batching;

/// <summary>
/// Continuous batching: concurrent generation requests on one model share the decode steps of one context. Each
/// request gets a sequence of the context's KV cache; requests join and leave between steps; every step is one
/// llama_decode holding the next token of every generating request and, beside them, a chunk of the prompts still
/// being read. A prompt's prefix that some sequence already holds (a shared system prompt, the previous turn of a
/// conversation) is copied in the KV cache instead of decoded again. A request whose options ask for speculative
/// decoding by prompt lookup (<see cref="LlamaGenerationOptions.Speculation"/>) puts its drafted tokens into the same
/// step, after its next token, and keeps those the model's own draws confirm.
/// </summary>
/// <remarks>
/// <para>Fairness: every generating request advances by at least one token in every step (more when its confirmed
/// drafts add some), so no stream waits for another. Prompts are read first come, first served: each step gives the prompt budget
/// (<see cref="LlamaBatchingOptions.PrefillChunkTokens"/> while anyone is generating, a full batch otherwise) to the
/// oldest unread prompt first, so a long prompt delays the streams by one chunk per step, never by its whole length,
/// and no prompt waits behind later ones. Requests beyond <see cref="LlamaBatchingOptions.MaxSequences"/> wait in a
/// first-come, first-served queue bounded by <see cref="LlamaBatchingOptions.MaxQueuedRequests"/>.</para>
/// <para>The steps run on one dedicated thread; the context's threads (<see cref="LlamaContextOptions.Threads"/>)
/// do all decoding, so the scheduler never runs more threads than one request would. Thread-safe.</para>
/// </remarks>
public sealed class LlamaBatchScheduler : IDisposable
{
    // A prompt waits for an earlier prompt still being read when waiting saves at least this many tokens of decoding.
    private const int MinSharedPrefixToWait = 32;

    private readonly LlamaContext _context;
    private readonly LlamaBatchingOptions _options;
    private readonly bool _prefixCache;
    private readonly Lock _gate = new();
    private readonly LinkedList<Request> _waiting = new();
    private readonly Request?[] _slots;
    private readonly long[] _slotLastUsed;
    private readonly List<Request> _active = [];
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _lifetime = new();
    private readonly Thread _thread;
    private int _running;
    private long _clock;
    private long _requests;
    private long _steps;
    private long _promptDecoded;
    private long _promptReused;
    private long _prefixCopies;
    private long _generated;
    private long _drafted;
    private long _accepted;
    private long _batchedTokens;
    private long _stepTicks;
    private long _decodeTicks;
    private long _samplingTicks;
    private Exception? _fault;
    private bool _disposed;

    /// <summary>Creates the scheduler and its context on <paramref name="model"/>.</summary>
    /// <param name="model">A generative, decoder-only model (not vocabulary-only).</param>
    /// <param name="context">
    /// The context's options (threads, batch size, cache types); its <see cref="LlamaContextOptions.MaxSequences"/> and
    /// <see cref="LlamaContextOptions.ContextSize"/> are replaced by <paramref name="options"/>' values, and its batch
    /// holds at least one token per sequence.
    /// </param>
    /// <param name="options">Batching options; defaults when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="LlamaException">The model cannot be batched (vocabulary-only, encoder-decoder, embedding context).</exception>
    public LlamaBatchScheduler(LlamaModel model, LlamaContextOptions context, LlamaBatchingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(context);
        _options = options ?? new LlamaBatchingOptions();
        _options.Validate();
        if (model.IsVocabOnly)
        {
            throw new LlamaException($"Model '{model.Path}' was loaded with VocabOnly = true and cannot generate. Load it without VocabOnly.");
        }

        if (model.Metadata.HasEncoder)
        {
            throw new LlamaException($"Model '{model.Path}' is an encoder-decoder model; continuous batching needs a decoder-only model (use the context pool: LlamaChatClientOptions.Batching = null).");
        }

        if (context.Embeddings)
        {
            throw new LlamaException("LlamaContextOptions.Embeddings is on: a batch scheduler's context generates text, so it must be off.");
        }

        var batchSize = Math.Max(context.BatchSize, _options.MaxSequences);
        _context = model.CreateContext(context with
        {
            MaxSequences = _options.MaxSequences,
            ContextSize = _options.ContextSize,
            UnifiedKvCache = true,
            BatchSize = batchSize,
            MicroBatchSize = Math.Min(context.MicroBatchSize, batchSize),
        });
        _prefixCache = _options.PrefixCache && !model.Metadata.IsRecurrent;
        _slots = new Request?[_context.MaxSequences];
        _slotLastUsed = new long[_context.MaxSequences];
        _thread = new Thread(Run) { IsBackground = true, Name = "AgentKit llama batch scheduler" };
        _thread.Start();
    }

    /// <summary>The model.</summary>
    public LlamaModel Model => _context.Model;

    /// <summary>The options.</summary>
    public LlamaBatchingOptions Options => _options;

    /// <summary>Threads the scheduler's context decodes with.</summary>
    public int Threads => _context.Options.Threads;

    /// <summary>Tokens one request's prompt and answer may hold together.</summary>
    public int SequenceCapacity => _context.SequenceCapacity;

    /// <summary>Requests holding a sequence now (reading their prompt or generating).</summary>
    public int ActiveRequests => Volatile.Read(ref _running);

    /// <summary>Requests waiting for a sequence now.</summary>
    public int QueuedRequests
    {
        get
        {
            lock (_gate)
            {
                return _waiting.Count;
            }
        }
    }

    /// <summary>For tests: called on the loop thread after each decode with the sequences that got a generated token and those that read prompt.</summary>
    internal Action<int[], int[]>? StepObserver { get; set; }

    /// <summary>Counters since the scheduler started.</summary>
    public LlamaBatchStatistics Statistics => new(
        Interlocked.Read(ref _requests),
        Interlocked.Read(ref _steps),
        Interlocked.Read(ref _promptDecoded),
        Interlocked.Read(ref _promptReused),
        Interlocked.Read(ref _prefixCopies),
        Interlocked.Read(ref _generated),
        Interlocked.Read(ref _batchedTokens),
        Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _stepTicks)),
        Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _decodeTicks)),
        Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _samplingTicks)))
    {
        DraftTokens = Interlocked.Read(ref _drafted),
        AcceptedDraftTokens = Interlocked.Read(ref _accepted),
    };

    /// <summary>
    /// Generates text after <paramref name="prompt"/> in a sequence of its own, streaming a step per token; the
    /// updates are those of <see cref="LlamaContext.GenerateAsync"/>. Stopping the enumeration or cancelling
    /// <paramref name="cancellationToken"/> takes the request out at the next step and frees its sequence.
    /// </summary>
    /// <param name="prompt">The prompt tokens.</param>
    /// <param name="options">
    /// Generation options (sampling and grammar, stop sequences, token limit, log-probabilities, speculative decoding by
    /// prompt lookup); defaults when null. The output is the one without speculation: a drafted token is kept only
    /// where the request's own draw at its position is that token.
    /// </param>
    /// <param name="cancellationToken">Stops the request.</param>
    /// <returns>One update per token; the last one carries the finish reason.</returns>
    /// <exception cref="LlamaContextOverflowException">The prompt plus one token does not fit in a sequence, or the KV cache filled up with other requests' tokens.</exception>
    /// <exception cref="LlamaBusyException">Every sequence is busy and the queue is full.</exception>
    /// <exception cref="ArgumentException">The options name a draft model (<see cref="LlamaSpeculationOptions.DraftContext"/>): the scheduler drafts by prompt lookup only.</exception>
    public async IAsyncEnumerable<LlamaGenerationUpdate> GenerateAsync(
        IReadOnlyList<LlamaToken> prompt,
        LlamaGenerationOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var request = Enqueue(prompt, options, cancellationToken);
        try
        {
            await foreach (var update in request.Output.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                // ReadAllAsync hands out what is already buffered before it looks at the token again: once the caller
                // has cancelled, no further update reaches it.
                cancellationToken.ThrowIfCancellationRequested();
                yield return update;
            }
        }
        finally
        {
            request.Cancel();
        }
    }

    /// <summary>Stops the loop (running requests fail with <see cref="ObjectDisposedException"/>) and frees the context.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _lifetime.Cancel();
        _wake.Release();
        _thread.Join();
        _context.Dispose();
        _lifetime.Dispose();
    }

    private Request Enqueue(IReadOnlyList<LlamaToken> prompt, LlamaGenerationOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        options ??= new LlamaGenerationOptions();
        options.Validate();
        if (prompt.Count == 0)
        {
            throw new ArgumentException("The prompt is empty: at least one token is needed.", nameof(prompt));
        }

        if (options.Speculation is { DraftContext: not null })
        {
            throw new ArgumentException("LlamaGenerationOptions.Speculation.DraftContext is set, but the batch scheduler drafts by prompt lookup only: generate with a draft model on a context of its own (LlamaChatClientOptions.Batching = null).", nameof(options));
        }

        if (prompt.Count >= _context.SequenceCapacity)
        {
            throw new LlamaContextOverflowException(prompt.Count + 1, _context.SequenceCapacity, "The prompt plus one generated token");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var request = new Request(this, prompt.ToArray(), options, LlamaSampler.Create(_context.Model, options.Sampling));
        request.Registration = cancellationToken.UnsafeRegister(static r => ((Request)r!).Cancel(), request);
        lock (_gate)
        {
            if (_disposed || _fault is not null)
            {
                request.Registration.Dispose();
                request.Sampler.Dispose();
                ObjectDisposedException.ThrowIf(_disposed, this);
                throw new LlamaException("The batch scheduler stopped after a failure; create a new one.", _fault!);
            }

            if (_running + _waiting.Count >= _options.MaxSequences + _options.MaxQueuedRequests)
            {
                request.Registration.Dispose();
                request.Sampler.Dispose();
                throw new LlamaBusyException($"All {_options.MaxSequences} sequences are busy and {_waiting.Count} requests wait (LlamaBatchingOptions.MaxQueuedRequests = {_options.MaxQueuedRequests}); retry later.");
            }

            _waiting.AddLast(request);
        }

        _wake.Release();
        return request;
    }

    private void Run()
    {
        try
        {
            while (!_lifetime.IsCancellationRequested)
            {
                Admit();
                if (_active.Count == 0)
                {
                    _wake.Wait(_lifetime.Token);
                    continue;
                }

                var stepStart = Stopwatch.GetTimestamp();
                try
                {
                    Step();
                }
                catch (Exception exception) when (!_lifetime.IsCancellationRequested)
                {
                    // A failed decode or sampler fails the requests of that step, not the scheduler.
                    foreach (var request in _active.ToArray())
                    {
                        Fail(request, exception);
                    }
                }

                Interlocked.Add(ref _stepTicks, Stopwatch.GetTimestamp() - stepStart);
            }
        }
        catch (OperationCanceledException) when (_lifetime.IsCancellationRequested)
        {
        }
        catch (Exception exception)
        {
            lock (_gate)
            {
                _fault = exception;
            }
        }
        finally
        {
            var error = _fault is { } fault
                ? new LlamaException("The batch scheduler failed: " + fault.Message, fault)
                : (Exception)new ObjectDisposedException(nameof(LlamaBatchScheduler), "The batch scheduler was disposed while the request ran.");
            foreach (var request in _active.ToArray())
            {
                Fail(request, error);
            }

            lock (_gate)
            {
                foreach (var request in _waiting)
                {
                    request.Sampler.Dispose();
                    request.Output.Writer.TryComplete(error);
                }

                _waiting.Clear();
            }
        }
    }

    /// <summary>Moves waiting requests into free sequences, first come first served.</summary>
    private void Admit()
    {
        while (true)
        {
            Request request;
            int slot;
            lock (_gate)
            {
                for (var node = _waiting.First; node is not null;)
                {
                    var next = node.Next;
                    if (node.Value.IsCancelled)
                    {
                        _waiting.Remove(node);
                        node.Value.Sampler.Dispose();
                        node.Value.Registration.Dispose();
                        node.Value.Output.Writer.TryComplete(new OperationCanceledException("The request was cancelled while it waited for a sequence."));
                    }

                    node = next;
                }

                if (_waiting.First is not { } first)
                {
                    return;
                }

                slot = PickSlot(first.Value.Prompt);
                if (slot < 0)
                {
                    return;
                }

                request = first.Value;
                _waiting.RemoveFirst();
                _running++;
            }

            using (_context.Enter())
            {
                // The sequence's own cache: keep what matches the prompt (the last prompt token is always decoded again
                // so that its logits are fresh).
                var kept = Math.Min(LlamaContext.CommonPrefixLength(_context.SequenceTokens(slot), request.Prompt), request.Prompt.Length - 1);
                _context.TruncateSequence(slot, kept);
            }

            request.Slot = slot;
            _slots[slot] = request;
            _active.Add(request);
            Interlocked.Increment(ref _requests);
        }
    }

    /// <summary>A free sequence: the one whose cached tokens share most with the prompt, else an empty one, else the least recently used.</summary>
    private int PickSlot(LlamaToken[] prompt)
    {
        int best = -1, bestLength = 0, empty = -1, oldest = -1;
        for (var i = 0; i < _slots.Length; i++)
        {
            if (_slots[i] is not null)
            {
                continue;
            }

            var tokens = _context.SequenceTokens(i);
            if (tokens.Count == 0)
            {
                empty = empty < 0 ? i : empty;
                continue;
            }

            var length = LlamaContext.CommonPrefixLength(tokens, prompt);
            if (length > bestLength)
            {
                best = i;
                bestLength = length;
            }

            if (oldest < 0 || _slotLastUsed[i] < _slotLastUsed[oldest])
            {
                oldest = i;
            }
        }

        return best >= 0 ? best : empty >= 0 ? empty : oldest;
    }

    private void Step()
    {
        using var scope = _context.Enter();
        var samplingStart = Stopwatch.GetTimestamp();
        foreach (var request in _active.ToArray())
        {
            if (request.IsCancelled)
            {
                Release(request, keepCache: false);
                request.Output.Writer.TryComplete(new OperationCanceledException("The request was cancelled."));
            }
            else if (request.LogitsRow >= 0)
            {
                Sample(request);
            }
        }

        Interlocked.Add(ref _samplingTicks, Stopwatch.GetTimestamp() - samplingStart);
        if (_active.Count == 0)
        {
            return;
        }

        _context.ClearBatch();
        var generating = 0;
        foreach (var request in _active)
        {
            generating += request.PendingToken is null ? 0 : 1;
        }

        // Drafts take what the batch holds beyond one token per generating request.
        var draftRoom = _context.BatchSize - generating;
        foreach (var request in _active)
        {
            request.StepPromptTokens = 0;
            if (request.PendingToken is { } token)
            {
                var position = _context.SequenceTokens(request.Slot).Count;
                request.LogitsRow = _context.BatchCount;
                _context.AddToBatch(token, position, request.Slot, wantLogits: true);
                if (request.Drafter is { } drafter && draftRoom > 0)
                {
                    // Never draft past the token limit or the sequence's capacity: the last row's draw is the limit's token.
                    var limit = Math.Min(Math.Min(request.Options.MaxTokens - request.Usage.GeneratedTokens - 1, _context.SequenceCapacity - position - 2), draftRoom);
                    request.Draft = [.. drafter.Draft(request.History!, limit, _lifetime.Token)];
                    for (var j = 0; j < request.Draft.Length; j++)
                    {
                        _context.AddToBatch(request.Draft[j], position + 1 + j, request.Slot, wantLogits: true);
                    }

                    draftRoom -= request.Draft.Length;
                }
            }
        }

        var budget = _context.BatchSize - _context.BatchCount;
        if (generating > 0)
        {
            budget = Math.Min(budget, _options.PrefillChunkTokens);
        }

        foreach (var request in _active)
        {
            if (budget <= 0)
            {
                break;
            }

            if (request.Generating)
            {
                continue;
            }

            if (_prefixCache)
            {
                CopySharedPrefix(request);
                if (WaitsForSharedPrefix(request))
                {
                    continue;
                }
            }

            var held = _context.SequenceTokens(request.Slot).Count;
            var count = Math.Min(budget, request.Prompt.Length - held);
            for (var k = 0; k < count; k++)
            {
                var position = held + k;
                var last = position == request.Prompt.Length - 1;
                if (last)
                {
                    request.LogitsRow = _context.BatchCount;
                }

                _context.AddToBatch(request.Prompt[position], position, request.Slot, wantLogits: last);
            }

            request.StepPromptTokens = count;
            budget -= count;
        }

        if (_context.BatchCount == 0)
        {
            return;
        }

        var decodeStart = Stopwatch.GetTimestamp();
        var decoded = _context.TryDecodeBatch(_lifetime.Token);
        Interlocked.Add(ref _decodeTicks, Stopwatch.GetTimestamp() - decodeStart);
        if (!decoded)
        {
            OnCacheFull();
            return;
        }

        Interlocked.Increment(ref _steps);
        Interlocked.Add(ref _batchedTokens, _context.BatchCount);
        StepObserver?.Invoke(
            [.. _active.Where(r => r.PendingToken is not null).Select(r => r.Slot)],
            [.. _active.Where(r => r.StepPromptTokens > 0).Select(r => r.Slot)]);
        foreach (var request in _active)
        {
            var tokens = _context.SequenceTokens(request.Slot);
            if (request.PendingToken is { } token)
            {
                tokens.Add(token);
                tokens.AddRange(request.Draft);
                request.PendingToken = null;
            }
            else if (request.StepPromptTokens > 0)
            {
                tokens.AddRange(request.Prompt.AsSpan(tokens.Count, request.StepPromptTokens));
                request.Decoded += request.StepPromptTokens;
                Interlocked.Add(ref _promptDecoded, request.StepPromptTokens);
                if (tokens.Count == request.Prompt.Length)
                {
                    request.Generating = true;
                    request.Usage = new LlamaUsage(request.Prompt.Length, request.Prompt.Length - request.Decoded, 0);
                    Interlocked.Add(ref _promptReused, request.Usage.ReusedPromptTokens);
                }
                else
                {
                    request.LogitsRow = -1;
                }
            }
        }
    }

    /// <summary>The KV cache had no room for the step: drop idle sequences' caches, else fail the newest request.</summary>
    private void OnCacheFull()
    {
        // Nothing was decoded: pending tokens stay pending, prompt chunks are taken again next step.
        foreach (var request in _active)
        {
            request.StepPromptTokens = 0;
            request.LogitsRow = -1;
            request.Draft = [];
        }

        var evicted = false;
        for (var i = 0; i < _slots.Length; i++)
        {
            if (_slots[i] is null && _context.SequenceTokens(i).Count > 0)
            {
                _context.RemoveSequenceCore(i);
                evicted = true;
            }
        }

        if (!evicted)
        {
            var newest = _active[^1];
            Fail(newest, new LlamaContextOverflowException($"The KV cache is full ({_context.ContextSize} cells shared by {_active.Count} running requests): raise LlamaBatchingOptions.ContextSize or lower MaxSequences."));
        }
    }

    /// <summary>Copies the longest prefix of the request's prompt that another sequence holds, when it beats what the request holds.</summary>
    private void CopySharedPrefix(Request request)
    {
        var held = _context.SequenceTokens(request.Slot).Count;
        int source = -1, best = held;
        for (var i = 0; i < _slots.Length; i++)
        {
            if (i == request.Slot)
            {
                continue;
            }

            var length = Math.Min(LlamaContext.CommonPrefixLength(_context.SequenceTokens(i), request.Prompt), request.Prompt.Length - 1);
            if (length > best)
            {
                source = i;
                best = length;
            }
        }

        if (source >= 0)
        {
            _context.CopySequencePrefix(source, request.Slot, best);
            Interlocked.Increment(ref _prefixCopies);
        }
    }

    /// <summary>Whether an earlier request still reading its prompt will soon hold a prefix this one can copy.</summary>
    private bool WaitsForSharedPrefix(Request request)
    {
        var held = _context.SequenceTokens(request.Slot).Count;
        foreach (var other in _active)
        {
            if (ReferenceEquals(other, request))
            {
                return false;
            }

            if (other.Generating)
            {
                continue;
            }

            var shared = Math.Min(LlamaContext.CommonPrefixLength(other.Prompt, request.Prompt), request.Prompt.Length - 1);
            if (shared - held >= MinSharedPrefixToWait && _context.SequenceTokens(other.Slot).Count < shared)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Samples the request's next token from its logits row, as <see cref="LlamaContext.GenerateAsync"/> does. After a
    /// step that held drafted tokens it draws row by row while each draw equals the draft (those tokens are already in
    /// the KV cache), so the first draw that differs, or the draw after a fully confirmed draft, is the next token; the
    /// draws are the plain loop's, in the same order, and the unconfirmed draft leaves the KV cache.
    /// </summary>
    private void Sample(Request request)
    {
        var firstRow = request.LogitsRow;
        request.LogitsRow = -1;
        var draft = request.Draft;
        var tokens = _context.SequenceTokens(request.Slot);
        // What the plain loop's KV cache would hold when sampling the first row.
        var committed = tokens.Count - draft.Length;
        var accepted = 0;
        LlamaToken? next = null;
        (LlamaFinishReason Reason, string Tail)? finish = null;
        for (var i = 0; i <= draft.Length; i++)
        {
            var row = firstRow + i;
            var token = request.Sampler.Sample(_context, row);
            float? logProbability = request.Options.LogProbabilities ? _context.LogProbabilityOf(row, token) : null;
            if (_context.Model.Vocabulary.IsEndOfGeneration(token))
            {
                finish = (LlamaFinishReason.Stop, request.Stops.Push(request.Text.Flush()).Emit + request.Stops.Flush());
                break;
            }

            request.Usage = request.Usage with
            {
                GeneratedTokens = request.Usage.GeneratedTokens + 1,
                DraftTokens = (request.Drafter?.Drafted ?? 0) + draft.Length,
                AcceptedDraftTokens = (request.Drafter?.Accepted ?? 0) + accepted,
            };
            Interlocked.Increment(ref _generated);
            var (emit, stopped) = request.Stops.Push(request.Text.Append(token));
            if (stopped)
            {
                finish = (LlamaFinishReason.Stop, emit);
                break;
            }

            request.Output.Writer.TryWrite(new LlamaGenerationUpdate(emit, token, null, request.Usage) { LogProbability = logProbability });
            if (request.Usage.GeneratedTokens >= request.Options.MaxTokens || committed + i + 1 >= _context.SequenceCapacity)
            {
                finish = (LlamaFinishReason.Length, request.Stops.Push(request.Text.Flush()).Emit + request.Stops.Flush());
                break;
            }

            request.History?.Add(token);
            if (i < draft.Length && token == draft[i])
            {
                accepted++;
                continue;
            }

            next = token;
            break;
        }

        if (draft.Length > 0)
        {
            // Keep what the plain loop would hold: everything up to the last confirmed draft token.
            _context.TruncateSequence(request.Slot, committed + accepted);
            var drafter = request.Drafter!;
            drafter.Record(draft.Length, accepted);
            request.Usage = request.Usage with { DraftTokens = drafter.Drafted, AcceptedDraftTokens = drafter.Accepted };
            Interlocked.Add(ref _drafted, draft.Length);
            Interlocked.Add(ref _accepted, accepted);
            request.Draft = [];
        }

        if (finish is { } done)
        {
            Complete(request, done.Reason, done.Tail);
            return;
        }

        request.PendingToken = next;
    }

    private void Complete(Request request, LlamaFinishReason reason, string tail)
    {
        request.Output.Writer.TryWrite(new LlamaGenerationUpdate(tail, LlamaToken.Null, reason, request.Usage));
        request.Output.Writer.TryComplete();
        Release(request, keepCache: true);
    }

    private void Fail(Request request, Exception error)
    {
        request.Output.Writer.TryComplete(error);
        Release(request, keepCache: false);
    }

    /// <summary>Takes the request out; a finished request's tokens stay in its sequence as a prefix cache.</summary>
    private void Release(Request request, bool keepCache)
    {
        _active.Remove(request);
        _slots[request.Slot] = null;
        _slotLastUsed[request.Slot] = ++_clock;
        if (!keepCache)
        {
            _context.RemoveSequenceCore(request.Slot);
        }

        request.Sampler.Dispose();
        request.Registration.Dispose();
        lock (_gate)
        {
            _running--;
        }

        _wake.Release();
    }

    private sealed class Request(LlamaBatchScheduler owner, LlamaToken[] prompt, LlamaGenerationOptions options, LlamaSampler sampler)
    {
        private int _cancelled;

        public LlamaToken[] Prompt { get; } = prompt;

        public LlamaGenerationOptions Options { get; } = options;

        public LlamaSampler Sampler { get; } = sampler;

        /// <summary>Prompt lookup's drafter when the options ask for speculation; else null.</summary>
        public SpeculativeDrafter? Drafter { get; } = options.Speculation is { PromptLookup: true } speculation ? new SpeculativeDrafter(speculation) : null;

        /// <summary>With a drafter: the prompt and every token generated so far, where lookup searches.</summary>
        public List<LlamaToken>? History { get; } = options.Speculation is { PromptLookup: true } ? [.. prompt] : null;

        /// <summary>The drafted tokens of the current step, decoded after <see cref="PendingToken"/>.</summary>
        public LlamaToken[] Draft { get; set; } = [];

        public TokenTextDecoder Text { get; } = new(owner._context.Model.Vocabulary, options.RenderSpecialTokens);

        public StopSequenceMatcher Stops { get; } = new(options.StopSequences);

        public Channel<LlamaGenerationUpdate> Output { get; } = Channel.CreateUnbounded<LlamaGenerationUpdate>(new UnboundedChannelOptions { SingleReader = true });

        public CancellationTokenRegistration Registration { get; set; }

        public int Slot { get; set; } = -1;

        public int LogitsRow { get; set; } = -1;

        public LlamaToken? PendingToken { get; set; }

        public bool Generating { get; set; }

        public int Decoded { get; set; }

        public int StepPromptTokens { get; set; }

        public LlamaUsage Usage { get; set; }

        public bool IsCancelled => Volatile.Read(ref _cancelled) != 0;

        public void Cancel()
        {
            if (Interlocked.Exchange(ref _cancelled, 1) == 0 && !Output.Reader.Completion.IsCompleted)
            {
                owner.WakeLoop();
            }
        }
    }

    private void WakeLoop()
    {
        try
        {
            _wake.Release();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
