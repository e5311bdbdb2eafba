using AgentKit.Prompts;

namespace AgentKit.Cost.Tests.Support;

/// <summary>The repository's prompt files, as copied beside the tests.</summary>
internal static class RepositoryPrompts
{
    private static readonly Lazy<PromptRegistry> Shared = new(() => new PromptRegistry(new PromptRegistryOptions
    {
        RootDirectory = PromptRegistry.FindDefaultDirectory() ?? throw new InvalidOperationException("No prompts folder beside the tests."),
        WatchForChanges = false,
    }));

    public static IPromptRegistry Registry => Shared.Value;
}
