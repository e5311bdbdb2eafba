using AgentKit.Prompts;

namespace AgentKit.Hostile.Tests.Prompts;

/// <summary>
/// Prompt files with broken YAML front matter or broken Liquid (the files under corpus/prompts, and generated ones
/// for sizes and depths): loading (or, for mistakes only rendering can see, rendering) raises a
/// <see cref="PromptException"/> naming the file, the line and the problem; nothing else escapes and nothing hangs.
/// </summary>
public sealed class PromptFileHostileTests(ITestOutputHelper output)
{
    private static string Corpus(string name) => Path.Combine(AppContext.BaseDirectory, "corpus", "prompts", name);

    public static TheoryData<string, string, int> BrokenFiles => new()
    {
        // file, words the problem must contain, line (0: not checked)
        { "unclosed-front-matter.prompty", "never closed", 1 },
        { "yaml-unclosed-flow.prompty", "unclosed '['", 3 },
        { "yaml-tab-indent.prompty", "not valid YAML", 0 },
        { "yaml-unsupported-event.prompty", "check the indentation", 0 },
        { "yaml-not-a-map.prompty", "must be a YAML map", 2 },
        { "yaml-duplicate-key.prompty", "name", 3 },
        { "yaml-unknown-key.prompty", "nmae", 3 },
        { "yaml-wrong-type.prompty", "temperature", 5 },
        { "yaml-alias-bomb.prompty", "alias '*l0'", 5 },
        { "liquid-unclosed-if.prompty", "", 0 },
        { "liquid-unclosed-output.prompty", "", 0 },
        { "liquid-unknown-tag.prompty", "frobnicate", 0 },
        { "liquid-unknown-filter.prompty", "no_such_filter", 0 },
        { "liquid-undeclared-variable.prompty", "never_declared", 0 },
        { "invalid-utf8.prompty", "not valid UTF-8: byte 0xE9 at byte offset 13", 2 },
    };

    [Theory]
    [MemberData(nameof(BrokenFiles))]
    public async Task BrokenFile_IsPromptException_NamingFileLineAndProblem(string file, string problem, int line)
    {
        var path = Corpus(file);
        var error = await Bounded.ThrowsAsync<PromptException>(() => LoadAndRender(path), file, TimeSpan.FromSeconds(10));
        output.WriteLine(error.Message);

        Assert.Equal(path, error.FilePath);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Problem, StringComparison.OrdinalIgnoreCase);
        if (line > 0)
        {
            Assert.Equal(line, error.Line);
        }
    }

    /// <summary>Loads the file and renders it with an empty string for each declared input (sample-free).</summary>
    private static void LoadAndRender(string path)
    {
        var template = PromptTemplate.Load(path, Path.GetFileNameWithoutExtension(path));
        var inputs = template.Inputs.Keys.ToDictionary(k => k, k => (object?)(template.Inputs[k].Type == PromptInputType.Boolean ? true : "x"));
        template.Render(inputs);
    }

    [Fact]
    public async Task OversizedFile_IsRefusedNamingTheLimit()
    {
        var path = Path.Combine(Path.GetTempPath(), $"agentkit-hostile-{Guid.NewGuid():N}.prompty");
        try
        {
            File.WriteAllText(path, "---\nname: Big\n---\nsystem:\n" + new string('x', PromptTemplate.DefaultMaxFileBytes));
            var error = await Bounded.ThrowsAsync<PromptException>(() => PromptTemplate.Load(path, "big"), "oversized prompt file");

            Assert.Contains($"{PromptTemplate.DefaultMaxFileBytes}-byte limit", error.Problem, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("yaml-flow", 100_000)]
    [InlineData("yaml-block", 2_000)]
    [InlineData("liquid-if", 5_000)]
    [InlineData("liquid-for", 5_000)]
    [InlineData("liquid-tag", 5_000)]
    [InlineData("liquid-or-chain", 20_000)]
    [InlineData("liquid-filter-chain", 20_000)]
    public async Task DeepNesting_IsPromptExceptionOrParses_NeverOverflowsTheStack(string kind, int depth)
    {
        var text = kind switch
        {
            "yaml-flow" => $"---\nname: Deep\nsample:\n  x: {new string('[', depth)}{new string(']', depth)}\n---\nsystem:\nHi.\n",
            "yaml-block" => "---\nname: Deep\nsample:\n" + string.Concat(Enumerable.Range(1, depth).Select(i => new string(' ', 2 * i) + "k:\n")) + "---\nsystem:\nHi.\n",
            "liquid-if" => "---\nname: Deep\n---\nsystem:\n" + string.Concat(Enumerable.Repeat("{% if true %}", depth)) + "x" + string.Concat(Enumerable.Repeat("{% endif %}", depth)) + "\n",
            "liquid-for" => "---\nname: Deep\n---\nsystem:\n" + string.Concat(Enumerable.Repeat("{% for i in (1..1) %}", depth)) + "x" + string.Concat(Enumerable.Repeat("{% endfor %}", depth)) + "\n",
            "liquid-tag" => "---\nname: Deep\n---\nsystem:\n{% liquid\n" + string.Concat(Enumerable.Repeat("if true\n", depth)) + "echo 'x'\n" + string.Concat(Enumerable.Repeat("endif\n", depth)) + "%}\n",
            "liquid-or-chain" => "---\nname: Deep\n---\nsystem:\n{% if false" + string.Concat(Enumerable.Repeat(" or false", depth)) + " %}x{% endif %}\n",
            _ => "---\nname: Deep\n---\nsystem:\n{{ 'x'" + string.Concat(Enumerable.Repeat(" | upcase", depth)) + " }}\n",
        };

        var error = await Bounded.CatchAsync(() => PromptTemplate.Parse(text, "deep", "/hostile/deep.prompty").Render(new Dictionary<string, object?>()), $"{kind} nested {depth} deep");

        output.WriteLine(error?.Message ?? "parsed");
        Assert.True(error is null or PromptException, $"{error}");
        if (error is PromptException prompt)
        {
            Assert.Equal("/hostile/deep.prompty", prompt.FilePath);
        }

        if (kind == "yaml-flow")
        {
            Assert.Contains("more than 64 levels deep", Assert.IsType<PromptException>(error).Problem, StringComparison.Ordinal);
        }

        if (kind is "liquid-if" or "liquid-for" or "liquid-tag")
        {
            Assert.Contains($"nested more than {LiquidLimit} deep", Assert.IsType<PromptException>(error).Problem, StringComparison.Ordinal);
        }

        if (kind is "liquid-or-chain" or "liquid-filter-chain")
        {
            Assert.Contains($"chains more than {LiquidLimit} filters or and/or operators", Assert.IsType<PromptException>(error).Problem, StringComparison.Ordinal);
        }
    }

    /// <summary>AgentKit.Prompts' limit (internal there) on block nesting and on filter and and/or chains, checked before Fluid parses.</summary>
    private const int LiquidLimit = 64;

    [Fact]
    public void NestingAtTheLimit_Parses_AndRenders()
    {
        var text = "---\nname: Deep\n---\nsystem:\n" + string.Concat(Enumerable.Repeat("{% if true %}", LiquidLimit)) + "{% raw %}{% if %}{% if %}{% endraw %}{{ 'x'" + string.Concat(Enumerable.Repeat(" | downcase", LiquidLimit)) + " }}"
            + string.Concat(Enumerable.Repeat("{% endif %}", LiquidLimit)) + "\n";

        var message = Assert.Single(PromptTemplate.Parse(text, "deep", "/hostile/deep.prompty").Render(new Dictionary<string, object?>()));

        Assert.Equal("{% if %}{% if %}x", message.Text);
    }

    [Fact]
    public async Task InvalidUtf8Text_PassedAsString_IsNotACrash()
    {
        // Text already decoded with replacement characters (U+FFFD) and lone surrogates parses or fails cleanly.
        var text = "---\nname: Odd \uFFFD\n---\nsystem:\nHello \uD800 world.\n";

        var error = await Bounded.CatchAsync(() => PromptTemplate.Parse(text, "odd", "/hostile/odd.prompty").Render(new Dictionary<string, object?>()), "lone surrogate");

        Assert.True(error is null or PromptException, $"{error}");
    }
}
