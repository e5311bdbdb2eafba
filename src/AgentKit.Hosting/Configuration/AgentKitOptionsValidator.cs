using AgentKit.LlamaCpp.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AgentKit.Hosting.Configuration;

/// <summary>Checks <see cref="AgentKitOptions"/> at start-up; each failure names its configuration key.</summary>
internal sealed class AgentKitOptionsValidator(IHostEnvironment environment) : IValidateOptions<AgentKitOptions>
{
    private const string Section = AgentKitOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, AgentKitOptions options)
    {
        var failures = new List<string>();
        foreach (var (modelName, model) in options.Models)
        {
            ValidateModel($"{Section}:Models:{modelName}", model, failures);
        }

        foreach (var (modelName, model) in options.Models)
        {
            ValidateCache($"{Section}:Models:{modelName}", model, options, failures);
            ValidateSpeculation($"{Section}:Models:{modelName}", modelName, model, options, failures);
        }

        ValidateDefault(options, options.DefaultChatModel, ModelKind.Chat, nameof(AgentKitOptions.DefaultChatModel), failures);
        ValidateDefault(options, options.DefaultEmbeddingModel, ModelKind.Embedding, nameof(AgentKitOptions.DefaultEmbeddingModel), failures);

        foreach (var (agentName, agent) in options.Agents)
        {
            ValidateAgent($"{Section}:Agents:{agentName}", agent, options, failures);
        }

        if (string.IsNullOrWhiteSpace(options.Prompts.Directory))
        {
            failures.Add($"{Section}:Prompts:Directory: must not be empty.");
        }

        if (string.IsNullOrWhiteSpace(options.Storage.Directory))
        {
            failures.Add($"{Section}:Storage:Directory: must not be empty.");
        }

        if (!Enum.IsDefined(options.Storage.Provider))
        {
            failures.Add($"{Section}:Storage:Provider: must be Sqlite or PostgreSql.");
        }

        CheckRange(failures, $"{Section}:ChatPipeline:ResponseCacheMegabytes", options.ChatPipeline.ResponseCacheMegabytes, 1, 1 << 20);
        CheckRange(failures, $"{Section}:ChatPipeline:MaxFunctionIterations", options.ChatPipeline.MaxFunctionIterations, 1, 1000);
        ValidateTelemetry(options.Telemetry, failures);

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateTelemetry(TelemetryOptions telemetry, List<string> failures)
    {
        const string key = $"{Section}:Telemetry";
        if (!Enum.IsDefined(telemetry.Exporter))
        {
            failures.Add($"{key}:Exporter: must be None, Console or Otlp.");
        }

        if (!Enum.IsDefined(telemetry.OtlpProtocol))
        {
            failures.Add($"{key}:OtlpProtocol: must be Grpc or HttpProtobuf.");
        }

        if (telemetry.OtlpEndpoint is { } endpoint && !TelemetrySetup.TryParseEndpoint(endpoint, out _))
        {
            failures.Add($"{key}:OtlpEndpoint: '{endpoint}' is not an absolute http or https URI (for example http://localhost:4317).");
        }

        if (telemetry.MetricExportInterval < TimeSpan.FromSeconds(1) || telemetry.MetricExportInterval > TimeSpan.FromHours(1))
        {
            failures.Add($"{key}:MetricExportInterval: must be between 00:00:01 and 01:00:00 (was {telemetry.MetricExportInterval}).");
        }

        if (telemetry.ServiceName is { } service && string.IsNullOrWhiteSpace(service))
        {
            failures.Add($"{key}:ServiceName: must not be blank.");
        }
    }

    private void ValidateModel(string key, ModelOptions model, List<string> failures)
    {
        switch (model.Provider)
        {
            case ModelProvider.Llama:
                if (model.Path is null && model.Download is null)
                {
                    failures.Add($"{key}: set Path (a GGUF file) or Download (owner/repo/file.gguf).");
                }

                if (model.Path is not null)
                {
                    var path = AgentKitPaths.Resolve(environment, model.Path);
                    if (!File.Exists(path) && model.Download is null)
                    {
                        failures.Add($"{key}:Path: the file '{path}' does not exist.");
                    }
                }

                if (model.Download is not null && !TryParseDownload(model.Download, out _, out var error))
                {
                    failures.Add($"{key}:Download: {error}");
                }

                CheckRange(failures, $"{key}:GpuLayers", model.GpuLayers, 0, 100_000);
                CheckRange(failures, $"{key}:ContextSize", model.ContextSize, 16, 1 << 24);
                CheckRange(failures, $"{key}:Threads", model.Threads, 1, 1024);
                CheckRange(failures, $"{key}:MaxContexts", model.MaxContexts, 1, 64);
                CheckRange(failures, $"{key}:MaxSequences", model.MaxSequences, 1, 256);
                CheckRange(failures, $"{key}:MaxQueuedRequests", model.MaxQueuedRequests, 0, 100_000);
                CheckRange(failures, $"{key}:PrefillChunkTokens", model.PrefillChunkTokens, 1, 1 << 24);
                if (model.Threads is { } threads && threads > Environment.ProcessorCount)
                {
                    failures.Add($"{key}:Threads: {threads} threads would oversubscribe the {Environment.ProcessorCount} cores of this machine (threads fighting over cores decode several times slower); use at most {Environment.ProcessorCount}, or leave it unset.");
                }
                if (model.QueueTimeout is { } queueTimeout && queueTimeout <= TimeSpan.Zero)
                {
                    failures.Add($"{key}:QueueTimeout: {queueTimeout} must be positive.");
                }

                break;

            case ModelProvider.OpenAI:
                if (model.Endpoint is null || !model.Endpoint.IsAbsoluteUri || model.Endpoint.Scheme is not ("http" or "https"))
                {
                    failures.Add($"{key}:Endpoint: an absolute http(s) URL is required for the openai provider.");
                }

                if (string.IsNullOrWhiteSpace(model.Model))
                {
                    failures.Add($"{key}:Model: the model name the endpoint serves is required for the openai provider.");
                }

                if (string.IsNullOrWhiteSpace(model.ApiKey))
                {
                    failures.Add($"{key}:ApiKey: required for the openai provider (servers without auth accept any value).");
                }

                if (model.Timeout <= TimeSpan.Zero || model.Timeout > TimeSpan.FromHours(1))
                {
                    failures.Add($"{key}:Timeout: {model.Timeout} must be positive and at most one hour.");
                }

                CheckRange(failures, $"{key}:MaxRetries", model.MaxRetries, 0, 10);
                break;

            case ModelProvider.MiniLM or ModelProvider.ArcticEmbedXs or ModelProvider.Lexical:
                if (model.Kind != ModelKind.Embedding)
                {
                    failures.Add($"{key}:Kind: the {model.Provider} provider is an embedding model; set Kind to Embedding.");
                }

                CheckRange(failures, $"{key}:Threads", model.Threads, 1, 1024);
                break;

            default:
                failures.Add($"{key}:Provider: '{model.Provider}' is not a provider; use Llama, OpenAI, MiniLM, ArcticEmbedXs or Lexical.");
                break;
        }
    }

    private static void ValidateSpeculation(string key, string name, ModelOptions model, AgentKitOptions options, List<string> failures)
    {
        var speculation = model.Speculation;
        key += ":Speculation";
        if (!speculation.Enabled)
        {
            if (speculation.DraftModel is not null)
            {
                failures.Add($"{key}:DraftModel: set {key}:Enabled to true to use a draft model.");
            }

            return;
        }

        if (model.Provider != ModelProvider.Llama || model.Kind != ModelKind.Chat)
        {
            failures.Add($"{key}: speculative decoding is for llama chat models; '{name}' is a {model.Provider} {model.Kind} model.");
        }

        CheckRange(failures, $"{key}:MaxDraftTokens", speculation.MaxDraftTokens, 1, 64);
        CheckRange(failures, $"{key}:LookupMinNgram", speculation.LookupMinNgram, 1, 16);
        CheckRange(failures, $"{key}:LookupMaxNgram", speculation.LookupMaxNgram, Math.Clamp(speculation.LookupMinNgram, 1, 16), 16);
        if (speculation.DraftModel is { } draft)
        {
            if (string.Equals(draft, name, StringComparison.OrdinalIgnoreCase))
            {
                failures.Add($"{key}:DraftModel: a model cannot draft for itself; name a smaller model with the same vocabulary.");
            }
            else if (!options.Models.TryGetValue(draft, out var drafter))
            {
                failures.Add($"{key}:DraftModel: '{draft}' is not an entry of {Section}:Models.");
            }
            else if (drafter.Provider != ModelProvider.Llama)
            {
                failures.Add($"{key}:DraftModel: '{draft}' is a {drafter.Provider} model; a draft model runs in process (Provider Llama).");
            }

            if (model.Batching)
            {
                failures.Add($"{key}:DraftModel: a draft model needs {Section}:Models:{name}:Batching = false; the batch scheduler drafts by prompt lookup only.");
            }
        }
        else if (!speculation.PromptLookup)
        {
            failures.Add($"{key}: drafts nothing; set PromptLookup to true or name a DraftModel.");
        }
    }

    private static void ValidateCache(string key, ModelOptions model, AgentKitOptions options, List<string> failures)
    {
        var cache = model.Cache;
        if (!cache.Enabled)
        {
            return;
        }

        key += ":Cache";
        if (model.Kind != ModelKind.Chat)
        {
            failures.Add($"{key}: only chat models have a completion cache; '{key}' belongs to an embedding model.");
        }

        if (!Enum.IsDefined(cache.Scope))
        {
            failures.Add($"{key}:Scope: must be Global, Agent or UserSession.");
        }

        if (cache.TimeToLive < TimeSpan.FromSeconds(1) || cache.TimeToLive > TimeSpan.FromDays(365))
        {
            failures.Add($"{key}:TimeToLive: {cache.TimeToLive} must be between 00:00:01 and 365.00:00:00.");
        }

        CheckRange(failures, $"{key}:MaxEntries", cache.MaxEntries, 1, 10_000_000);
        if (!(cache.SimilarityThreshold >= 0.5 && cache.SimilarityThreshold <= 1))
        {
            failures.Add($"{key}:SimilarityThreshold: {cache.SimilarityThreshold} is outside 0.5..1.");
        }

        if (cache.Path is { } path && string.IsNullOrWhiteSpace(path))
        {
            failures.Add($"{key}:Path: must not be blank.");
        }

        if (cache.Semantic)
        {
            AgentKit.Hosting.Composition.ModelChecks.CheckUse(options, cache.EmbeddingModel ?? options.DefaultEmbeddingModel, ModelKind.Embedding, $"{key}:EmbeddingModel", failures);
        }
    }

    private static void ValidateAgent(string key, AgentOptions agent, AgentKitOptions options, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(agent.Instructions))
        {
            failures.Add($"{key}:Instructions: required: 'prompt:<name>' for a prompt file, or the instructions text.");
        }

        AgentKit.Hosting.Composition.ModelChecks.CheckUse(options, agent.Model ?? options.DefaultChatModel, ModelKind.Chat, $"{key}:Model", failures);

        CheckRange(failures, $"{key}:MaxSteps", agent.MaxSteps, 1, 1000);
        CheckRange(failures, $"{key}:ContextTokenBudget", agent.ContextTokenBudget, 256, 1 << 24);
        CheckRange(failures, $"{key}:MaxOutputTokens", agent.MaxOutputTokens, 1, 1 << 20);
        if (agent.MaxTokens is <= 0)
        {
            failures.Add($"{key}:MaxTokens: {agent.MaxTokens} must be positive.");
        }

        if (agent.Timeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            failures.Add($"{key}:Timeout: {timeout} must be positive.");
        }

        if (agent.Temperature is { } temperature && (float.IsNaN(temperature) || temperature is < 0 or > 2))
        {
            failures.Add($"{key}:Temperature: {temperature} is outside 0..2.");
        }

        for (var i = 0; i < agent.Tools.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(agent.Tools[i]))
            {
                failures.Add($"{key}:Tools:{i}: a tool name must not be empty.");
            }
        }

        if (agent.ToolSelection is { } selection)
        {
            CheckRange(failures, $"{key}:ToolSelection:TopK", selection.TopK, 1, 100);
            CheckRange(failures, $"{key}:ToolSelection:FindTopK", selection.FindTopK, 1, 50);
            for (var i = 0; i < selection.AlwaysOn.Count; i++)
            {
                if (!agent.Tools.Contains(selection.AlwaysOn[i], StringComparer.Ordinal))
                {
                    failures.Add($"{key}:ToolSelection:AlwaysOn:{i}: '{selection.AlwaysOn[i]}' is not one of the agent's tools ({key}:Tools); an always-on tool must be on its allowlist.");
                }
            }
        }
    }

    private static void ValidateDefault(AgentKitOptions options, string? name, ModelKind kind, string property, List<string> failures)
    {
        if (name is null)
        {
            return;
        }

        if (!options.Models.TryGetValue(name, out var model))
        {
            failures.Add($"{Section}:{property}: no model named '{name}' under {Section}:Models.");
        }
        else if (model.Kind != kind)
        {
            failures.Add($"{Section}:{property}: the model '{name}' is a {model.Kind} model, not a {kind} model.");
        }
    }

    internal static void CheckRange(List<string> failures, string key, int? value, int min, int max)
    {
        if (value is { } v && (v < min || v > max))
        {
            failures.Add($"{key}: {v} is outside {min}..{max}.");
        }
    }

    /// <summary>Parses <c>owner/repo/path/to/file.gguf</c>, or a well-known embedding model's name (<see cref="KnownModels.Embedding"/>), into a model reference.</summary>
    internal static bool TryParseDownload(string text, out ModelReference? reference, out string? error)
    {
        if (KnownModels.TryGetEmbedding(text, out reference))
        {
            error = null;
            return true;
        }

        var parts = text.Split('/', 3);
        if (parts.Length < 3)
        {
            error = $"'{text}' is neither owner/repo/file.gguf nor a known embedding model ({string.Join(", ", KnownModels.Embedding.Keys)}).";
            return false;
        }

        try
        {
            reference = new ModelReference($"{parts[0]}/{parts[1]}", parts[2]);
            error = null;
            return true;
        }
        catch (ArgumentException e)
        {
            error = e.Message;
            return false;
        }
    }
}
