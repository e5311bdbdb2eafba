using System.Globalization;
using AgentKit.Hosting.Admission;
using AgentKit.Hosting.Models;
using AgentKit.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentKit.Bench.Server;

/// <summary>A local GGUF model for the agent instead of the scripted one, with its admission limits.</summary>
/// <param name="Path">The GGUF file.</param>
/// <param name="Contexts">The context pool's size (<c>MaxContexts</c>): requests served at once.</param>
/// <param name="MaxQueued">Requests that may wait for a context (<c>MaxQueuedRequests</c>).</param>
/// <param name="QueueTimeout">Longest wait for a context (<c>QueueTimeout</c>).</param>
/// <param name="MaxOutputTokens">The agent's output tokens per model call.</param>
internal sealed record LocalModel(string Path, int Contexts, int MaxQueued, TimeSpan QueueTimeout, int MaxOutputTokens);

/// <summary>
/// The real AgentKit HTTP API on Kestrel (127.0.0.1, a free port) with the scripted model (or a local GGUF model on
/// llama.cpp) behind the agent <see cref="AgentName"/>, the default SQLite session store in a temporary folder, and
/// one trivial minimal-API endpoint, <see cref="BaselinePath"/>, as the same-run baseline.
/// </summary>
internal sealed class BenchServer : IAsyncDisposable
{
    public const string AgentName = "bench";
    public const string BaselinePath = "/bench/baseline";
    private const string ModelName = "bench-model";

    private readonly WebApplication _app;

    private BenchServer(WebApplication app, DirectoryInfo root, ScriptedChatClient? model)
    {
        _app = app;
        Root = root;
        Model = model;
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
    }

    public Uri BaseAddress { get; }

    /// <summary>The content root; the session database is <c>data/sessions.db</c> under it.</summary>
    public DirectoryInfo Root { get; }

    /// <summary>The scripted model; <see langword="null"/> with a local model.</summary>
    public ScriptedChatClient? Model { get; }

    /// <summary>The local model's admission control; <see langword="null"/> with the scripted model.</summary>
    public ModelAdmission? Admission => _app.Services.GetRequiredKeyedService<IChatClient>(ModelName).GetService<ModelAdmission>();

    public static async Task<BenchServer> StartAsync(int maxConcurrentRuns, LocalModel? local, CancellationToken cancellationToken)
    {
        var root = Directory.CreateTempSubdirectory("agentkit-bench-server-");
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = root.FullName, Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var settings = new Dictionary<string, string?>
        {
            [$"AgentKit:Agents:{AgentName}:Instructions"] = "You are the load test's agent.",
            [$"AgentKit:Agents:{AgentName}:Model"] = ModelName,
            // Every client here is one address, so the per-key limit would otherwise cap the whole test at 8.
            ["AgentKit:Server:MaxConcurrentRunsPerKey"] = maxConcurrentRuns.ToString(CultureInfo.InvariantCulture),
        };
        if (local is null)
        {
            // A configured OpenAI-compatible model whose client is replaced below by the scripted one, so the
            // configuration, validation and agent wiring are the ones a real deployment goes through.
            settings[$"AgentKit:Models:{ModelName}:Provider"] = "OpenAI";
            settings[$"AgentKit:Models:{ModelName}:Endpoint"] = "http://127.0.0.1:9/v1";
            settings[$"AgentKit:Models:{ModelName}:ApiKey"] = "unused";
            settings[$"AgentKit:Models:{ModelName}:Model"] = ModelName;
        }
        else
        {
            // The deployment path end to end: the engine, its context pool and the admission control in front of it.
            settings[$"AgentKit:Models:{ModelName}:Provider"] = "Llama";
            settings[$"AgentKit:Models:{ModelName}:Path"] = local.Path;
            settings[$"AgentKit:Models:{ModelName}:ContextSize"] = "2048";
            settings[$"AgentKit:Models:{ModelName}:Threads"] = "1";
            settings[$"AgentKit:Models:{ModelName}:MaxContexts"] = local.Contexts.ToString(CultureInfo.InvariantCulture);
            settings[$"AgentKit:Models:{ModelName}:MaxQueuedRequests"] = local.MaxQueued.ToString(CultureInfo.InvariantCulture);
            settings[$"AgentKit:Models:{ModelName}:QueueTimeout"] = local.QueueTimeout.ToString("c", CultureInfo.InvariantCulture);
            settings[$"AgentKit:Agents:{AgentName}:MaxOutputTokens"] = local.MaxOutputTokens.ToString(CultureInfo.InvariantCulture);
        }

        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddAgentKit();
        builder.AddAgentKitServer();

        ScriptedChatClient? model = null;
        if (local is null)
        {
            // Answers at once with a short text derived from the input, as a fast model would; streamed in
            // 8-character pieces so a streaming request carries several text events. Calls are counted, not kept,
            // so a soak's memory measures the server, not the double.
            model = new ScriptedChatClient((messages, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, $"You said: {messages[^1].Text}")))
            {
                StreamChunkLength = 8,
                RecordCalls = false,
            };
            builder.Services.AddKeyedSingleton<IChatClient>(ModelName, model);
            builder.Services.AddKeyedSingleton<IChatClient>(ModelKeys.ForAgents(ModelName), model);
        }

        var app = builder.Build();
        app.MapAgentKit();
        app.MapPost(BaselinePath, (BaselineRequest request) => Results.Json(new BaselineResponse($"You said: {request.Content}")));
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        return new BenchServer(app, root, model);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Root.Delete(recursive: true);
    }

    internal sealed record BaselineRequest(string? Content);

    internal sealed record BaselineResponse(string Text);
}
