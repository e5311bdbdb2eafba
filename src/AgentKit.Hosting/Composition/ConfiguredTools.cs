using AgentKit.Abstractions.Tools;
using AgentKit.Agents;
using AgentKit.Agents.Mcp;
using AgentKit.Hosting.Configuration;
using AgentKit.Sandbox;
using AgentKit.Sandbox.Making;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Client;

namespace AgentKit.Hosting.Composition;

/// <summary>Registers the tool sources named by <c>AgentKit:Tools</c> and the agents' knowledge and memory.</summary>
internal static class ConfiguredTools
{
    public static void Add(IHostApplicationBuilder builder, AgentKitOptions options)
    {
        var services = builder.Services;
        var tools = options.Tools;
        var usesKnowledge = tools.Plugins.Contains(BuiltInPlugins.Knowledge, StringComparer.OrdinalIgnoreCase) || options.Agents.Values.Any(a => a.Knowledge.Count > 0);
        if (usesKnowledge)
        {
            services.AddSingleton<IToolSource>(sp => new StaticToolSource([KnowledgeTool.Create(sp)]));
        }

        var usesMemory = tools.Plugins.Contains(BuiltInPlugins.Memory, StringComparer.OrdinalIgnoreCase) || options.Agents.Values.Any(a => a.Memory is { Enabled: true });
        if (usesMemory)
        {
            AddMemory(builder);
            if (tools.Plugins.Contains(BuiltInPlugins.Memory, StringComparer.OrdinalIgnoreCase))
            {
                services.AddAgentKitMemoryTools();
            }
        }

        if (tools.Plugins.Contains(BuiltInPlugins.Code, StringComparer.OrdinalIgnoreCase))
        {
            services.AddAgentKitSandbox(builder.Configuration);
            services.AddSingleton<IToolSource>(sp => new StaticToolSource([RunCodeTool.Create(sp.GetRequiredService<IJavaScriptSandbox>())]));
        }

        if (tools.Plugins.Contains(BuiltInPlugins.ToolMaking, StringComparer.OrdinalIgnoreCase))
        {
            AddToolMaking(builder, options);
        }

        if (tools.Plugins.Contains(BuiltInPlugins.Graph, StringComparer.OrdinalIgnoreCase))
        {
            // Without AgentKit:Graph the validator names the missing section at start.
            services.AddSingleton<IToolSource>(sp => new StaticToolSource([sp.GetRequiredService<AgentKit.Graph.GraphGlobalSearch>().AsAIFunction()]));
        }

        foreach (var typeName in tools.PluginTypes)
        {
            // An unknown type is reported by the validator at start, naming its key.
            if (ResolveType(typeName) is { } type)
            {
                services.AddAgentKitPlugin(type);
            }
        }

        foreach (var (name, server) in tools.McpServers)
        {
            services.AddSingleton<IToolSource>(sp => CreateMcpSource(sp, name, server));
        }
    }

    /// <summary>The type named by a <c>PluginTypes</c> entry: assembly-qualified, or a full name in a loaded assembly.</summary>
    public static Type? ResolveType(string name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        try
        {
            return Type.GetType(name.Trim(), throwOnError: false)
                ?? AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(name.Trim(), throwOnError: false)).FirstOrDefault(t => t is not null);
        }
        catch (Exception e) when (e is IOException or BadImageFormatException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>The program an MCP server's <c>Command</c> starts: a path against the content root, or a name on <c>PATH</c>; null when neither exists.</summary>
    public static string? ResolveCommand(IHostEnvironment environment, string command)
    {
        if (command.Contains('/', StringComparison.Ordinal) || command.Contains('\\', StringComparison.Ordinal) || Path.IsPathRooted(command))
        {
            var path = AgentKitPaths.Resolve(environment, command);
            return File.Exists(path) ? path : null;
        }

        var extensions = OperatingSystem.IsWindows() ? (Environment.GetEnvironmentVariable("PATHEXT") ?? ".EXE").Split(';').Prepend(string.Empty) : [string.Empty];
        return (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(folder => extensions.Select(extension => Path.Combine(folder, command + extension)))
            .FirstOrDefault(File.Exists);
    }

    private static NamedMcpToolSource CreateMcpSource(IServiceProvider services, string name, McpServerOptions server)
    {
        var environment = services.GetRequiredService<IHostEnvironment>();
        var loggers = services.GetService<ILoggerFactory>();
        var timeout = services.GetRequiredService<IOptions<AgentKitOptions>>().Value.Tools.StartTimeout;
        IClientTransport transport = server.Url is { } url
            ? new HttpClientTransport(new HttpClientTransportOptions { Name = name, Endpoint = url, AdditionalHeaders = server.Headers }, loggers ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance)
            : new StdioClientTransport(new StdioClientTransportOptions
            {
                Name = name,
                Command = ResolveCommand(environment, server.Command!) ?? server.Command!,
                Arguments = [.. server.Arguments],
                EnvironmentVariables = server.Environment,
                WorkingDirectory = AgentKitPaths.Resolve(environment, server.WorkingDirectory ?? "."),
            }, loggers);
        return new NamedMcpToolSource($"{AgentKitOptions.SectionName}:Tools:McpServers:{name}", new McpToolSource(transport, loggers), timeout);
    }

    private static void AddToolMaking(IHostApplicationBuilder builder, AgentKitOptions options)
    {
        // Beside the sessions file unless AgentKit:Tools:Making:Path names one (relative to the content root).
        var storage = AgentKitPaths.Resolve(builder.Environment.ContentRootPath, options.Storage.Directory);
        var configured = builder.Configuration[$"{ToolMakingOptions.SectionName}:Path"];
        builder.Services.AddAgentKitToolMaking(builder.Configuration, making => making.Path = string.IsNullOrWhiteSpace(configured)
            ? Path.Combine(storage, "made-tools.db")
            : AgentKitPaths.Resolve(builder.Environment.ContentRootPath, configured));
        builder.Services.AddSingleton<IToolSource>(sp => new StaticToolSource(ToolMakingTools.Create(sp.GetRequiredService<ToolMaker>(), () => AgentRunContext.Current?.AgentName)));
    }

    private static void AddMemory(IHostApplicationBuilder builder)
    {
        // The memories live in the configured vector store (AgentKit:VectorStore), beside the knowledge bases.
        var section = builder.Configuration.GetSection($"{AgentKitOptions.SectionName}:Memory");
        builder.Services.AddAgentKitMemory(memory => section.Bind(memory));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AgentKit.Memory.MemoryOptions>, MemoryModelsValidator>());
    }
}
