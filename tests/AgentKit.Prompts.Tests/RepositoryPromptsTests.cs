using AgentKit.Abstractions.Prompts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AgentKit.Prompts.Tests;

/// <summary>The prompts the framework ships, in the repository's prompts/ folder.</summary>
public sealed class RepositoryPromptsTests
{
    private static string RepositoryPrompts()
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

    [Fact]
    public void EveryPromptFile_LoadsWithoutErrorsAndRendersItsSample()
    {
        using var registry = new PromptRegistry(new PromptRegistryOptions { RootDirectory = RepositoryPrompts(), WatchForChanges = false });

        Assert.Empty(registry.LoadErrors.Select(e => e.Message));
        Assert.Contains("agents/summarize-history", registry.Names);
        foreach (var name in registry.Names)
        {
            var prompt = registry.Get(name);
            Assert.True(prompt.Sample.Count > 0, $"{prompt.FilePath} has no sample inputs");
            Assert.NotEmpty(prompt.Render(prompt.Sample));
            Assert.Empty(PromptLinter.Lint(prompt));
        }
    }

    [Fact]
    public void SummarizeHistory_RendersTheTurnsAndTheWordLimit()
    {
        using var registry = new PromptRegistry(new PromptRegistryOptions { RootDirectory = RepositoryPrompts(), WatchForChanges = false });
        var prompt = registry.Get("agents/summarize-history");
        var turns = new[]
        {
            new Dictionary<string, object?> { ["role"] = "user", ["text"] = "Order 7 is late." },
            new Dictionary<string, object?> { ["role"] = "assistant", ["text"] = "It ships Monday." },
        };

        var messages = prompt.Render(new Dictionary<string, object?> { ["messages"] = turns, ["max_words"] = 40, ["previous_summary"] = "The user is Ann." });

        Assert.Equal([ChatRole.System, ChatRole.User], messages.Select(m => m.Role));
        Assert.Contains("at most 40 words", messages[0].Text, StringComparison.Ordinal);
        Assert.Contains("The user is Ann.", messages[0].Text, StringComparison.Ordinal);
        Assert.Contains("[user] Order 7 is late.\n", messages[1].Text, StringComparison.Ordinal);
        Assert.EndsWith("[assistant] It ships Monday.", messages[1].Text, StringComparison.Ordinal);
        Assert.DoesNotContain("earlier turns", prompt.Render(new Dictionary<string, object?> { ["messages"] = turns })[0].Text, StringComparison.Ordinal);
        Assert.Contains("at most 150 words", prompt.Render(new Dictionary<string, object?> { ["messages"] = turns })[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void ToolPromptSource_ServesTheEngineToolPromptsFromTheRegistry()
    {
        using var provider = new ServiceCollection()
            .AddAgentKitPrompts(o =>
            {
                o.RootDirectory = RepositoryPrompts();
                o.WatchForChanges = false;
            })
            .BuildServiceProvider();
        var source = provider.GetRequiredService<IToolPromptSource>();
        var tool = new Dictionary<string, object?>
        {
            ["name"] = "get_order",
            ["name_json"] = "\"get_order\"",
            ["description"] = "Looks up an order.",
            ["description_json"] = "\"Looks up an order.\"",
            ["parameters_json"] = """{"type":"object"}""",
        };

        var list = source.Render("llama/tools/hermes", new Dictionary<string, object?> { ["tools"] = new[] { tool }, ["tool_choice"] = "required" });
        var result = source.Render("llama/tools/hermes-result", new Dictionary<string, object?> { ["name"] = "get_order", ["call_id"] = "c1", ["result"] = """{"id":1}""" });

        Assert.StartsWith("# Tools", list, StringComparison.Ordinal);
        Assert.Contains("""{"type": "function", "function": {"name": "get_order", "description": "Looks up an order.", "parameters": {"type":"object"}}}""", list, StringComparison.Ordinal);
        Assert.Contains("You must call at least one function", list, StringComparison.Ordinal);
        Assert.Equal("<tool_response>\n{\"id\":1}\n</tool_response>", result);
    }
}
