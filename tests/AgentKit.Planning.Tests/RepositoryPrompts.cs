using AgentKit.Prompts;

namespace AgentKit.Planning.Tests;

/// <summary>The repository's prompts/ folder, loaded once for all tests.</summary>
internal static class RepositoryPrompts
{
    private static readonly Lazy<PromptRegistry> Shared = new(() => new PromptRegistry(new PromptRegistryOptions { RootDirectory = Folder, WatchForChanges = false }));

    public static IPromptRegistry Registry => Shared.Value;

    public static string Folder
    {
        get
        {
            for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            {
                if (File.Exists(Path.Combine(folder.FullName, "AgentKit.sln")) && Directory.Exists(Path.Combine(folder.FullName, "prompts")))
                {
                    return Path.Combine(folder.FullName, "prompts");
                }
            }

            throw new DirectoryNotFoundException($"No repository with a prompts/ folder above {AppContext.BaseDirectory}.");
        }
    }
}
