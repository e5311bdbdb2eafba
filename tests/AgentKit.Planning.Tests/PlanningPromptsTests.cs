using AgentKit.Prompts;

namespace AgentKit.Planning.Tests;

public sealed class PlanningPromptsTests
{
    private static readonly string[] Names =
    [
        "planning/cot", "planning/cot-few-shot", "planning/extract-answer", "planning/extract-json",
        "planning/tot-propose", "planning/tot-sample", "planning/tot-value", "planning/tot-vote",
        "planning/game24-propose", "planning/game24-sample", "planning/game24-value", "planning/game24-vote",
        "planning/react", "planning/plan", "planning/execute-step", "planning/replan", "planning/agent-guidance",
        "planning/pal", "planning/verify", "planning/critique", "planning/revise", "planning/debate", "planning/debate-judge",
        "planning/ltm-decompose", "planning/ltm-solve",
    ];

    public static TheoryData<string> PlanningPrompts => [.. Names];

    [Theory]
    [MemberData(nameof(PlanningPrompts))]
    public void PromptFile_LoadsLintsCleanAndRendersItsSample(string name)
    {
        Assert.DoesNotContain(RepositoryPrompts.Registry.Names, n => n.StartsWith("planning/", StringComparison.Ordinal) && !Names.Contains(n));
        var prompt = RepositoryPrompts.Registry.Get(name);
        Assert.Empty(PromptLinter.Lint(prompt));
        Assert.NotEmpty(prompt.Render(prompt.Sample));
    }

    [Theory]
    [InlineData("planning/tot-value")]
    [InlineData("planning/game24-value")]
    [InlineData("planning/game24-propose")]
    public void SiblingStates_RenderTheSamePrefix_WithTheStateLast(string name)
    {
        var prompt = RepositoryPrompts.Registry.Get(name);
        Dictionary<string, object?> Inputs(string state) => name.StartsWith("planning/game24", StringComparison.Ordinal)
            ? new() { ["numbers"] = state }
            : new() { ["problem"] = "p", ["steps"] = new List<string> { state } };
        var a = prompt.Render(Inputs("4 6 8"));
        var b = prompt.Render(Inputs("2 3 9"));
        Assert.Equal(a.Take(a.Count - 1).Select(m => m.Text), b.Take(b.Count - 1).Select(m => m.Text));
        Assert.NotEqual(a[^1].Text, b[^1].Text);
    }
}
