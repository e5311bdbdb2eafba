using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace AgentKit.LlamaCpp.Native;

// Source-generated P/Invoke into llama.cpp v0.5.0. The names "llama", "ggml" and "ggml-base" are
// resolved by LlamaNativeLibrary to the files in the chosen native folder. Handles are passed as raw
// pointers here; the public types own them through SafeHandles and keep them alive across calls.
internal static unsafe partial class NativeMethods
{
    internal const string LibLlama = "llama";
    internal const string LibGgml = "ggml";
    internal const string LibGgmlBase = "ggml-base";

    // ---- quantization ----
    [LibraryImport(LibLlama)]
    internal static partial LlamaModelQuantizeParamsNative llama_model_quantize_default_params();

    [LibraryImport(LibLlama, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial uint llama_model_quantize(string inputPath, string outputPath, LlamaModelQuantizeParamsNative* parameters);

    // ---- ggml ----
    [LibraryImport(LibGgml, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial void ggml_backend_load_all_from_path(string dirPath);

    [LibraryImport(LibGgml)]
    internal static partial nuint ggml_backend_dev_count();

    [LibraryImport(LibGgml)]
    internal static partial nint ggml_backend_dev_get(nuint index);

    [LibraryImport(LibGgmlBase)]
    internal static partial byte* ggml_backend_dev_name(nint device);

    [LibraryImport(LibGgmlBase)]
    internal static partial byte* ggml_backend_dev_description(nint device);

    [LibraryImport(LibGgmlBase)]
    internal static partial int ggml_backend_dev_type(nint device);

    [LibraryImport(LibGgmlBase)]
    internal static partial void ggml_backend_dev_memory(nint device, out nuint free, out nuint total);

    [LibraryImport(LibGgml)]
    internal static partial nint ggml_backend_dev_by_type(int type);

    [LibraryImport(LibGgmlBase)]
    internal static partial nint ggml_backend_dev_backend_reg(nint device);

    [LibraryImport(LibGgmlBase, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint ggml_backend_reg_get_proc_address(nint registry, string name);

    [LibraryImport(LibGgmlBase)]
    internal static partial void ggml_threadpool_params_init(void* parameters, int threads);

    [LibraryImport(LibGgmlBase)]
    internal static partial void ggml_log_set(delegate* unmanaged[Cdecl]<int, byte*, void*, void> callback, void* userData);

    // ---- llama: library ----
    [LibraryImport(LibLlama)]
    internal static partial void llama_backend_init();

    [LibraryImport(LibLlama)]
    internal static partial void llama_log_set(delegate* unmanaged[Cdecl]<int, byte*, void*, void> callback, void* userData);

    [LibraryImport(LibLlama)]
    internal static partial byte* llama_print_system_info();

    [LibraryImport(LibLlama)]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool llama_supports_gpu_offload();

    [LibraryImport(LibLlama)]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool llama_supports_mmap();

    [LibraryImport(LibLlama)]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool llama_supports_mlock();

    [LibraryImport(LibLlama)]
    internal static partial nuint llama_max_parallel_sequences();

    [LibraryImport(LibLlama)]
    internal static partial LlamaModelParamsNative llama_model_default_params();

    [LibraryImport(LibLlama)]
    internal static partial LlamaContextParamsNative llama_context_default_params();

    [LibraryImport(LibLlama)]
    internal static partial LlamaSamplerChainParamsNative llama_sampler_chain_default_params();

    // ---- llama: model ----
    [LibraryImport(LibLlama)]
    internal static partial nint llama_model_load_from_file(byte* path, LlamaModelParamsNative parameters);

    [LibraryImport(LibLlama)]
    internal static partial void llama_model_free(nint model);

    [LibraryImport(LibLlama)]
    internal static partial nint llama_model_get_vocab(nint model);

    [LibraryImport(LibLlama)]
    internal static partial int llama_model_n_ctx_train(nint model);

    [LibraryImport(LibLlama)]
    internal static partial int llama_model_n_embd(nint model);

    [LibraryImport(LibLlama)]
    internal static partial int llama_model_n_embd_out(nint model);

    [LibraryImport(LibLlama)]
    internal static partial int llama_model_n_layer(nint model);

    [LibraryImport(LibLlama)]
    internal static partial int llama_model_n_head(nint model);

    [LibraryImport(LibLlama)]
    internal static partial int llama_model_n_head_kv(nint model);

    [LibraryImport(LibLlama)]
    internal static partial ulong llama_model_n_params(nint model);

    [LibraryImport(LibLlama)]
    internal static partial ulong llama_model_size(nint model);

    [LibraryImport(LibLlama)]
    internal static partial int llama_model_desc(nint model, byte* buf, nuint bufSize);

    [LibraryImport(LibLlama)]
    internal static partial byte* llama_model_chat_template(nint model, byte* name);

    [LibraryImport(LibLlama)]
    internal static partial int llama_model_meta_count(nint model);

    [LibraryImport(LibLlama)]
    internal static partial int llama_model_meta_key_by_index(nint model, int i, byte* buf, nuint bufSize);

    [LibraryImport(LibLlama)]
    internal static partial int llama_model_meta_val_str_by_index(nint model, int i, byte* buf, nuint bufSize);

    [LibraryImport(LibLlama)]
    internal static partial int llama_model_meta_val_str(nint model, byte* key, byte* buf, nuint bufSize);

    [LibraryImport(LibLlama)]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool llama_model_has_encoder(nint model);

    [LibraryImport(LibLlama)]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool llama_model_has_decoder(nint model);

    [LibraryImport(LibLlama)]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool llama_model_is_recurrent(nint model);

    // ---- llama: vocabulary ----
    [LibraryImport(LibLlama)]
    internal static partial int llama_vocab_type(nint vocab);

    [LibraryImport(LibLlama)]
    internal static partial int llama_vocab_n_tokens(nint vocab);

    [LibraryImport(LibLlama)]
    internal static partial byte* llama_vocab_get_text(nint vocab, int token);

    [LibraryImport(LibLlama)]
    internal static partial int llama_vocab_get_attr(nint vocab, int token);

    [LibraryImport(LibLlama)]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool llama_vocab_is_eog(nint vocab, int token);

    [LibraryImport(LibLlama)]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool llama_vocab_is_control(nint vocab, int token);

    [LibraryImport(LibLlama)]
    internal static partial int llama_vocab_bos(nint vocab);

    [LibraryImport(LibLlama)]
    internal static partial int llama_vocab_eos(nint vocab);

    [LibraryImport(LibLlama)]
    internal static partial int llama_vocab_eot(nint vocab);

    [LibraryImport(LibLlama)]
    internal static partial int llama_vocab_sep(nint vocab);

    [LibraryImport(LibLlama)]
    internal static partial int llama_vocab_nl(nint vocab);

    [LibraryImport(LibLlama)]
    internal static partial int llama_vocab_pad(nint vocab);

    [LibraryImport(LibLlama)]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool llama_vocab_get_add_bos(nint vocab);

    [LibraryImport(LibLlama)]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool llama_vocab_get_add_eos(nint vocab);

    [LibraryImport(LibLlama)]
    internal static partial int llama_tokenize(nint vocab, byte* text, int textLen, int* tokens, int nTokensMax,
        [MarshalAs(UnmanagedType.U1)] bool addSpecial, [MarshalAs(UnmanagedType.U1)] bool parseSpecial);

    [LibraryImport(LibLlama)]
    internal static partial int llama_token_to_piece(nint vocab, int token, byte* buf, int length, int lstrip,
        [MarshalAs(UnmanagedType.U1)] bool special);

    [LibraryImport(LibLlama)]
    internal static partial int llama_detokenize(nint vocab, int* tokens, int nTokens, byte* text, int textLenMax,
        [MarshalAs(UnmanagedType.U1)] bool removeSpecial, [MarshalAs(UnmanagedType.U1)] bool unparseSpecial);

    [LibraryImport(LibLlama)]
    internal static partial int llama_chat_apply_template(byte* tmpl, LlamaChatMessageNative* chat, nuint nMsg,
        [MarshalAs(UnmanagedType.U1)] bool addAssistant, byte* buf, int length);

    [LibraryImport(LibLlama)]
    internal static partial int llama_chat_builtin_templates(byte** output, nuint len);

    // ---- llama: context ----
    [LibraryImport(LibLlama)]
    internal static partial nint llama_init_from_model(nint model, LlamaContextParamsNative parameters);

    [LibraryImport(LibLlama)]
    internal static partial void llama_free(nint context);

    [LibraryImport(LibLlama)]
    internal static partial uint llama_n_ctx(nint context);

    [LibraryImport(LibLlama)]
    internal static partial uint llama_n_ctx_seq(nint context);

    [LibraryImport(LibLlama)]
    internal static partial uint llama_n_batch(nint context);

    [LibraryImport(LibLlama)]
    internal static partial uint llama_n_ubatch(nint context);

    [LibraryImport(LibLlama)]
    internal static partial uint llama_n_seq_max(nint context);

    [LibraryImport(LibLlama)]
    internal static partial int llama_pooling_type(nint context);

    [LibraryImport(LibLlama)]
    internal static partial nint llama_get_memory(nint context);

    [LibraryImport(LibLlama)]
    internal static partial int llama_decode(nint context, LlamaBatchNative batch);

    [LibraryImport(LibLlama)]
    internal static partial int llama_encode(nint context, LlamaBatchNative batch);

    [LibraryImport(LibLlama)]
    internal static partial void llama_set_n_threads(nint context, int nThreads, int nThreadsBatch);

    [LibraryImport(LibLlama)]
    internal static partial void llama_attach_threadpool(nint context, nint threadPool, nint threadPoolBatch);

    [LibraryImport(LibLlama)]
    internal static partial int llama_n_threads(nint context);

    [LibraryImport(LibLlama)]
    internal static partial int llama_n_threads_batch(nint context);

    [LibraryImport(LibLlama)]
    internal static partial void llama_set_embeddings(nint context, [MarshalAs(UnmanagedType.U1)] bool embeddings);

    [LibraryImport(LibLlama)]
    internal static partial void llama_set_abort_callback(nint context, delegate* unmanaged[Cdecl]<void*, byte> callback, void* data);

    [LibraryImport(LibLlama)]
    internal static partial void llama_synchronize(nint context);

    [LibraryImport(LibLlama)]
    internal static partial float* llama_get_logits_ith(nint context, int i);

    [LibraryImport(LibLlama)]
    internal static partial float* llama_get_embeddings_ith(nint context, int i);

    [LibraryImport(LibLlama)]
    internal static partial float* llama_get_embeddings_seq(nint context, int seqId);

    [LibraryImport(LibLlama)]
    internal static partial LlamaPerfContextDataNative llama_perf_context(nint context);

    [LibraryImport(LibLlama)]
    internal static partial void llama_perf_context_reset(nint context);

    // ---- llama: memory (KV cache) ----
    [LibraryImport(LibLlama)]
    internal static partial void llama_memory_clear(nint memory, [MarshalAs(UnmanagedType.U1)] bool data);

    [LibraryImport(LibLlama)]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool llama_memory_seq_rm(nint memory, int seqId, int p0, int p1);

    [LibraryImport(LibLlama)]
    internal static partial void llama_memory_seq_cp(nint memory, int seqIdSrc, int seqIdDst, int p0, int p1);

    [LibraryImport(LibLlama)]
    internal static partial void llama_memory_seq_keep(nint memory, int seqId);

    [LibraryImport(LibLlama)]
    internal static partial int llama_memory_seq_pos_min(nint memory, int seqId);

    [LibraryImport(LibLlama)]
    internal static partial int llama_memory_seq_pos_max(nint memory, int seqId);

    // ---- llama: state ----
    [LibraryImport(LibLlama)]
    internal static partial nuint llama_state_seq_get_size(nint context, int seqId);

    [LibraryImport(LibLlama)]
    internal static partial nuint llama_state_seq_get_data(nint context, byte* dst, nuint size, int seqId);

    [LibraryImport(LibLlama)]
    internal static partial nuint llama_state_seq_set_data(nint context, byte* src, nuint size, int destSeqId);

    // ---- llama: batch ----
    [LibraryImport(LibLlama)]
    internal static partial LlamaBatchNative llama_batch_init(int nTokens, int embd, int nSeqMax);

    [LibraryImport(LibLlama)]
    internal static partial void llama_batch_free(LlamaBatchNative batch);

    // ---- llama: samplers ----
    [LibraryImport(LibLlama)]
    internal static partial nint llama_sampler_chain_init(LlamaSamplerChainParamsNative parameters);

    [LibraryImport(LibLlama)]
    internal static partial void llama_sampler_chain_add(nint chain, nint sampler);

    [LibraryImport(LibLlama)]
    internal static partial int llama_sampler_chain_n(nint chain);

    [LibraryImport(LibLlama)]
    internal static partial nint llama_sampler_init_greedy();

    [LibraryImport(LibLlama)]
    internal static partial nint llama_sampler_init_dist(uint seed);

    [LibraryImport(LibLlama)]
    internal static partial nint llama_sampler_init_top_k(int k);

    [LibraryImport(LibLlama)]
    internal static partial nint llama_sampler_init_top_p(float p, nuint minKeep);

    [LibraryImport(LibLlama)]
    internal static partial nint llama_sampler_init_min_p(float p, nuint minKeep);

    [LibraryImport(LibLlama)]
    internal static partial nint llama_sampler_init_typical(float p, nuint minKeep);

    [LibraryImport(LibLlama)]
    internal static partial nint llama_sampler_init_temp(float t);

    [LibraryImport(LibLlama)]
    internal static partial nint llama_sampler_init_penalties(int nVocab, int penaltyLastN, float penaltyRepeat, float penaltyFreq, float penaltyPresent);

    [LibraryImport(LibLlama)]
    internal static partial nint llama_sampler_init_logit_bias(int nVocab, int nLogitBias, LlamaLogitBiasNative* logitBias);

    [LibraryImport(LibLlama)]
    internal static partial nint llama_sampler_init_grammar(nint vocab, byte* grammarStr, byte* grammarRoot);

    [LibraryImport(LibLlama)]
    internal static partial void llama_sampler_accept(nint sampler, int token);

    [LibraryImport(LibLlama)]
    internal static partial void llama_sampler_apply(nint sampler, LlamaTokenDataArrayNative* candidates);

    [LibraryImport(LibLlama)]
    internal static partial void llama_sampler_reset(nint sampler);

    [LibraryImport(LibLlama)]
    internal static partial nint llama_sampler_clone(nint sampler);

    [LibraryImport(LibLlama)]
    internal static partial void llama_sampler_free(nint sampler);

    [LibraryImport(LibLlama)]
    internal static partial int llama_sampler_sample(nint sampler, nint context, int idx);

    [LibraryImport(LibLlama)]
    internal static partial uint llama_sampler_get_seed(nint sampler);

    /// <summary>Reads a NUL-terminated UTF-8 string owned by native code.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static string? PtrToString(byte* value) => value == null ? null : Marshal.PtrToStringUTF8((nint)value);
}
