using AgentKit.Hosting.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentKit.Server.Tests;

/// <summary>The real API on Kestrel, listening on a loopback port, with <see cref="EchoChatClient"/> as the model "echo".</summary>
internal sealed class TestServer : IAsyncDisposable
{
    public const string ApiKey = "test-key-0123456789abcdef";

    private readonly WebApplication _app;

    private TestServer(WebApplication app, EchoChatClient model)
    {
        _app = app;
        Model = model;
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
    }

    public Uri BaseAddress { get; }

    public Uri OpenAIEndpoint => new(BaseAddress, "v1");

    public EchoChatClient Model { get; }

    /// <summary>The application's services.</summary>
    public IServiceProvider Services => _app.Services;

    /// <param name="settings">Configuration entries added to (or replacing) the defaults.</param>
    /// <param name="services">Further service registrations.</param>
    /// <param name="pipeline">Wraps the double in middleware (for example admission control) for both model keys.</param>
    public static async Task<TestServer> StartAsync(Dictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null, Func<IChatClient, IChatClient>? pipeline = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = Directory.CreateTempSubdirectory("agentkit-server-").FullName });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var configuration = new Dictionary<string, string?>
        {
            // A configured OpenAI-compatible model named "echo" whose client the test replaces with the double.
            ["AgentKit:Models:echo:Provider"] = "OpenAI",
            ["AgentKit:Models:echo:Endpoint"] = "http://127.0.0.1:9/v1",
            ["AgentKit:Models:echo:ApiKey"] = "unused",
            ["AgentKit:Models:echo:Model"] = "echo",
            ["AgentKit:Server:ApiKeys:0"] = ApiKey,
            ["AgentKit:Storage:Directory"] = "data",
            ["AgentKit:Agents:helper:Instructions"] = "You are a helpful test agent.",
            ["AgentKit:Agents:helper:Model"] = "echo",
        };
        foreach (var (key, value) in settings ?? [])
        {
            configuration[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(configuration);
        builder.AddAgentKit();
        builder.AddAgentKitServer();
        var model = new EchoChatClient();
        var client = pipeline?.Invoke(model) ?? model;
        builder.Services.AddKeyedSingleton<IChatClient>("echo", client);
        builder.Services.AddKeyedSingleton<IChatClient>(ModelKeys.ForAgents("echo"), client);
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapAgentKit();
        await app.StartAsync(TestContext.Current.CancellationToken);
        return new TestServer(app, model);
    }

    public HttpClient CreateHttpClient(bool withKey = true)
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        if (withKey)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", ApiKey);
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
