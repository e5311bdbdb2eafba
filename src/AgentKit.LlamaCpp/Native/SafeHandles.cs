using System.Runtime.InteropServices;

namespace AgentKit.LlamaCpp.Native;

/// <summary>Owns a native <c>llama_model*</c>.</summary>
internal sealed class SafeLlamaModelHandle : SafeHandle
{
    public SafeLlamaModelHandle() : base(nint.Zero, ownsHandle: true) { }

    internal SafeLlamaModelHandle(nint handle) : base(nint.Zero, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == nint.Zero;

    protected override bool ReleaseHandle()
    {
        NativeMethods.llama_model_free(handle);
        return true;
    }
}

/// <summary>
/// Owns a native <c>llama_context*</c> and the CPU thread pool attached to it (freed after the context). Holds a
/// reference on its model so the model outlives it.
/// </summary>
internal sealed class SafeLlamaContextHandle : SafeHandle
{
    private readonly SafeLlamaModelHandle? _model;
    private readonly GgmlThreadPool? _threads;
    private bool _modelRefAdded;
    private bool _threadsRefAdded;

    public SafeLlamaContextHandle() : base(nint.Zero, ownsHandle: true) { }

    internal SafeLlamaContextHandle(nint handle, SafeLlamaModelHandle model, GgmlThreadPool? threads) : base(nint.Zero, ownsHandle: true)
    {
        _model = model;
        _threads = threads;
        model.DangerousAddRef(ref _modelRefAdded);
        threads?.DangerousAddRef(ref _threadsRefAdded);
        SetHandle(handle);
    }

    public override bool IsInvalid => handle == nint.Zero;

    protected override bool ReleaseHandle()
    {
        NativeMethods.llama_free(handle);
        if (_threadsRefAdded)
        {
            // The context used the pool until now; finalizers run in no set order, so the reference kept it alive.
            _threads!.DangerousRelease();
            _threads.Dispose();
        }

        if (_modelRefAdded)
        {
            _model!.DangerousRelease();
        }

        return true;
    }
}

/// <summary>Owns a native <c>llama_sampler*</c> (usually a chain, which frees the samplers added to it).</summary>
internal sealed class SafeLlamaSamplerHandle : SafeHandle
{
    public SafeLlamaSamplerHandle() : base(nint.Zero, ownsHandle: true) { }

    internal SafeLlamaSamplerHandle(nint handle) : base(nint.Zero, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == nint.Zero;

    protected override bool ReleaseHandle()
    {
        NativeMethods.llama_sampler_free(handle);
        return true;
    }
}
