using System.Runtime.InteropServices;

namespace AgentKit.LlamaCpp.Native;

/// <summary>
/// Owns a persistent ggml CPU thread pool (<c>ggml_threadpool_new</c>) that a context decodes with, as llama.cpp's own
/// tools attach one (<c>common_threadpools</c>). Without it ggml creates and joins its worker threads on every
/// llama_decode: one thread start and join per generated token, and on a busy machine a late-starting worker holds the
/// whole step at its first barrier. The workers sleep between decodes instead of polling (<c>poll = 0</c>), so they
/// leave the cores to the sampling and to a server's request threads.
/// </summary>
internal sealed unsafe class GgmlThreadPool : SafeHandle
{
    /// <summary>The name the workers carry.</summary>
    public const string WorkerName = "AgentKit ggml";

    private const int CpuDevice = 0; // GGML_BACKEND_DEVICE_TYPE_CPU
    private const int MaxThreads = 512; // GGML_MAX_N_THREADS: the length of ggml_threadpool_params.cpumask

    private static readonly Lazy<(nint New, nint Free)> Functions = new(Resolve);

    private GgmlThreadPool(nint pool) : base(nint.Zero, ownsHandle: true) => SetHandle(pool);

    public override bool IsInvalid => handle == nint.Zero;

    /// <summary>A pool of <paramref name="threads"/> workers (the calling thread is one of them), or null where the CPU backend does not export one.</summary>
    public static GgmlThreadPool? TryCreate(int threads)
    {
        var (create, _) = Functions.Value;
        if (create == nint.Zero)
        {
            return null;
        }

        // Started from a thread of its own: on Linux the workers inherit its name, so profilers, top and the
        // benchmark tell the model's threads from the caller's (a thread-pool worker, a request thread).
        var pool = nint.Zero;
        var starter = new Thread(() => pool = Create(create, threads)) { Name = WorkerName, IsBackground = true };
        starter.Start();
        starter.Join();
        return pool == nint.Zero ? null : new GgmlThreadPool(pool);
    }

    private static nint Create(nint create, int threads)
    {
        var parameters = default(ThreadPoolParams);
        NativeMethods.ggml_threadpool_params_init(&parameters, threads);
        parameters.poll = 0;
        return ((delegate* unmanaged[Cdecl]<ThreadPoolParams*, nint>)create)(&parameters);
    }

    protected override bool ReleaseHandle()
    {
        ((delegate* unmanaged[Cdecl]<nint, void>)Functions.Value.Free)(handle);
        return true;
    }

    private static (nint New, nint Free) Resolve()
    {
        var device = NativeMethods.ggml_backend_dev_by_type(CpuDevice);
        var registry = device == nint.Zero ? nint.Zero : NativeMethods.ggml_backend_dev_backend_reg(device);
        if (registry == nint.Zero)
        {
            return default;
        }

        var create = NativeMethods.ggml_backend_reg_get_proc_address(registry, "ggml_threadpool_new");
        var free = NativeMethods.ggml_backend_reg_get_proc_address(registry, "ggml_threadpool_free");
        return create == nint.Zero || free == nint.Zero ? default : (create, free);
    }

    /// <summary><c>struct ggml_threadpool_params</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct ThreadPoolParams
    {
        public fixed byte cpumask[MaxThreads];
        public int n_threads;
        public int prio;
        public uint poll;
        public byte strict_cpu;
        public byte paused;
    }
}
