using System.Text;
using AgentKit.Evaluation.Datasets;
using AgentKit.Evaluation.Optimization;
using AgentKit.Evaluation.Running;
using AgentKit.Prompts;
using AgentKit.Testing;
using Microsoft.Extensions.AI;

namespace AgentKit.Evaluation.Tests;

/// <summary>
/// Prompt optimisation against a scripted model that labels sentiment correctly but writes the required
/// <c>LABEL: x</c> format only when the prompt shows it how: an instruction naming the format, a demonstration
/// reply in that format, or (unprompted) a text ending in '!'.
/// </summary>
public sealed class OptimizerTests : IDisposable
{
    private const string Prompt = """
        ---
        name: Sentiment
        version: 1.0.0
        # inputs below are a block, as --optimize needs to add one
        inputs:
          text:
            type: string
            required: true
        sample:
          text: I love it
        ---
        system:
        Classify the sentiment of the text.

        user:
        {{ text }}
        """;

    private static readonly string[] TrainTexts = ["I love it!", "This is awful!", "great stuff"];
    private static readonly string[] ValidationTexts = ["I love the colour", "broken on arrival", "great value", "meh"];

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Optimize_DemonstrationsFixTheFormat_PicksFewestShots_WritesALintCleanNewVersion_AndNeverShowsValidationCases()
    {
        var (prompt, path) = WritePrompt();
        var originalBytes = File.ReadAllBytes(path);
        var model = ScriptedSentimentModel();

        var report = await new PromptOptimizer(model, new PromptOptimizerOptions { MaxShots = 2 })
            .OptimizeAsync(prompt, SentimentCases(), "scripted", cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(0.0, report.Baseline.ValidationPassRate);
        Assert.Equal(1.0, report.Best.ValidationPassRate);
        Assert.Equal(1, report.Best.Shots);
        Assert.Equal("original+1", report.Best.Id);
        Assert.True(report.Improved);

        // Only the training cases the prompt passed became demonstrations ("great stuff" has no '!').
        Assert.Equal(["t1", "t2"], report.Demonstrations.Select(d => d.CaseId));
        Assert.Equal("LABEL: positive", report.Demonstrations[0].Output);
        Assert.Equal(["t1", "t2", "t3"], report.TrainCases);
        Assert.Equal(["v1", "v2", "v3", "v4"], report.ValidationCases);
        Assert.All(report.Candidates, c => Assert.All(c.ExampleCases, id => Assert.StartsWith("t", id, StringComparison.Ordinal)));

        // Every message the model saw before the case's own: a training text, never a validation one.
        foreach (var call in model.Calls)
        {
            var shown = call.Messages.Take(call.Messages.Count - 1).Where(m => m.Role == ChatRole.User).Select(m => m.Text).ToList();
            Assert.All(shown, text => Assert.Contains(text, TrainTexts));
        }

        Assert.Contains(model.Calls, c => c.Messages.Count == 4);
        Assert.Equal(model.CallCount, report.CallsSpent);
        Assert.Equal(3 + 4 * report.Candidates.Count, report.CallsSpent);
        Assert.Contains("validation split (4 cases)", report.ScoreNote, StringComparison.Ordinal);

        // The original is untouched; the new version sits beside it, lints clean, loads and renders the example as messages.
        Assert.Equal(originalBytes, File.ReadAllBytes(path));
        Assert.Equal(_folder.File("sentiment.v2.prompty"), report.WrittenFile);
        Assert.Equal("sentiment.v2", report.WrittenPrompt);
        Assert.DoesNotContain(PromptLinter.LintDirectory(_folder.Root), d => d.Severity == PromptDiagnosticSeverity.Error);
        var written = new PromptRegistry(new PromptRegistryOptions { RootDirectory = _folder.Root, WatchForChanges = false }).Get("sentiment.v2");
        Assert.Equal("2", written.Version);
        var messages = written.Render(new Dictionary<string, object?> { ["text"] = "so good" });
        Assert.Equal([ChatRole.System, ChatRole.User, ChatRole.Assistant, ChatRole.User], messages.Select(m => m.Role));
        Assert.Equal("Classify the sentiment of the text.", messages[0].Text);
        Assert.Contains(messages[1].Text, TrainTexts);
        Assert.StartsWith("LABEL: ", messages[2].Text, StringComparison.Ordinal);
        Assert.Equal("so good", messages[3].Text);
        Assert.Contains("validation pass rate 0.0% -> 100.0%", File.ReadAllText(report.WrittenFile!), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Optimize_WithVariants_PicksTheInstructionThatWorks_OverTheOneThatDoesNot()
    {
        var (prompt, _) = WritePrompt();
        var variants = _folder.File("variants.json");
        File.WriteAllText(variants, """
            [
              {"id": "brief", "instruction": "Be brief."},
              {"id": "labelled", "instruction": "Classify the sentiment of the text.\nAnswer as LABEL: positive or LABEL: negative."}
            ]
            """);
        var model = ScriptedSentimentModel();
        var options = new PromptOptimizerOptions { MaxShots = 0, Variants = InstructionVariant.Load(variants), VariantsSource = variants };

        var report = await new PromptOptimizer(model, options).OptimizeAsync(prompt, SentimentCases(), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(["original+0", "brief+0", "labelled+0"], report.Candidates.Select(c => c.Id));
        Assert.Equal([0.0, 0.0, 1.0], report.Candidates.Select(c => c.ValidationPassRate));
        Assert.Equal("labelled", report.Best.Instruction);
        Assert.Equal(0, report.BootstrapRuns);
        Assert.Empty(report.Demonstrations);
        var written = PromptTemplate.Load(report.WrittenFile!, "sentiment.v2");
        Assert.Empty(PromptLinter.Lint(written));
        var system = written.Render(new Dictionary<string, object?> { ["text"] = "x" })[0];
        Assert.Equal("Classify the sentiment of the text.\nAnswer as LABEL: positive or LABEL: negative.", system.Text);
    }

    [Fact]
    public async Task Optimize_Budget_StopsTheSearch_AndIsNeverExceeded()
    {
        var (prompt, _) = WritePrompt();
        var model = ScriptedSentimentModel();

        // 3 bootstrap calls + 4 for the baseline + 4 for one candidate.
        var report = await new PromptOptimizer(model, new PromptOptimizerOptions { MaxShots = 2, Budget = 13 })
            .OptimizeAsync(prompt, SentimentCases(), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(["original+0", "original+1"], report.Candidates.Select(c => c.Id));
        Assert.True(report.CandidatesNotEvaluated > 0);
        Assert.Equal(11, report.CallsSpent);
        Assert.Equal(11, model.CallCount);
        Assert.Equal(13, report.Budget);
    }

    [Fact]
    public async Task Optimize_BudgetBelowTheBaseline_IsRefused_SayingHowMuchIsNeeded()
    {
        var (prompt, _) = WritePrompt();
        var model = ScriptedSentimentModel();

        var e = await Assert.ThrowsAsync<PromptOptimizationException>(() => new PromptOptimizer(model, new PromptOptimizerOptions { Budget = 6 })
            .OptimizeAsync(prompt, SentimentCases(), cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal("Budget", e.Field);
        Assert.Contains("raise it to at least 7", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, model.CallCount);
        Assert.Throws<ArgumentOutOfRangeException>(() => new PromptOptimizerOptions { Budget = 0 });
    }

    [Fact]
    public async Task Optimize_NoCandidateBeatsTheOriginal_WritesNothing()
    {
        var (prompt, _) = WritePrompt();
        var model = new ScriptedChatClient((messages, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, "LABEL: " + Label(messages[^1].Text))));

        var report = await new PromptOptimizer(model, new PromptOptimizerOptions { MaxShots = 1 })
            .OptimizeAsync(prompt, SentimentCases(), cancellationToken: TestContext.Current.CancellationToken);

        Assert.False(report.Improved);
        Assert.Null(report.WrittenFile);
        Assert.Equal("original+0", report.Best.Id);
        Assert.Single(Directory.GetFiles(_folder.Root, "*.prompty"));
    }

    [Fact]
    public async Task Optimize_TestSplit_IsScoredOnceForTheOriginalAndTheBest_AndReported()
    {
        var (prompt, _) = WritePrompt();
        var lines = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            var text = (i % 2 == 0 ? "I love it" : "awful") + (i % 3 == 0 ? "!" : "");
            lines.Add(Case($"c{i:00}", null, text));
        }

        var model = ScriptedSentimentModel();
        var options = new PromptOptimizerOptions { MaxShots = 1, TrainFraction = 0.5, TestFraction = 0.25, Seed = 7 };

        var report = await new PromptOptimizer(model, options).OptimizeAsync(prompt, Datasets.Of([.. lines]), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal((6, 3, 3), (report.TrainCases.Count, report.ValidationCases.Count, report.TestCases.Count));
        Assert.Empty(report.TrainCases.Intersect(report.ValidationCases).Concat(report.TrainCases.Intersect(report.TestCases)).Concat(report.ValidationCases.Intersect(report.TestCases)));
        Assert.NotNull(report.TestBaselinePassRate);
        Assert.NotNull(report.TestBestPassRate);
        Assert.Contains("held-out test split (3 cases", report.ScoreNote, StringComparison.Ordinal);
        Assert.Equal(model.CallCount, report.CallsSpent);
    }

    [Fact]
    public async Task Optimize_CandidatesWhoseFileWouldBeTooLarge_AreSkipped_NotWritten()
    {
        var (prompt, _) = WritePrompt();
        var padding = new string('x', 100_000);
        var model = new ScriptedChatClient((messages, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant,
            messages[^1].Text.EndsWith('!') || messages.Any(m => m.Role == ChatRole.Assistant) ? "LABEL: " + Label(messages[^1].Text) + " " + padding : Label(messages[^1].Text))));
        var lines = new[] { "I love it!", "awful!", "great!" }.Select((t, i) => Case($"t{i}", "train", t))
            .Concat(new[] { "love", "bad" }.Select((t, i) => Case($"v{i}", "validation", t)))
            .Select(l => l.Replace("\"type\":\"exact\",\"value\"", "\"type\":\"regex\",\"pattern\"", StringComparison.Ordinal));

        var report = await new PromptOptimizer(model, new PromptOptimizerOptions { MaxShots = 3, ExampleSetsPerSize = 1 })
            .OptimizeAsync(prompt, Datasets.Of([.. lines]), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(3, report.Demonstrations.Count);
        Assert.Equal(["original+0", "original+1", "original+2"], report.Candidates.Select(c => c.Id));
        Assert.Equal(1, report.CandidatesTooLarge);
        Assert.Equal(1, report.Best.Shots);
        Assert.True(new FileInfo(report.WrittenFile!).Length < PromptTemplate.DefaultMaxFileBytes);
        Assert.Equal(["t0", "t1", "t2"], report.Demonstrations.Select(d => d.CaseId));
    }

    [Fact]
    public void Split_IsSeeded_KeepsExplicitSplits_AndRefusesTooSmallOrUnknownSplits()
    {
        var lines = Enumerable.Range(0, 10).Select(i => Case($"c{i}", null, "x")).Append(Case("pinned", "validation", "y")).ToArray();
        var dataset = Datasets.Of(lines);

        var a = DatasetSplit.Create(dataset, new PromptOptimizerOptions { Seed = 1 });
        var again = DatasetSplit.Create(dataset, new PromptOptimizerOptions { Seed = 1 });
        var other = DatasetSplit.Create(dataset, new PromptOptimizerOptions { Seed = 2 });

        Assert.Equal(a.Train.Select(c => c.Id), again.Train.Select(c => c.Id));
        Assert.NotEqual(a.Train.Select(c => c.Id), other.Train.Select(c => c.Id));
        Assert.Equal(5, a.Train.Count);
        Assert.Contains(a.Validation, c => c.Id == "pinned");
        Assert.Equal(6, a.Validation.Count);

        var small = Assert.Throws<PromptOptimizationException>(() => DatasetSplit.Create(Datasets.Of(lines[..3]), new PromptOptimizerOptions { TrainFraction = 0.8 }));
        Assert.StartsWith("test.jsonl: the validation split would have 1 case(s) of 3", small.Message, StringComparison.Ordinal);

        var unknown = Assert.Throws<PromptOptimizationException>(() => DatasetSplit.Create(Datasets.Of(Case("a", "dev", "x")), new PromptOptimizerOptions()));
        Assert.Equal("test.jsonl:1: split: 'dev' is not a split; use train, validation or test, or leave it out to let the seed decide.", unknown.Message);
    }

    [Theory]
    [InlineData("not json", null, "not valid JSON")]
    [InlineData("""{"id": "a"}""", null, "a variants file is a JSON array")]
    [InlineData("""[{"id": "a", "instruction": "x"}, {"id": "b"}]""", "[1].instruction", "required: a non-empty string.")]
    [InlineData("""[{"id": "a", "instruction": "x"}, {"id": "a", "instruction": "y"}]""", "[1].id", "the id 'a' is used twice.")]
    [InlineData("""[{"id": "original", "instruction": "x"}]""", "[0].id", "names the prompt's own instruction")]
    [InlineData("""[{"id": "a", "instrucion": "x"}]""", "[0].instrucion", "unknown field")]
    public void Variants_Malformed_NameTheFileAndField(string json, string? field, string problem)
    {
        var path = _folder.File("variants.json");
        File.WriteAllText(path, json);

        var e = Assert.Throws<PromptOptimizationException>(() => InstructionVariant.Load(path));

        Assert.Equal(path, e.FilePath);
        Assert.Equal(field, e.Field);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        Assert.StartsWith(path + ": ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Variants_ThatBreakThePrompt_AreRefusedBeforeAnyModelCall()
    {
        var (prompt, _) = WritePrompt();
        var model = ScriptedSentimentModel();
        var options = new PromptOptimizerOptions { Variants = [new InstructionVariant("typo", "Classify {{ txet }}.")], VariantsSource = "variants.json" };

        var e = await Assert.ThrowsAsync<PromptOptimizationException>(() => new PromptOptimizer(model, options)
            .OptimizeAsync(prompt, SentimentCases(), cancellationToken: TestContext.Current.CancellationToken));

        Assert.StartsWith("variants.json: variant 'typo': with this instruction the prompt does not pass lint: the template reads 'txet'", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, model.CallCount);
    }

    [Fact]
    public async Task Optimize_InputsInFlowStyle_AreRefusedBeforeAnyModelCall_NamingTheFileAndField()
    {
        var path = _folder.File("flow.prompty");
        File.WriteAllText(path, "---\ninputs: { text: { type: string, required: true } }\n---\nsystem:\nClassify.\nuser:\n{{ text }}\n");
        var model = ScriptedSentimentModel();

        var e = await Assert.ThrowsAsync<PromptOptimizationException>(() => new PromptOptimizer(model)
            .OptimizeAsync(PromptTemplate.Load(path, "flow"), SentimentCases(), cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(path, e.FilePath);
        Assert.Equal("inputs", e.Field);
        Assert.Contains("write them as an indented block", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, model.CallCount);
    }

    [Fact]
    public void Demonstrations_WithTemplateSyntaxRoleLinesAndQuotes_RenderAsTheirText()
    {
        var (prompt, path) = WritePrompt();
        var tricky = "{{ text }} {% if x %}\nuser:\nsystem:\n\"quoted\" \\ back\ttab é 😀 \u0001";
        var text = PromptFileEditor.Compose(File.ReadAllText(path), path, [.. prompt.Inputs.Keys], null, [new Demonstration("t1", tricky, "assistant:\n" + tricky)], "2", "a comment\nover two lines");

        var candidate = PromptTemplate.Parse(text, "sentiment.v2", path);
        var messages = candidate.Render(new Dictionary<string, object?> { ["text"] = "hi" });

        Assert.Empty(PromptLinter.Lint(candidate));
        Assert.Equal([ChatRole.System, ChatRole.User, ChatRole.Assistant, ChatRole.User], messages.Select(m => m.Role));
        Assert.Equal(tricky, messages[1].Text);
        Assert.Equal("assistant:\n" + tricky, messages[2].Text);
        Assert.StartsWith("---\n# a comment over two lines\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Compose_APromptWithItsOwnExamplesLoop_PutsTheInstructionAndDemonstrationsBeforeTheLoop()
    {
        var original = """
            ---
            inputs:
              examples: { type: array, default: [] }
              question: { type: string, required: true }
            ---
            system:
            Reason step by step.{% if question %} Be brief.{% endif %}

            {% for ex in examples %}
            user:
            {{ ex.q }}
            assistant:
            {{ ex.a }}
            {% endfor %}
            user:
            {{ question }}
            """.ReplaceLineEndings("\n");
        var path = _folder.File("cot.prompty");
        File.WriteAllText(path, original);
        var prompt = PromptTemplate.Load(path, "cot");

        Assert.Equal("Reason step by step.{% if question %} Be brief.{% endif %}", PromptFileEditor.ReadInstruction(original));
        var text = PromptFileEditor.Compose(original, path, [.. prompt.Inputs.Keys], "Think first.", [new Demonstration("t1", "1+1?", "2")], null, null);
        var messages = PromptTemplate.Parse(text, "cot", path).Render(new Dictionary<string, object?>
        {
            ["question"] = "2+2?",
            ["examples"] = new[] { new Dictionary<string, object?> { ["q"] = "3+3?", ["a"] = "6" } },
        });

        Assert.Equal(["Think first.", "1+1?", "2", "3+3?", "6", "2+2?"], messages.Select(m => m.Text));
    }

    [Theory]
    [InlineData("Classify it.\n\nuser:\n{{ text }}", "Classify it.")]
    [InlineData("user:\n{{ text }}", "")]
    public void Compose_ImplicitOrMissingSystemSection_StillGetsTheDemonstrationsBeforeTheCase(string body, string instruction)
    {
        var original = "---\ninputs:\n  text: { type: string, required: true }\n---\n" + body;
        var path = _folder.File("p.prompty");
        File.WriteAllText(path, original);
        var prompt = PromptTemplate.Load(path, "p");

        Assert.Equal(instruction, PromptFileEditor.ReadInstruction(original));
        var kept = PromptTemplate.Parse(PromptFileEditor.Compose(original, path, [.. prompt.Inputs.Keys], null, [new Demonstration("t1", "in", "out")], null, null), "p", path);
        var replaced = PromptTemplate.Parse(PromptFileEditor.Compose(original, path, [.. prompt.Inputs.Keys], "New.", [], null, null), "p", path);

        var inputs = new Dictionary<string, object?> { ["text"] = "case" };
        Assert.Equal([.. instruction.Length > 0 ? [instruction] : Array.Empty<string>(), "in", "out", "case"], kept.Render(inputs).Select(m => m.Text));
        Assert.Equal(["New.", "case"], replaced.Render(inputs).Select(m => m.Text));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CallBudget_CountsCalls_AndRefusesTheOneBeyondTheBudget(bool streaming)
    {
        var model = new ScriptedChatClient((_, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")));
        using var budgeted = new CallBudgetChatClient(model, 2);
        var ct = TestContext.Current.CancellationToken;
        async Task<string> CallAsync() => streaming
            ? string.Concat(await budgeted.GetStreamingResponseAsync("hi", cancellationToken: ct).Select(u => u.Text).ToListAsync(ct))
            : (await budgeted.GetResponseAsync("hi", cancellationToken: ct)).Text;

        Assert.Equal("ok", await CallAsync());
        Assert.Equal("ok", await CallAsync());
        var e = await Assert.ThrowsAsync<PromptOptimizationException>(CallAsync);

        Assert.Equal("Budget", e.Field);
        Assert.Equal(2, budgeted.Calls);
        Assert.Equal(2, model.CallCount);
    }

    [Fact]
    public void NextVersionPath_CountsOnFromTheFilesVersion_AndSkipsTakenNames()
    {
        var a = _folder.File("a.prompty");
        Assert.Equal((_folder.File("a.v2.prompty"), 2), PromptOptimizer.NextVersionPath(a));
        Assert.Equal((_folder.File("a.v4.prompty"), 4), PromptOptimizer.NextVersionPath(_folder.File("a.v3.prompty")));
        File.WriteAllText(_folder.File("a.v2.prompty"), "");
        Assert.Equal((_folder.File("a.v3.prompty"), 3), PromptOptimizer.NextVersionPath(a));
    }

    /// <summary>Right label always; the LABEL: format only when the prompt asks for it, shows it, or the text ends in '!'.</summary>
    private static ScriptedChatClient ScriptedSentimentModel() => new((messages, _) =>
    {
        var text = messages[^1].Text;
        var formatted = messages.Any(m => m.Role == ChatRole.System && m.Text.Contains("LABEL:", StringComparison.Ordinal))
            || messages.Any(m => m.Role == ChatRole.Assistant && m.Text.StartsWith("LABEL:", StringComparison.Ordinal))
            || text.EndsWith('!');
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, formatted ? "LABEL: " + Label(text) : Label(text)));
    });

    private static string Label(string text) =>
        text.Contains("love", StringComparison.OrdinalIgnoreCase) || text.Contains("great", StringComparison.OrdinalIgnoreCase) ? "positive" : "negative";

    private static EvalDataset SentimentCases() => Datasets.Of(
    [
        .. TrainTexts.Select((t, i) => Case($"t{i + 1}", "train", t)),
        .. ValidationTexts.Select((t, i) => Case($"v{i + 1}", "validation", t)),
    ]);

    private static string Case(string id, string? split, string text) =>
        $$"""{"id":"{{id}}",{{(split is null ? "" : $"\"split\":\"{split}\",")}}"inputs":{"text":"{{text}}"},"expect":[{"type":"exact","value":"LABEL: {{Label(text)}}"}]}""";

    private (PromptTemplate Prompt, string Path) WritePrompt()
    {
        var path = _folder.File("sentiment.prompty");
        File.WriteAllText(path, Prompt, new UTF8Encoding(false));
        return (PromptTemplate.Load(path, "sentiment"), path);
    }
}
