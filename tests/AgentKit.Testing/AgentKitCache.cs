namespace AgentKit.Testing;

/// <summary>Per-user cache folders of AgentKit's tests and benchmarks.</summary>
public static class AgentKitCache
{
    /// <summary>
    /// The folder named by <paramref name="environmentVariable"/> when it is set, else <c>agentkit/{name}</c> under
    /// <c>$XDG_CACHE_HOME</c> or <c>~/.cache</c>.
    /// </summary>
    public static string Directory(string environmentVariable, string name)
    {
        var dir = Environment.GetEnvironmentVariable(environmentVariable);
        if (!string.IsNullOrWhiteSpace(dir))
        {
            return dir;
        }

        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var root = !string.IsNullOrWhiteSpace(xdg) ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "agentkit", name);
    }
}
