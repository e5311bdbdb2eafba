using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentKit.Cli.Commands;

/// <summary>
/// The generic host the agent commands (<c>chat --agent</c>, <c>mcp serve</c>) run on: <c>AddAgentKit()</c> over
/// <c>appsettings.json</c> in the working folder, then <c>--config</c>, then <c>AgentKit__…</c> environment variables,
/// as <c>agentkit serve</c> reads them; logs go to stderr.
/// </summary>
internal static class AgentKitHost
{
    public static Option<FileInfo?> ConfigOption() =>
        new("--config") { Description = "A JSON configuration file with an AgentKit section (added after appsettings.json in the working folder)." };

    /// <summary>Builds and starts the host.</summary>
    /// <param name="context">The CLI context; its <see cref="CliContext.ConfigureAgentServices"/> runs last.</param>
    /// <param name="config">The <c>--config</c> file, if any.</param>
    /// <param name="services">The command's own registrations (an approval handler), made after AddAgentKit's.</param>
    /// <param name="cancellationToken">Stops the start.</param>
    /// <param name="decorate">Runs after every other registration, the context's included (<c>agentkit eval</c> wraps the models the agents got).</param>
    /// <exception cref="CommandInputException">The configuration file does not exist.</exception>
    public static async Task<IHost> StartAsync(CliContext context, FileInfo? config, Action<IServiceCollection>? services, CancellationToken cancellationToken, Action<IServiceCollection>? decorate = null)
    {
        if (config is { Exists: false })
        {
            throw new CommandInputException($"The configuration file '{config.FullName}' does not exist.");
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = Directory.GetCurrentDirectory(), Args = [] });
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new ConsoleLoggerProvider(context.Error));

        // A chat shows model loading progress but not the prompt registry's start-up summary.
        builder.Logging.AddFilter<ConsoleLoggerProvider>("AgentKit.Prompts", LogLevel.Warning);
        if (config is not null)
        {
            builder.Configuration.AddJsonFile(config.FullName, optional: false);
        }

        builder.Services.AddSingleton(context.DownloaderOptions);
        builder.AddAgentKit();
        services?.Invoke(builder.Services);
        context.ConfigureAgentServices?.Invoke(builder.Services);
        decorate?.Invoke(builder.Services);
        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }
}
