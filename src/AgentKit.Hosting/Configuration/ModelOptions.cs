namespace AgentKit.Hosting.Configuration;

/// <summary>What a configured model is used for.</summary>
public enum ModelKind
{
    /// <summary>A chat model, registered as a keyed <c>IChatClient</c>.</summary>
    Chat,

    /// <summary>An embedding model, registered as a keyed <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c>.</summary>
    Embedding,
}

/// <summary>Where a model runs.</summary>
public enum ModelProvider
{
    /// <summary>In-process llama.cpp on a GGUF file.</summary>
    Llama,

    /// <summary>An OpenAI-compatible HTTP endpoint (OpenAI, vLLM, llama-server, …).</summary>
    OpenAI,

    /// <summary>
    /// Embedding only: all-MiniLM-L6-v2 in process on ONNX Runtime (384 dimensions, 256 tokens, English-centric),
    /// shipped with AgentKit, no download. The default embedding model when none is configured.
    /// </summary>
    MiniLM,

    /// <summary>
    /// Embedding only: snowflake-arctic-embed-xs in process on ONNX Runtime (384 dimensions, 256 tokens, English), shipped
    /// with AgentKit, no download: all-MiniLM-L6-v2's architecture trained further for retrieval, with a query
    /// instruction. Better retrieval than MiniLM (docs/benchmarks.md); its similarities are not on MiniLM's scale, so
    /// thresholds tuned for MiniLM (completion cache, entity resolution) need re-tuning.
    /// </summary>
    ArcticEmbedXs,

    /// <summary>Embedding only: AgentKit's hashing embedder, which matches words, not meanings. Only when configured.</summary>
    Lexical,
}

/// <summary>One entry of <c>AgentKit:Models</c>.</summary>
public sealed class ModelOptions
{
    /// <summary>Where the model runs. Default: <see cref="ModelProvider.Llama"/>.</summary>
    public ModelProvider Provider { get; set; } = ModelProvider.Llama;

    /// <summary>What the model is for. Default: <see cref="ModelKind.Chat"/>.</summary>
    public ModelKind Kind { get; set; } = ModelKind.Chat;

    /// <summary>llama: the GGUF file. Relative paths resolve against the content root. Either this or <see cref="Download"/>.</summary>
    public string? Path { get; set; }

    /// <summary>llama: a Hugging Face file to pull into the model cache when it is not there yet, as <c>owner/repo/file.gguf</c>.</summary>
    public string? Download { get; set; }

    /// <summary>llama: layers to offload to the GPU (CUDA build). Default: 0.</summary>
    public int GpuLayers { get; set; }

    /// <summary>
    /// llama: context size in tokens per context; with <see cref="Batching"/>, the KV cache shared by all running
    /// requests (one request may use all of it). Default: 16384 with batching, else 4096 per context.
    /// </summary>
    public int? ContextSize { get; set; }

    /// <summary>
    /// llama, minilm: threads for generation, prompt processing or embedding; for a llama chat model, the threads of
    /// all its contexts together (the contexts in use split them). Default: <see cref="Environment.ProcessorCount"/>.
    /// </summary>
    public int? Threads { get; set; }

    /// <summary>llama: contexts kept for concurrent requests (each holds a KV cache). Default: 2 (1 on a one-core machine).</summary>
    public int? MaxContexts { get; set; }

    /// <summary>
    /// llama: requests that may wait for a free context when all <see cref="MaxContexts"/> are busy; one more is
    /// refused at once (<c>ModelBusyException</c>, HTTP 429 with <c>Retry-After</c>). Default: 16.
    /// </summary>
    public int? MaxQueuedRequests { get; set; }

    /// <summary>llama: longest a request waits for a free context before it is refused like a full queue. Default: 30 seconds.</summary>
    public TimeSpan? QueueTimeout { get; set; }

    /// <summary>
    /// llama: sequences one context decodes together. With <see cref="Batching"/>: the requests decoded together (each
    /// beyond waits in the admission queue); without: sequences per pooled context (multi-sequence decoding for
    /// self-consistency). Default: 8.
    /// </summary>
    public int? MaxSequences { get; set; }

    /// <summary>
    /// llama chat: continuous batching — concurrent requests share the decode steps of one context, one sequence each,
    /// with a prefix cache across requests (<c>LlamaChatClientOptions.Batching</c>). <see cref="ContextSize"/> is then
    /// the KV cache of all running requests together and <see cref="MaxContexts"/> is not used. False: a pool of
    /// <see cref="MaxContexts"/> contexts, each request decoding alone in its own (isolation). Default: true.
    /// </summary>
    public bool Batching { get; set; } = true;

    /// <summary>
    /// llama chat with <see cref="Batching"/>: most prompt tokens read in one step while other requests stream, so a long
    /// prompt delays their next token by one chunk at most. Default: 128.
    /// </summary>
    public int? PrefillChunkTokens { get; set; }

    /// <summary>llama: load the model when the host starts instead of on first use. Default: true.</summary>
    public bool WarmUp { get; set; } = true;

    /// <summary>openai: the endpoint, e.g. <c>https://api.openai.com/v1</c> or a local llama-server's <c>http://localhost:8080/v1</c>.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>openai: the API key. Never logged. Servers without auth accept any non-empty value.</summary>
    public string? ApiKey { get; set; }

    /// <summary>openai: the model name the endpoint serves.</summary>
    public string? Model { get; set; }

    /// <summary>
    /// openai: how long one attempt may take, to the last byte of the answer (a stream included). Default: 100 s.
    /// A request that runs out of attempts fails with a <c>ModelEndpointException</c> saying so.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>chat: the completion cache in front of this model (exact and semantic layers). Off by default.</summary>
    public CompletionCacheSettings Cache { get; init; } = new();

    /// <summary>llama chat: speculative decoding (prompt lookup, a draft model). Off by default.</summary>
    public SpeculationSettings Speculation { get; init; } = new();

    /// <summary>openai: retries after a timeout, a connection failure, HTTP 408, 429 or 5xx, with exponential back-off (honouring <c>Retry-After</c>). Default: 2.</summary>
    public int MaxRetries { get; set; } = 2;
}
