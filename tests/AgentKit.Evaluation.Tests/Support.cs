using AgentKit.Evaluation.Datasets;
using AgentKit.Prompts;

namespace AgentKit.Evaluation.Tests;

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

/// <summary>Datasets written from lines in a test.</summary>
internal static class Datasets
{
    public static EvalDataset Of(params string[] lines) => EvalDataset.Parse(new StringReader(string.Join("\n", lines)), "test.jsonl");

    public static EvalCase Case(string line) => Of(line).Cases.Single();
}

/// <summary>A temp folder removed at the end of the test.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("agentkit-eval-").FullName;

    public string File(string name) => Path.Combine(Root, name);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open; the temp folder is cleaned by the OS eventually.
        }
    }
}
