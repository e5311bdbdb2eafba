using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentKit.Prompts.Tests;

public sealed class PromptRegistryTests
{
    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(15);

    private const string Hello = "---\ninputs:\n  who: { type: string, default: world }\n---\nuser:\nHello {{ who }}";

    private static PromptRegistry Open(PromptFolder folder, bool watch = false, ListLogger<PromptRegistry>? logger = null) =>
        new(new PromptRegistryOptions { RootDirectory = folder.Root, WatchForChanges = watch, ReloadDelay = TimeSpan.FromMilliseconds(50) }, logger);

    private static string Text(PromptTemplate prompt) => prompt.Render(new Dictionary<string, object?>())[0].Text;

    [Fact]
    public void Load_NestedFiles_AreKeyedByRelativePathWithForwardSlashes()
    {
        using var folder = new PromptFolder();
        folder.Write("planning/tot-propose", Hello);
        folder.Write("agents/deep/summarize", Hello);
        folder.Write("top", Hello);
        File.WriteAllText(Path.Combine(folder.Root, "notes.txt"), "not a prompt");

        using var registry = Open(folder);

        Assert.Equal(["agents/deep/summarize", "planning/tot-propose", "top"], registry.Names.Order(StringComparer.Ordinal));
        Assert.Equal("planning/tot-propose", registry.Get("planning/tot-propose").Name);
        Assert.Equal(folder.PathOf("planning/tot-propose"), registry.Get("planning/tot-propose").FilePath);
        Assert.Empty(registry.LoadErrors);
    }

    [Fact]
    public void Load_BrokenFiles_AreCollectedAndTheOthersStillLoad()
    {
        using var folder = new PromptFolder();
        var logger = new ListLogger<PromptRegistry>();
        folder.Write("good", Hello);
        var badYaml = folder.Write("bad-yaml", "---\ninputs: [\n---\nhi");
        var badLiquid = folder.Write("sub/bad-liquid", "---\nname: x\n---\nuser:\n{% for x in %}");

        using var registry = Open(folder, logger: logger);

        Assert.Equal(["good"], registry.Names);
        Assert.Equal([badYaml, badLiquid], registry.LoadErrors.Select(e => e.FilePath).Order(StringComparer.Ordinal));
        Assert.Equal(5, registry.LoadErrors.Single(e => e.FilePath == badLiquid).Line);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Error && e.Message.Contains(badLiquid + ":5", StringComparison.Ordinal));
    }

    [Fact]
    public void Get_UnknownName_NamesTheFolderAndCloseMatches()
    {
        using var folder = new PromptFolder();
        folder.Write("planning/tot-propose", Hello);
        folder.Write("planning/tot-evaluate", Hello);
        folder.Write("memory/reflect", Hello);
        using var registry = Open(folder);

        var e = Assert.Throws<PromptNotFoundException>(() => registry.Get("planning/tot-propse"));

        Assert.Equal("planning/tot-propose", e.CloseMatches[0]);
        Assert.DoesNotContain("memory/reflect", e.CloseMatches);
        Assert.Contains(registry.RootDirectory, e.Message, StringComparison.Ordinal);
        Assert.Contains("Did you mean 'planning/tot-propose'", e.Message, StringComparison.Ordinal);
        Assert.False(registry.TryGet("nope", out var none));
        Assert.Null(none);
        Assert.Equal(["memory/reflect"], Assert.Throws<PromptNotFoundException>(() => registry.Get("reflect")).CloseMatches);
    }

    [Fact]
    public void Open_MissingFolder_IsAPromptException()
    {
        var e = Assert.Throws<PromptException>(() => new PromptRegistry(new PromptRegistryOptions { RootDirectory = "/nonexistent/agentkit/prompts" }));

        Assert.Contains("/nonexistent/agentkit/prompts", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reload_WithoutWatching_PicksUpEditsNewFilesAndDeletions()
    {
        using var folder = new PromptFolder();
        folder.Write("a", Hello);
        var b = folder.Write("b", Hello);
        using var registry = Open(folder);
        var changes = new List<PromptsChangedEventArgs>();
        registry.Changed += (_, e) => changes.Add(e);

        folder.Write("a", Hello.Replace("Hello", "Bye", StringComparison.Ordinal));
        folder.Write("c", Hello);
        File.Delete(b);
        registry.Reload();

        Assert.Equal("Bye world", Text(registry.Get("a")));
        Assert.Equal(["a", "c"], registry.Names.Order(StringComparer.Ordinal));
        var change = Assert.Single(changes);
        Assert.Equal(["b"], change.Removed);
        Assert.Contains("c", change.Updated);
    }

    [Fact]
    public async Task Watch_EditedFile_IsSwappedIn()
    {
        using var folder = new PromptFolder();
        folder.Write("greet", Hello);
        using var registry = Open(folder, watch: true);
        var before = registry.Get("greet");

        var changed = NextChange(registry, e => e.Updated.Contains("greet"));
        folder.Write("greet", Hello.Replace("Hello", "Good morning", StringComparison.Ordinal));
        await changed.WaitAsync(EventTimeout, TestContext.Current.CancellationToken);

        Assert.Equal("Good morning world", Text(registry.Get("greet")));
        Assert.Equal("Hello world", Text(before));
    }

    [Fact]
    public async Task Watch_BrokenEdit_KeepsTheLastGoodVersionAndLogsFileAndLine()
    {
        using var folder = new PromptFolder();
        var logger = new ListLogger<PromptRegistry>();
        var path = folder.Write("greet", Hello);
        using var registry = Open(folder, watch: true, logger: logger);

        var failed = NextChange(registry, e => e.Failed.Count > 0);
        folder.Write("greet", "---\ninputs:\n  who: { type: string }\n---\nuser:\nHello {{ who }\n");
        var change = await failed.WaitAsync(EventTimeout, TestContext.Current.CancellationToken);

        Assert.Equal("Hello world", Text(registry.Get("greet")));
        var error = Assert.Single(change.Failed);
        Assert.Equal(path, error.FilePath);
        Assert.Equal(6, error.Line);
        Assert.Equal(path, Assert.Single(registry.LoadErrors).FilePath);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Error
            && e.Message.Contains(path + ":6", StringComparison.Ordinal)
            && e.Message.Contains("keeping the last good version of 'greet'", StringComparison.Ordinal));

        var fixedUp = NextChange(registry, e => e.Updated.Contains("greet"));
        folder.Write("greet", Hello.Replace("Hello", "Fixed", StringComparison.Ordinal));
        await fixedUp.WaitAsync(EventTimeout, TestContext.Current.CancellationToken);

        Assert.Equal("Fixed world", Text(registry.Get("greet")));
        Assert.Empty(registry.LoadErrors);
    }

    [Fact]
    public async Task Watch_NewAndDeletedFiles_AreAddedAndRemoved()
    {
        using var folder = new PromptFolder();
        var old = folder.Write("old", Hello);
        using var registry = Open(folder, watch: true);

        var added = NextChange(registry, e => e.Updated.Contains("team/new"));
        folder.Write("team/new", Hello);
        await added.WaitAsync(EventTimeout, TestContext.Current.CancellationToken);
        Assert.True(registry.TryGet("team/new", out _));

        var removed = NextChange(registry, e => e.Removed.Contains("old"));
        File.Delete(old);
        await removed.WaitAsync(EventTimeout, TestContext.Current.CancellationToken);
        Assert.False(registry.TryGet("old", out _));
        Assert.Throws<PromptNotFoundException>(() => registry.Get("old"));
    }

    [Fact]
    public void AddAgentKitPrompts_RegistersTheRegistrySingleton()
    {
        using var folder = new PromptFolder();
        folder.Write("x", Hello);
        var services = new ServiceCollection().AddAgentKitPrompts(o =>
        {
            o.RootDirectory = folder.Root;
            o.WatchForChanges = false;
        });
        using var provider = services.BuildServiceProvider();

        var registry = provider.GetRequiredService<IPromptRegistry>();

        Assert.Same(registry, provider.GetRequiredService<IPromptRegistry>());
        Assert.Same(registry, provider.GetRequiredService<PromptRegistry>());
        Assert.Equal(["x"], registry.Names);
    }

    [Fact]
    public void Options_OutOfRangeValues_AreRefusedWhenSet()
    {
        var options = new PromptRegistryOptions();

        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxFileBytes = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.ReloadDelay = TimeSpan.FromMilliseconds(-1));
        Assert.True(options.WatchForChanges);
        Assert.Equal(PromptTemplate.DefaultMaxFileBytes, options.MaxFileBytes);
    }

    [Fact]
    public void MaxFileBytes_AppliesToEveryFile()
    {
        using var folder = new PromptFolder();
        folder.Write("small", Hello);
        folder.Write("large", Hello + new string(' ', 2000));

        using var registry = new PromptRegistry(new PromptRegistryOptions { RootDirectory = folder.Root, WatchForChanges = false, MaxFileBytes = 1000 });

        Assert.Equal(["small"], registry.Names);
        Assert.Contains("over the 1000-byte limit", Assert.Single(registry.LoadErrors).Message, StringComparison.Ordinal);
    }

    private static Task<PromptsChangedEventArgs> NextChange(PromptRegistry registry, Func<PromptsChangedEventArgs, bool> match)
    {
        var done = new TaskCompletionSource<PromptsChangedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        registry.Changed += (_, e) =>
        {
            if (match(e))
            {
                done.TrySetResult(e);
            }
        };
        return done.Task;
    }
}
