using AgentKit.Cli.Commands;
using AgentKit.LlamaCpp;
using AgentKit.LlamaCpp.Models;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentKit.Cli.Tests;

/// <summary>Runs agentkit in-process with captured output, scripted input and a private model cache.</summary>
internal sealed class CliHarness : IDisposable
{
    private readonly StringWriter _out = new();
    private readonly StringWriter _error = new();

    public CliHarness(Uri? hub = null, string? input = null, bool redirected = true, Func<LlamaModel, ChatEngineSettings, ILoggerFactory, IChatClient>? createChatClient = null, Action<IServiceCollection>? agentServices = null)
    {
        Cache = Directory.CreateTempSubdirectory("agentkit-cli-");
        CancelKey = new FakeCancelKey();
        Context = new CliContext
        {
            Out = CliContext.CreateConsole(_out, redirected: true),
            Error = CliContext.CreateConsole(_error, redirected: true),
            Input = new StringReader(input ?? ""),
            IsInputRedirected = input is not null && redirected,
            DownloaderOptions = new ModelDownloaderOptions
            {
                BaseAddress = hub ?? new Uri("http://127.0.0.1:9/"),
                CacheDirectory = Cache.FullName,
                Token = null,
            },
            CancelKey = CancelKey,
            CreateChatClient = createChatClient ?? ((_, _, _) => throw new InvalidOperationException("This test does not expect a chat client.")),
            ConfigureAgentServices = agentServices,
        };
    }

    public DirectoryInfo Cache { get; }

    public FakeCancelKey CancelKey { get; }

    public CliContext Context { get; }

    public string Out => _out.ToString();

    public string Error => _error.ToString();

    /// <summary>
    /// Writes a configuration file into <paramref name="folder"/>: an OpenAI-compatible model named <c>scripted</c>
    /// (tests replace it with a scripted client), storage under the folder's <c>data</c>, and <paramref name="agentsJson"/>
    /// as the <c>Agents</c> section.
    /// </summary>
    public static string WriteAgentConfig(DirectoryInfo folder, string agentsJson)
    {
        var path = Path.Combine(folder.FullName, "agentkit.json");
        var storage = Path.Combine(folder.FullName, "data").Replace("\\", "\\\\", StringComparison.Ordinal);
        File.WriteAllText(path, $$"""
            {
              "AgentKit": {
                "Models": { "scripted": { "Provider": "OpenAI", "Endpoint": "http://127.0.0.1:9/v1", "ApiKey": "unused", "Model": "scripted" } },
                "Storage": { "Directory": "{{storage}}" },
                "Prompts": { "Watch": false },
                "Agents": {{agentsJson}}
              }
            }
            """);
        return path;
    }

    public Task<int> RunAsync(params string[] args) =>
        AgentKitCli.RunAsync(args, Context, TestContext.Current.CancellationToken);

    public void Dispose()
    {
        _out.Dispose();
        _error.Dispose();
        Cache.Delete(recursive: true);
    }

    internal sealed class FakeCancelKey : ICancelKeySource
    {
        public event Func<bool>? CancelKeyPress;

        public bool HasHandlers => CancelKeyPress is not null;

        public bool Press() => CancelKeyPress?.Invoke() ?? false;
    }
}
