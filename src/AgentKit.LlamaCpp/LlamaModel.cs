using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using AgentKit.LlamaCpp.Native;

namespace AgentKit.LlamaCpp;

/// <summary>
/// A GGUF model loaded into llama.cpp. Thread-safe: one model serves any number of
/// <see cref="LlamaContext"/>s, which may decode concurrently on different threads.
/// </summary>
public sealed class LlamaModel : IDisposable
{
    private readonly SafeLlamaModelHandle _handle;

    private LlamaModel(string path, SafeLlamaModelHandle handle, LlamaModelOptions options)
    {
        Path = path;
        _handle = handle;
        Options = options;
        Vocabulary = new LlamaVocabulary(this, NativeMethods.llama_model_get_vocab(handle.DangerousGetHandle()));
        Metadata = LlamaModelMetadata.Read(this);
    }

    /// <summary>The file the model was loaded from.</summary>
    public string Path { get; }

    /// <summary>The options the model was loaded with.</summary>
    public LlamaModelOptions Options { get; }

    /// <summary>The model's vocabulary: tokenize, detokenize, special tokens.</summary>
    public LlamaVocabulary Vocabulary { get; }

    /// <summary>What the file says about the model: architecture, sizes, chat template, every metadata key.</summary>
    public LlamaModelMetadata Metadata { get; }

    /// <summary>Whether only the vocabulary was loaded (no weights: no contexts can be created).</summary>
    public bool IsVocabOnly => Options.VocabOnly;

    internal SafeLlamaModelHandle Handle => _handle;

    internal nint NativePointer
    {
        get
        {
            ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
            return _handle.DangerousGetHandle();
        }
    }

    /// <summary>Loads a GGUF model.</summary>
    /// <param name="path">The GGUF file (the first part, for split models).</param>
    /// <param name="options">Load options; defaults when null.</param>
    /// <param name="progress">Receives load progress from 0 to 1.</param>
    /// <param name="cancellationToken">Cancels the load (checked between progress steps).</param>
    /// <returns>The loaded model.</returns>
    /// <exception cref="LlamaModelLoadException">The file is missing, not a GGUF model, truncated, of an unknown architecture, or llama.cpp refused it.</exception>
    /// <exception cref="OperationCanceledException">The load was cancelled.</exception>
    public static Task<LlamaModel> LoadAsync(string path, LlamaModelOptions? options = null, IProgress<float>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        options ??= new LlamaModelOptions();
        options.Validate();
        var fullPath = System.IO.Path.GetFullPath(path);
        ModelFileValidator.Validate(fullPath, options.VocabOnly);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.Run(() => Load(fullPath, options, progress, cancellationToken), cancellationToken);
    }

    private static unsafe LlamaModel Load(string path, LlamaModelOptions options, IProgress<float>? progress, CancellationToken cancellationToken)
    {
        LlamaNativeLibrary.Initialize(options.NativeLibraryDirectory);
        var parameters = NativeMethods.llama_model_default_params();
        parameters.n_gpu_layers = options.GpuLayerCount < 0 ? int.MaxValue : options.GpuLayerCount;
        parameters.main_gpu = options.MainGpu;
        parameters.load_mode = (options.UseMemoryMap, options.UseMemoryLock) switch
        {
            (true, true) => 3,
            (true, false) => 1,
            (false, true) => 2,
            (false, false) => 0,
        };
        parameters.vocab_only = options.VocabOnly ? (byte)1 : (byte)0;
        parameters.check_tensors = options.CheckTensors ? (byte)1 : (byte)0;

        var state = new LoadProgressState(progress, cancellationToken);
        var stateHandle = GCHandle.Alloc(state);
        try
        {
            parameters.progress_callback = (nint)(delegate* unmanaged[Cdecl]<float, void*, byte>)&OnProgress;
            parameters.progress_callback_user_data = GCHandle.ToIntPtr(stateHandle);

            LastErrorCapture.Begin();
            nint model;
            var pathBytes = Encoding.UTF8.GetBytes(path + "\0");
            fixed (byte* p = pathBytes)
            {
                model = NativeMethods.llama_model_load_from_file(p, parameters);
            }

            if (model == nint.Zero)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var detail = LastErrorCapture.Describe();
                throw new LlamaModelLoadException(path, string.IsNullOrEmpty(detail) ? "llama.cpp could not load it." : detail);
            }

            progress?.Report(1f);
            return new LlamaModel(path, new SafeLlamaModelHandle(model), options);
        }
        finally
        {
            stateHandle.Free();
        }
    }

    private sealed record LoadProgressState(IProgress<float>? Progress, CancellationToken CancellationToken);

    [UnmanagedCallersOnly(CallConvs = [typeof(System.Runtime.CompilerServices.CallConvCdecl)])]
    private static unsafe byte OnProgress(float value, void* userData)
    {
        try
        {
            var state = (LoadProgressState)GCHandle.FromIntPtr((nint)userData).Target!;
            if (state.CancellationToken.IsCancellationRequested)
            {
                return 0;
            }

            state.Progress?.Report(value);
            return 1;
        }
        catch (Exception)
        {
            return 0;
        }
    }

    /// <summary>Creates an inference context (its own KV cache and threads) on this model.</summary>
    /// <param name="options">Context options; defaults when null.</param>
    /// <returns>The new context; dispose it when done.</returns>
    /// <exception cref="LlamaException">The model was loaded vocabulary-only, or llama.cpp could not create the context.</exception>
    public LlamaContext CreateContext(LlamaContextOptions? options = null)
    {
        if (IsVocabOnly)
        {
            throw new LlamaException($"Model '{Path}' was loaded with VocabOnly = true: it has no weights, so it cannot create a context or generate. Load it without VocabOnly.");
        }

        return new LlamaContext(this, options ?? new LlamaContextOptions());
    }

    /// <summary>
    /// Formats a conversation with a chat template through llama.cpp's <c>llama_chat_apply_template</c>.
    /// </summary>
    /// <param name="messages">The messages, in order.</param>
    /// <param name="addAssistantPrompt">Whether to end with the opening of an assistant turn (true to generate a reply).</param>
    /// <param name="template">A template (Jinja source or a built-in name such as <c>chatml</c> or <c>llama3</c>); default: the model's own.</param>
    /// <returns>The prompt text.</returns>
    /// <exception cref="LlamaException">The model has no chat template and none was given, or llama.cpp does not recognise the template.</exception>
    public unsafe string ApplyChatTemplate(IReadOnlyList<LlamaChatMessage> messages, bool addAssistantPrompt = true, string? template = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        template ??= Metadata.ChatTemplate
            ?? throw new LlamaException($"Model '{Path}' has no chat template (tokenizer.chat_template). Pass a template name such as 'chatml' in the options.");

        var handles = new List<GCHandle>(messages.Count * 2 + 1);
        try
        {
            var native = new LlamaChatMessageNative[messages.Count];
            var totalLength = 0;
            for (var i = 0; i < messages.Count; i++)
            {
                var role = Pin(Encoding.UTF8.GetBytes(messages[i].Role + "\0"), handles);
                var contentBytes = Encoding.UTF8.GetBytes(messages[i].Content + "\0");
                var content = Pin(contentBytes, handles);
                native[i] = new LlamaChatMessageNative { role = role, content = content };
                totalLength += contentBytes.Length + messages[i].Role.Length + 64;
            }

            var templateBytes = Encoding.UTF8.GetBytes(template + "\0");
            var buffer = new byte[Math.Max(256, totalLength * 2)];
            fixed (byte* t = templateBytes)
            fixed (LlamaChatMessageNative* chat = native)
            {
                while (true)
                {
                    int written;
                    fixed (byte* b = buffer)
                    {
                        written = NativeMethods.llama_chat_apply_template(t, chat, (nuint)native.Length, addAssistantPrompt, b, buffer.Length);
                    }

                    if (written < 0)
                    {
                        throw new LlamaException($"llama.cpp does not recognise the chat template of model '{Path}'. Set a built-in template name (e.g. 'chatml', 'llama3', 'phi3') in the options.");
                    }

                    if (written <= buffer.Length)
                    {
                        return Encoding.UTF8.GetString(buffer, 0, written);
                    }

                    buffer = new byte[written];
                }
            }
        }
        finally
        {
            foreach (var handle in handles)
            {
                handle.Free();
            }
        }

        static nint Pin(byte[] bytes, List<GCHandle> handles)
        {
            var handle = GCHandle.Alloc(bytes, GCHandleType.Pinned);
            handles.Add(handle);
            return handle.AddrOfPinnedObject();
        }
    }

    /// <summary>The names of the chat templates built into llama.cpp (usable as <c>template</c>).</summary>
    public static unsafe IReadOnlyList<string> BuiltInChatTemplates()
    {
        LlamaNativeLibrary.Initialize();
        var count = NativeMethods.llama_chat_builtin_templates(null, 0);
        var names = new nint[count];
        fixed (nint* p = names)
        {
            count = Math.Min(count, NativeMethods.llama_chat_builtin_templates((byte**)p, (nuint)count));
        }

        return names.Take(count).Select(n => NativeMethods.PtrToString((byte*)n) ?? "").ToArray();
    }

    /// <summary>Frees the model. Contexts created from it keep it alive until they are disposed too.</summary>
    public void Dispose() => _handle.Dispose();

    internal unsafe string? ReadMetadataString(string key)
    {
        var keyBytes = Encoding.UTF8.GetBytes(key + "\0");
        var buffer = new byte[4096];
        fixed (byte* k = keyBytes)
        {
            while (true)
            {
                int length;
                fixed (byte* b = buffer)
                {
                    length = NativeMethods.llama_model_meta_val_str(NativePointer, k, b, (nuint)buffer.Length);
                }

                if (length < 0)
                {
                    return null;
                }

                if (length < buffer.Length)
                {
                    return Encoding.UTF8.GetString(buffer, 0, length);
                }

                buffer = new byte[length + 1];
            }
        }
    }

    internal unsafe Dictionary<string, string> ReadAllMetadata()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var count = NativeMethods.llama_model_meta_count(NativePointer);
        var keyBuffer = new byte[512];
        var valueBuffer = new byte[4096];
        for (var i = 0; i < count; i++)
        {
            var key = ReadIndexed(i, ref keyBuffer, static (m, i, b, n) => NativeMethods.llama_model_meta_key_by_index(m, i, b, n));
            var value = ReadIndexed(i, ref valueBuffer, static (m, i, b, n) => NativeMethods.llama_model_meta_val_str_by_index(m, i, b, n));
            if (key is not null)
            {
                result[key] = value ?? "";
            }
        }

        return result;
    }

    private unsafe delegate int IndexedReader(nint model, int index, byte* buffer, nuint size);

    private unsafe string? ReadIndexed(int index, ref byte[] buffer, IndexedReader reader)
    {
        while (true)
        {
            int length;
            fixed (byte* b = buffer)
            {
                length = reader(NativePointer, index, b, (nuint)buffer.Length);
            }

            if (length < 0)
            {
                return null;
            }

            if (length < buffer.Length)
            {
                return Encoding.UTF8.GetString(buffer, 0, length);
            }

            buffer = new byte[length + 1];
        }
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Metadata.Architecture} {Metadata.Description} ({Path})");
}

/// <summary>One message for <see cref="LlamaModel.ApplyChatTemplate"/>.</summary>
/// <param name="Role">The role: <c>system</c>, <c>user</c>, <c>assistant</c> or <c>tool</c>.</param>
/// <param name="Content">The message text.</param>
public sealed record LlamaChatMessage(string Role, string Content);
