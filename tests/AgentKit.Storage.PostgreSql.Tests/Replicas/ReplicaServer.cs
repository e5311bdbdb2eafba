using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentKit.Hosting.Models;
using AgentKit.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentKit.Storage.PostgreSql.Tests.Replicas;

/// <summary>
/// One AgentKit server replica on Kestrel (loopback), configured with <c>AgentKit:Storage:Provider = PostgreSql</c>,
/// its own service provider and connection pool, and a scripted model that answers "reply N to TEXT (saw K messages)".
/// </summary>
internal sealed class ReplicaServer : IAsyncDisposable
{
    public const string ApiKey = "replica-key-0123456789abcdef";

    private readonly WebApplication _app;
    private readonly DirectoryInfo _contentRoot;

    private ReplicaServer(WebApplication app, DirectoryInfo contentRoot, GatedChatClient model)
    {
        _app = app;
        _contentRoot = contentRoot;
        Model = model;
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        Http = new HttpClient { BaseAddress = new Uri(address.TrimEnd('/') + "/") };
        Http.DefaultRequestHeaders.Authorization = new("Bearer", ApiKey);
    }

    public HttpClient Http { get; }

    public GatedChatClient Model { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Starts a replica; <paramref name="model"/> replaces the echoing script, <paramref name="settings"/> add to or override the configuration, <paramref name="services"/> registers more (tools).</summary>
    public static async Task<ReplicaServer> StartAsync(
        string connectionString, string schema, string name, ScriptedChatClient? model = null, IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var contentRoot = Directory.CreateTempSubdirectory($"agentkit-{name}-");
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = contentRoot.FullName });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AgentKit:Models:scripted:Provider"] = "OpenAI",
            ["AgentKit:Models:scripted:Endpoint"] = "http://127.0.0.1:9/v1",
            ["AgentKit:Models:scripted:ApiKey"] = "unused",
            ["AgentKit:Models:scripted:Model"] = "scripted",
            ["AgentKit:Server:ApiKeys:0"] = ApiKey,
            ["AgentKit:Storage:Provider"] = "PostgreSql",
            ["AgentKit:Storage:PostgreSql:ConnectionString"] = $"{connectionString};Application Name={name}",
            ["AgentKit:Storage:PostgreSql:Schema"] = schema,
            ["AgentKit:Agents:helper:Instructions"] = "You are a helpful test agent.",
            ["AgentKit:Agents:helper:Model"] = "scripted",
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.AddAgentKit();
        builder.AddAgentKitServer();
        var gated = new GatedChatClient(model ?? new ScriptedChatClient((messages, _) =>
        {
            var users = messages.Count(m => m.Role == ChatRole.User);
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, $"reply {users} to {messages[^1].Text} (saw {messages.Count(m => m.Role != ChatRole.System)} messages)"));
        }));
        builder.Services.AddKeyedSingleton<IChatClient>("scripted", gated);
        builder.Services.AddKeyedSingleton<IChatClient>(ModelKeys.ForAgents("scripted"), gated);
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapAgentKit();
        try
        {
            await app.StartAsync(TestContext.Current.CancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            contentRoot.Delete(recursive: true);
            throw;
        }

        return new ReplicaServer(app, contentRoot, gated);
    }

    /// <summary>Creates a session of the helper agent over HTTP.</summary>
    public async Task<string> CreateSessionAsync()
    {
        using var response = await Http.PostAsJsonAsync(new Uri("api/sessions", UriKind.Relative), new { agent = "helper" }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return body.RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>A session's history over HTTP, each message as the concatenation of its texts.</summary>
    public async Task<List<string>> HistoryAsync(string sessionId)
    {
        using var body = JsonDocument.Parse(await Http.GetStringAsync(new Uri($"api/sessions/{sessionId}", UriKind.Relative), TestContext.Current.CancellationToken));
        return [.. body.RootElement.GetProperty("messages").EnumerateArray().Select(m => string.Concat(
            m.GetProperty("contents").EnumerateArray().Select(c => c.TryGetProperty("text", out var text) ? text.GetString() : null)))];
    }

    /// <summary>
    /// Stops the host giving requests still running <paramref name="grace"/> to finish before their connections are
    /// aborted, as an orchestrator's stop with a short grace period does: a turn still going is left unfinished.
    /// </summary>
    public async Task StopAsync(TimeSpan grace)
    {
        using var deadline = new CancellationTokenSource(grace);
        await _app.StopAsync(deadline.Token);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _contentRoot.Delete(recursive: true);
    }
}

/// <summary>The scripted model, held at the start of each call while <see cref="Gate"/> is set, so a test can keep a turn running.</summary>
internal sealed class GatedChatClient(IChatClient inner) : DelegatingChatClient(inner)
{
    private int _entered;

    public TaskCompletionSource? Gate { get; set; }

    /// <summary>Completes when a call has reached the gate.</summary>
    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Calls => Volatile.Read(ref _entered);

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _entered);
        Entered.TrySetResult();
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        return await base.GetResponseAsync(messages, options, cancellationToken);
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (var update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }
}
