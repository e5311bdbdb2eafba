using System.Runtime.InteropServices;

namespace AgentKit.LlamaCpp.Native;

// Blittable mirrors of the structs in llama.h of llama.cpp v0.5.0. Field order, types and sizes must
// match the header exactly: AbiLayoutTests compiles a C program against that header and compares the
// size and every field offset of each struct here. C `bool` is one byte, marshalled as `byte`.

[StructLayout(LayoutKind.Sequential)]
internal struct LlamaModelParamsNative
{
    public nint devices;
    public nint tensor_buft_overrides;
    public int n_gpu_layers;
    public int split_mode;
    public int load_mode;
    public int lazy_mode;
    public int main_gpu;
    public nint tensor_split;
    public nint progress_callback;
    public nint progress_callback_user_data;
    public nint kv_overrides;
    public byte vocab_only;
    public byte check_tensors;
    public byte use_extra_bufts;
    public byte no_host;
    public byte no_alloc;
    public byte load_mtp;
}

[StructLayout(LayoutKind.Sequential)]
internal struct LlamaContextParamsNative
{
    public uint n_ctx;
    public uint n_batch;
    public uint n_ubatch;
    public uint n_seq_max;
    public uint n_rs_seq;
    public uint n_outputs_max;
    public uint n_outputs_max_per_seq;
    public int n_threads;
    public int n_threads_batch;
    public int ctx_type;
    public int rope_scaling_type;
    public int pooling_type;
    public int attention_type;
    public int flash_attn_type;
    public float rope_freq_base;
    public float rope_freq_scale;
    public float yarn_ext_factor;
    public float yarn_attn_factor;
    public float yarn_beta_fast;
    public float yarn_beta_slow;
    public uint yarn_orig_ctx;
    public float defrag_thold;
    public nint cb_eval;
    public nint cb_eval_user_data;
    public int type_k;
    public int type_v;
    public nint abort_callback;
    public nint abort_callback_data;
    public byte embeddings;
    public byte offload_kqv;
    public byte no_perf;
    public byte op_offload;
    public byte swa_full;
    public byte kv_unified;
    public nint samplers;
    public nuint n_samplers;
    public nint ctx_other;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct LlamaBatchNative
{
    public int n_tokens;
    public int* token;
    public float* embd;
    public int* pos;
    public int* n_seq_id;
    public int** seq_id;
    public sbyte* logits;
}

[StructLayout(LayoutKind.Sequential)]
internal struct LlamaTokenDataNative
{
    public int id;
    public float logit;
    public float p;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct LlamaTokenDataArrayNative
{
    public LlamaTokenDataNative* data;
    public nuint size;
    public long selected;
    public byte sorted;
}

[StructLayout(LayoutKind.Sequential)]
internal struct LlamaLogitBiasNative
{
    public int token;
    public float bias;
}

[StructLayout(LayoutKind.Sequential)]
internal struct LlamaSamplerChainParamsNative
{
    public byte no_perf;
}

[StructLayout(LayoutKind.Sequential)]
internal struct LlamaChatMessageNative
{
    public nint role;
    public nint content;
}

[StructLayout(LayoutKind.Sequential)]
internal struct LlamaPerfContextDataNative
{
    public double t_start_ms;
    public double t_load_ms;
    public double t_p_eval_ms;
    public double t_eval_ms;
    public int n_p_eval;
    public int n_eval;
    public int n_reused;
}

[StructLayout(LayoutKind.Sequential)]
internal struct LlamaPerfSamplerDataNative
{
    public double t_sample_ms;
    public int n_sample;
}

[StructLayout(LayoutKind.Sequential)]
internal struct LlamaModelQuantizeParamsNative
{
    public int nthread;
    public int ftype;
    public int output_tensor_type;
    public int token_embedding_type;
    public byte allow_requantize;
    public byte quantize_output_tensor;
    public byte only_copy;
    public byte pure;
    public byte keep_split;
    public byte dry_run;
    public nint imatrix;
    public nint kv_overrides;
    public nint tt_overrides;
    public nint prune_layers;
    public nuint max_buf_size;
}
