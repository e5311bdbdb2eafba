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

/// <summary>
/// The real AgentKit HTTP API on Kestrel (127.0.0.1, a free port) with the scripted model behind the agent
/// <see cref="AgentName"/>, the default SQLite session store in a temporary folder, and one trivial minimal-API
/// endpoint, <see cref="BaselinePath"/>, as the same-run baseline.
/// </summary>
internal sealed class BenchServer : IAsyncDisposable
{
    public const string AgentName = "bench";
    public const string BaselinePath = "/bench/baseline";
    private const string ModelName = "scripted";

    private readonly WebApplication _app;

    private BenchServer(WebApplication app, DirectoryInfo root, ScriptedChatClient model)
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

    public ScriptedChatClient Model { get; }

    public static async Task<BenchServer> StartAsync(int maxConcurrentRuns, CancellationToken cancellationToken)
    {
        var root = Directory.CreateTempSubdirectory("agentkit-bench-server-");
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = root.FullName, Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            // A configured OpenAI-compatible model whose client is replaced below by the scripted one, so the
            // configuration, validation and agent wiring are the ones a real deployment goes through.
            [$"AgentKit:Models:{ModelName}:Provider"] = "OpenAI",
            [$"AgentKit:Models:{ModelName}:Endpoint"] = "http://127.0.0.1:9/v1",
            [$"AgentKit:Models:{ModelName}:ApiKey"] = "unused",
            [$"AgentKit:Models:{ModelName}:Model"] = ModelName,
            [$"AgentKit:Agents:{AgentName}:Instructions"] = "You are the load test's agent.",
            [$"AgentKit:Agents:{AgentName}:Model"] = ModelName,
            // Every client here is one address, so the per-key limit would otherwise cap the whole test at 8.
            ["AgentKit:Server:MaxConcurrentRunsPerKey"] = maxConcurrentRuns.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        builder.AddAgentKit();
        builder.AddAgentKitServer();

        // Answers at once with a short text derived from the input, as a fast model would; streamed in 8-character
        // pieces so a streaming request carries several text events.
        var model = new ScriptedChatClient((messages, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, $"You said: {messages[^1].Text}")))
        {
            StreamChunkLength = 8,
        };
        builder.Services.AddKeyedSingleton<IChatClient>(ModelName, model);
        builder.Services.AddKeyedSingleton<IChatClient>(ModelKeys.ForAgents(ModelName), model);

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
