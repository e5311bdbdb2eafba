namespace AgentKit.LlamaCpp;

/// <summary>How a model file is loaded. Validated by <see cref="LlamaModel.LoadAsync"/> before any native call.</summary>
public sealed record LlamaModelOptions
{
    /// <summary>
    /// Layers to offload to the GPU: 0 (default) keeps everything on the CPU, a negative value offloads all layers.
    /// Ignored when the natives have no GPU backend.
    /// </summary>
    public int GpuLayerCount { get; init; }

    /// <summary>The GPU used for the whole model when it is not split (0-based). Default 0.</summary>
    public int MainGpu { get; init; }

    /// <summary>Memory-map the file instead of reading it (default true): faster loads and shared pages between processes.</summary>
    public bool UseMemoryMap { get; init; } = true;

    /// <summary>Lock the model in RAM so the OS cannot swap it out (default false).</summary>
    public bool UseMemoryLock { get; init; }

    /// <summary>Load only the vocabulary and metadata (default false): enough to tokenize and inspect, not to generate.</summary>
    public bool VocabOnly { get; init; }

    /// <summary>Validate the tensor data while loading (default false; slow on large files).</summary>
    public bool CheckTensors { get; init; }

    /// <summary>
    /// The folder holding the llama.cpp natives, used only if they are not loaded yet.
    /// Default: <c>AGENTKIT_LLAMA_LIB_DIR</c>, else the application's <c>runtimes/linux-x64/native</c>.
    /// </summary>
    public string? NativeLibraryDirectory { get; init; }

    internal void Validate()
    {
        if (MainGpu < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MainGpu), MainGpu, "MainGpu must be 0 or more.");
        }
    }
}
