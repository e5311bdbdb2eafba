using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace AgentKit.Hosting.Tests;

/// <summary>Builds real hosts over in-memory configuration in a temporary content root.</summary>
internal sealed class TestHosts : IDisposable
{
    public TestHosts()
    {
        ContentRoot = Directory.CreateTempSubdirectory("agentkit-hosting-").FullName;
    }

    public string ContentRoot { get; }

    public HostApplicationBuilder Builder(IReadOnlyDictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = ContentRoot,
            DisableDefaults = true,
        });
        builder.Configuration.AddInMemoryCollection(settings);
        return builder;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(ContentRoot, recursive: true);
        }
        catch (IOException)
        {
            // A model file may still be mapped on some platforms; the temp folder is cleaned by the OS.
        }
    }
}
