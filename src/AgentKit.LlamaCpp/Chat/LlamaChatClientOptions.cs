using AgentKit.Abstractions.Prompts;
using AgentKit.LlamaCpp.Generation;
using AgentKit.LlamaCpp.Grammars;
using AgentKit.LlamaCpp.Sampling;

namespace AgentKit.LlamaCpp.Chat;

/// <summary>Options of a <see cref="LlamaChatClient"/>.</summary>
public sealed record LlamaChatClientOptions
{
    /// <summary>The id reported as the model in responses. Default: the model's <c>general.name</c>, else the file name.</summary>
    public string? ModelId { get; init; }

    /// <summary>
    /// Options of each pooled context. Default: 4096 tokens and 8 sequences (so self-consistency with up to 8
    /// paths runs in one context).
    /// </summary>
    public LlamaContextOptions Context { get; init; } = new() { MaxSequences = 8 };

    /// <summary>
    /// Most contexts (concurrent requests) the client keeps. Requests beyond it wait for a free context.
    /// Each context owns a KV cache of <see cref="LlamaContextOptions.ContextSize"/> tokens. Default 2 (1 on a
    /// one-core machine).
    /// </summary>
    public int MaxContexts { get; init; } = Math.Min(2, Environment.ProcessorCount);

    /// <summary>
    /// Whether the contexts in use split <see cref="LlamaContextOptions.Threads"/> and
    /// <see cref="LlamaContextOptions.BatchThreads"/> among themselves (at least one thread each) instead of each
    /// taking all of them. Default true: one request alone gets every thread, two concurrent requests half each, so
    /// the defaults never run more threads than cores (concurrent contexts each running one thread per core fight
    /// over the cores and decode several times slower than in turn). False gives every context the configured
    /// threads.
    /// </summary>
    public bool ShareThreadsAcrossContexts { get; init; } = true;

    /// <summary>
    /// Continuous batching: when set, concurrent requests share the decode steps of one context (one sequence each,
    /// with a prefix cache across requests) through a <see cref="Batching.LlamaBatchScheduler"/>, and
    /// <see cref="MaxContexts"/> is not used. Null (the default for a client built in code): each request decodes alone
    /// in a context of the pool, isolated from the others. AgentKit.Hosting turns it on by default for servers.
    /// </summary>
    public Batching.LlamaBatchingOptions? Batching { get; init; }

    /// <summary>
    /// A chat template used when the model has none or llama.cpp does not recognise the model's own: a built-in
    /// name (<c>chatml</c>, <c>llama3</c>, <c>phi3</c>, ...) or template source. Default <c>chatml</c>.
    /// </summary>
    public string FallbackChatTemplate { get; init; } = "chatml";

    /// <summary>Use this template instead of the model's own (null: the model's own).</summary>
    public string? ChatTemplateOverride { get; init; }

    /// <summary>
    /// How tools are presented to the model and how its calls are written. Default (null): from the chat template —
    /// Hermes for templates with <c>&lt;tool_call&gt;</c>, Llama 3.1 JSON for Llama 3 templates, else generic.
    /// </summary>
    public ToolCallFormat? ToolCallFormat { get; init; }

    /// <summary>
    /// The folder of prompt files (<c>llama/tools/*.prompty</c> are read from it at run time, so prompt engineers can
    /// change how tools are described without recompiling). Default: <c>prompts</c> beside the application. Not used
    /// when <see cref="ToolPrompts"/> is set.
    /// </summary>
    public string? PromptsDirectory { get; init; }

    /// <summary>
    /// Where the tool prompts come from (an application's prompt registry, through AgentKit.Prompts'
    /// <c>AddAgentKitPrompts</c>). Default: the engine reads the <c>.prompty</c> files under <see cref="PromptsDirectory"/>.
    /// </summary>
    public IToolPromptSource? ToolPrompts { get; init; }

    /// <summary>
    /// Longest string the JSON grammars (JSON Schema response formats and tool arguments) let the model write where
    /// the schema sets no <c>maxLength</c>. Keeps constrained output finite so it completes within the token limit
    /// and always parses; null removes the bound. Default 1024 characters.
    /// </summary>
    public int? MaxJsonStringLength { get; init; } = 1024;

    /// <summary>Output token limit when the request sets none. Default 1024.</summary>
    public int DefaultMaxOutputTokens { get; init; } = 1024;

    /// <summary>Sampling used for values a request does not set.</summary>
    public LlamaSamplingOptions DefaultSampling { get; init; } = new();

    /// <summary>
    /// Speculative decoding of every single-answer request (prompt lookup and/or <see cref="DraftModel"/>; with
    /// <see cref="Batching"/>, prompt lookup inside the scheduler's steps); the output stays the model's own (see
    /// <see cref="LlamaSpeculationOptions"/>). Its <c>DraftContext</c> must be null:
    /// the client keeps draft contexts on <see cref="DraftModel"/>. Default null: off, unless a draft model is set
    /// (then the defaults). Multi-answer requests (<c>IMultiSequenceChatClient</c>) decode without it.
    /// </summary>
    public LlamaSpeculationOptions? Speculation { get; init; }

    /// <summary>
    /// A smaller model with the same vocabulary that drafts tokens for speculative decoding (a quantized copy of the
    /// model, or a small model of its family). The client does not own it. Checked when the client is created: a
    /// different vocabulary raises <see cref="LlamaVocabularyMismatchException"/>. Needs <see cref="Batching"/> = null.
    /// Default null.
    /// </summary>
    public LlamaModel? DraftModel { get; init; }

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Context);
        Context.Validate();
        if (MaxContexts is < 1 or > 256)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxContexts), MaxContexts, "LlamaChatClientOptions.MaxContexts must be 1 to 256.");
        }

        if (DefaultMaxOutputTokens < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(DefaultMaxOutputTokens), DefaultMaxOutputTokens, "LlamaChatClientOptions.DefaultMaxOutputTokens must be 1 or more.");
        }

        if (MaxJsonStringLength is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxJsonStringLength), MaxJsonStringLength, "LlamaChatClientOptions.MaxJsonStringLength must be 1 or more, or null for no bound.");
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(FallbackChatTemplate);
        if (ToolCallFormat is { } format && !Enum.IsDefined(format))
        {
            throw new ArgumentOutOfRangeException(nameof(ToolCallFormat), ToolCallFormat, "Unknown tool call format.");
        }

        DefaultSampling.Validate();
        Batching?.Validate();
        if (Speculation?.DraftContext is not null)
        {
            throw new ArgumentException("LlamaChatClientOptions.Speculation.DraftContext must be null: set LlamaChatClientOptions.DraftModel and the client creates draft contexts.", nameof(Speculation));
        }

        if (DraftModel is not null && Batching is not null)
        {
            throw new ArgumentException("LlamaChatClientOptions.DraftModel needs Batching = null: the batch scheduler drafts by prompt lookup only, a draft model drafts on pooled contexts.", nameof(DraftModel));
        }

        if (DraftModel is { IsVocabOnly: true })
        {
            throw new ArgumentException($"LlamaChatClientOptions.DraftModel '{DraftModel.Path}' was loaded with VocabOnly = true and cannot draft. Load it without VocabOnly.", nameof(DraftModel));
        }

        (Speculation ?? new LlamaSpeculationOptions()).Validate(requireDrafter: DraftModel is null);
    }
}
