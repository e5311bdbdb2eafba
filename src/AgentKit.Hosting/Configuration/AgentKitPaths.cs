using Microsoft.Extensions.Hosting;

namespace AgentKit.Hosting.Configuration;

/// <summary>Resolves configured paths: absolute as given, relative against the host's content root.</summary>
internal static class AgentKitPaths
{
    public static string Resolve(IHostEnvironment environment, string path) => Resolve(environment.ContentRootPath, path);

    public static string Resolve(string contentRoot, string path) =>
        Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(contentRoot, path));
}
