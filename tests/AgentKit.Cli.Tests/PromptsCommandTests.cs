namespace AgentKit.Cli.Tests;

public sealed class PromptsCommandTests
{
    private const string Greeting = """
        ---
        inputs:
          who: { type: string, required: true }
          count: { type: integer, default: 1 }
          tags: { type: array }
        sample:
          who: Ann
          tags: [a]
        ---
        system:
        Greet {{ count }} time(s).
        user:
        Hello {{ who }}{% for t in tags %} #{{ t }}{% endfor %}
        """;

    private static string Write(CliHarness cli, string name, string text)
    {
        var path = Path.Combine(cli.Cache.FullName, "prompts", name + ".prompty");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private static string Dir(CliHarness cli) => Path.Combine(cli.Cache.FullName, "prompts");

    [Fact]
    public async Task Lint_CleanFolder_ExitsZeroWithASummary()
    {
        using var cli = new CliHarness();
        Write(cli, "team/greet", Greeting);

        var exit = await cli.RunAsync("prompts", "lint", "--dir", Dir(cli));

        Assert.True(exit == 0, cli.Out + cli.Error);
        Assert.Contains("1 prompt files in", cli.Out, StringComparison.Ordinal);
        Assert.Contains("0 errors, 0 warnings.", cli.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lint_ReportsUndeclaredAndUnusedInputsAndBrokenFilesWithLines()
    {
        using var cli = new CliHarness();
        var undeclared = Write(cli, "undeclared", "---\ninputs:\n  a: { type: string }\n  unused: { type: string }\n---\nuser:\n{{ a }} {{ b }}");
        var broken = Write(cli, "broken", "---\nname: [\n---\nuser:\nhi");
        Write(cli, "good", Greeting);

        var exit = await cli.RunAsync("prompts", "lint", "--dir", Dir(cli));

        Assert.Equal(1, exit);
        Assert.Contains($"{undeclared}:7: error: the template reads 'b', which is not a declared input", cli.Out, StringComparison.Ordinal);
        Assert.Contains($"{undeclared}:4: warning: the input 'unused' is declared but the template never reads it.", cli.Out, StringComparison.Ordinal);
        Assert.Contains($"{broken}:", cli.Out, StringComparison.Ordinal);
        Assert.Contains("not valid YAML", cli.Out, StringComparison.Ordinal);
        Assert.Contains("3 prompt files", cli.Out, StringComparison.Ordinal);
        Assert.Contains("2 errors, 1 warnings.", cli.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lint_SampleThatDoesNotRender_IsAnError()
    {
        using var cli = new CliHarness();
        var path = Write(cli, "s", "---\ninputs:\n  n: { type: integer }\nsample:\n  n: lots\n---\nuser:\n{{ n }}");

        var exit = await cli.RunAsync("prompts", "lint", "--dir", Dir(cli));

        Assert.Equal(1, exit);
        Assert.Contains(path + ":5: error:", cli.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_PrintsMessagesByRoleWithJsonAndTextInputs()
    {
        using var cli = new CliHarness();
        Write(cli, "team/greet", Greeting);

        var exit = await cli.RunAsync("prompts", "render", "team/greet", "--input", "who=42", "--input", "count=3", "-i", "tags=[\"x\",\"y\"]", "--dir", Dir(cli));

        Assert.True(exit == 0, cli.Error);
        Assert.Equal("system:\nGreet 3 time(s).\n\nuser:\nHello 42 #x #y\n", cli.Out);
    }

    [Fact]
    public async Task Render_Sample_UsesTheFilesSampleInputs()
    {
        using var cli = new CliHarness();
        Write(cli, "greet", Greeting);

        var exit = await cli.RunAsync("prompts", "render", "greet", "--sample", "--dir", Dir(cli));

        Assert.True(exit == 0, cli.Error);
        Assert.EndsWith("user:\nHello Ann #a\n", cli.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_MissingRequiredInput_IsOneRedLineNamingFileLineAndInput()
    {
        using var cli = new CliHarness();
        var path = Write(cli, "greet", Greeting);

        var exit = await cli.RunAsync("prompts", "render", "greet", "--dir", Dir(cli));

        Assert.Equal(1, exit);
        Assert.Contains($"{path}:3: input 'who': missing required input", cli.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", cli.Error, StringComparison.Ordinal);
        Assert.Empty(cli.Out);
    }

    [Fact]
    public async Task Render_TypeMismatch_IsAnError()
    {
        using var cli = new CliHarness();
        Write(cli, "greet", Greeting);

        var exit = await cli.RunAsync("prompts", "render", "greet", "-i", "who=Ann", "-i", "count=many", "--dir", Dir(cli));

        Assert.Equal(1, exit);
        Assert.Contains("input 'count': type mismatch: the value is a string, not an integer", cli.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_UnknownName_SuggestsCloseMatches_AndBrokenFileSaysWhy()
    {
        using var cli = new CliHarness();
        Write(cli, "team/greet", Greeting);
        var broken = Write(cli, "team/broken", "---\nname: x\n---\nuser:\n{% if %}");

        Assert.Equal(1, await cli.RunAsync("prompts", "render", "team/gret", "--dir", Dir(cli)));
        Assert.Contains("No prompt named 'team/gret'", cli.Error, StringComparison.Ordinal);

        Assert.Equal(1, await cli.RunAsync("prompts", "render", "team/broken", "--dir", Dir(cli)));
        Assert.Contains($"{broken}:5: Liquid syntax error", cli.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_BuiltInSummarizeHistory_FromTheDefaultFolderBesideTheApp()
    {
        using var cli = new CliHarness();

        var exit = await cli.RunAsync("prompts", "render", "agents/summarize-history", "--sample");

        Assert.True(exit == 0, cli.Error);
        Assert.Contains("[user] My order 1042 has not arrived.", cli.Out, StringComparison.Ordinal);
    }
}
