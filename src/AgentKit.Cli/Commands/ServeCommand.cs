using System.CommandLine;
using AgentKit.LlamaCpp.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace AgentKit.Cli.Commands;

/// <summary>
/// <c>agentkit serve</c>: the HTTP API (OpenAI-compatible chat completions, health) over the models in the
/// configuration (<c>appsettings.json</c> in the working folder, <c>--config</c>, <c>AgentKit__…</c> environment
/// variables), or over <c>--model</c>, or over the default model pulled into the cache.
/// </summary>
internal static class ServeCommand
{
    public static Command Create(CliContext context)
    {
        var config = new Option<FileInfo?>("--config") { Description = "A JSON configuration file with an AgentKit section (added after appsettings.json)." };
        var model = new Option<string?>("--model", "-m") { Description = "Serve this GGUF file as the chat model 'default' (when the configuration names no models)." };
        var urls = new Option<string>("--urls") { Description = "Where to listen.", DefaultValueFactory = _ => "http://127.0.0.1:5080" };
        var apiKey = new Option<string?>("--api-key") { Description = "Require this API key (at least 16 characters); also AgentKit:Server:ApiKeys." };
        var command = new Command("serve", "Serve the AgentKit HTTP API (OpenAI-compatible /v1/chat/completions).") { config, model, urls, apiKey };
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(context, () =>
            RunAsync(context, parse.GetValue(config), parse.GetValue(model), parse.GetRequiredValue(urls), parse.GetValue(apiKey), cancellationToken)));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, FileInfo? config, string? model, string urls, string? apiKey, CancellationToken cancellationToken)
    {
        if (config is { Exists: false })
        {
            CommandErrors.Write(context, $"The configuration file '{config.FullName}' does not exist.");
            return ExitCodes.Error;
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = Directory.GetCurrentDirectory(), Args = [] });
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new ConsoleLoggerProvider(context.Error));
        builder.WebHost.UseUrls(urls);
        if (config is not null)
        {
            builder.Configuration.AddJsonFile(config.FullName, optional: false);
        }

        var overrides = new Dictionary<string, string?>();
        if (!builder.Configuration.GetSection("AgentKit:Models").GetChildren().Any())
        {
            if (model is not null)
            {
                overrides["AgentKit:Models:default:Path"] = Path.GetFullPath(model);
            }
            else
            {
                var reference = KnownModels.DefaultChat;
                overrides["AgentKit:Models:default:Download"] = $"{reference.Repository}/{reference.File}";
            }
        }
        else if (model is not null)
        {
            CommandErrors.Write(context, "--model is for a configuration without models; the configuration already names AgentKit:Models.");
            return ExitCodes.Error;
        }

        if (apiKey is not null)
        {
            overrides["AgentKit:Server:ApiKeys:0"] = apiKey;
        }

        builder.Configuration.AddInMemoryCollection(overrides);
        builder.Services.AddSingleton(context.DownloaderOptions);
        builder.AddAgentKit();
        builder.AddAgentKitServer();
        await using var app = builder.Build();
        app.MapAgentKit();

        // Listen for Ctrl+C before announcing the address, so a stop right after the announcement is not lost.
        using var stop = new CancelKeyScope(context.CancelKey, cancellationToken);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        foreach (var address in app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
        {
            context.Out.MarkupLine($"Listening on [bold]{Markup.Escape(address)}[/] (POST /v1/chat/completions, GET /v1/models, GET /health). Ctrl+C stops.");
        }

        // Ctrl+C (SIGINT) comes through the cancel key; SIGTERM, as a service manager sends it, through the host's
        // lifetime, which stops the application.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stop.Token, app.Lifetime.ApplicationStopping);
        try
        {
            await Task.Delay(Timeout.Infinite, stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // A clean shutdown.
        }

        context.Out.MarkupLine("Stopping.");
        await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        context.Out.MarkupLine("Stopped.");
        return ExitCodes.Success;
    }
}
