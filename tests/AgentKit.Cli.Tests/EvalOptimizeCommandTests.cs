using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Scripted = AgentKit.Testing.ScriptedChatClient;

namespace AgentKit.Cli.Tests;

/// <summary>
/// <c>agentkit eval --optimize</c> on a prompt file under the configured prompts folder, with a scripted model that
/// writes the <c>LABEL: x</c> format the cases expect only when the instruction names it or an example shows it.
/// </summary>
public sealed class EvalOptimizeCommandTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("agentkit-cli-optimize-");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }

    [Fact]
    public async Task Optimize_WritesTheBestAsANewVersion_PrintsScoresAndCalls_AndTheJsonReport()
    {
        var model = ScriptedSentimentModel();
        var json = Path.Combine(_folder.FullName, "out", "optimize.json");
        var variants = Path.Combine(_folder.FullName, "variants.json");
        File.WriteAllText(variants, """[{"id": "labelled", "instruction": "Classify the sentiment. Answer as LABEL: positive or LABEL: negative."}]""");
        using var cli = Harness(model);

        var exit = await cli.RunAsync("eval", WriteDataset(), "--prompt", "support/sentiment", "--config", WriteConfig(), "--no-cache", "--optimize",
            "--variants", variants, "--max-shots", "1", "--json", json);

        Assert.Equal(0, exit);
        Assert.Contains("labelled+0 (best)", cli.Out, StringComparison.Ordinal);
        Assert.Contains("Validation pass rate: original 0.0%, best (labelled+0) 100.0%.", cli.Out, StringComparison.Ordinal);
        Assert.Contains($"Model calls: {model.CallCount} of the budget of 200", cli.Out, StringComparison.Ordinal);
        Assert.Contains("Scores are pass rates on the validation split (2 cases)", cli.Out, StringComparison.Ordinal);
        var written = Path.Combine(_folder.FullName, "prompts", "support", "sentiment.v2.prompty");
        Assert.Contains($"Wrote {written} (prompt support/sentiment.v2)", Flat(cli.Out), StringComparison.Ordinal);
        Assert.Contains("Answer as LABEL: positive", File.ReadAllText(written), StringComparison.Ordinal);
        using (var report = JsonDocument.Parse(File.ReadAllText(json)))
        {
            Assert.Equal(model.CallCount, report.RootElement.GetProperty("calls_spent").GetInt32());
            Assert.Equal(0.0, report.RootElement.GetProperty("baseline").GetProperty("validation_pass_rate").GetDouble());
            Assert.Equal(1.0, report.RootElement.GetProperty("best").GetProperty("validation_pass_rate").GetDouble());
            Assert.Equal(2, report.RootElement.GetProperty("validation_cases").GetArrayLength());
            Assert.Equal(["t1", "t2", "t3", "v3"], report.RootElement.GetProperty("train_cases").EnumerateArray().Select(e => e.GetString()));
        }

        // The new version passes the prompt lint and serves as a prompt of its own.
        using var lint = new CliHarness();
        Assert.Equal(0, await lint.RunAsync("prompts", "lint", "--dir", Path.Combine(_folder.FullName, "prompts")));
        using var again = Harness(model);
        Assert.Equal(0, await again.RunAsync("eval", WriteDataset(), "--prompt", "support/sentiment.v2", "--config", WriteConfig(), "--no-cache"));
        Assert.Contains("6/6 runs passed (100.0%", again.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--agent", "shop" }, "--optimize needs --prompt NAME")]
    [InlineData(new[] { "--budget", "0" }, "--budget must be from 1 to 1000000 model calls.")]
    [InlineData(new[] { "--budget", "5" }, "Budget: a budget of 5 model calls does not cover")]
    [InlineData(new[] { "--min-split", "3" }, "the validation split would have 2 case(s) of 6")]
    [InlineData(new[] { "--html", "x.html" }, "leave out --baseline, --fail-on-regression, --min-pass-rate and --html")]
    public async Task Optimize_BadOptions_ExitOne_NamingTheOption(string[] options, string message)
    {
        using var cli = Harness(ScriptedSentimentModel());
        string[] target = options.Contains("--agent") ? [] : ["--prompt", "support/sentiment"];

        var exit = await cli.RunAsync(["eval", WriteDataset(), .. target, "--config", WriteConfig(), "--no-cache", "--optimize", .. options]);

        Assert.Equal(1, exit);
        Assert.Contains(message, Flat(cli.Error), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Optimize_MalformedVariantsFile_MissingDatasetAndUnknownPrompt_ExitOne_NamingTheFile()
    {
        var variants = Path.Combine(_folder.FullName, "variants.json");
        File.WriteAllText(variants, """[{"id": "a"}]""");
        var missing = Path.Combine(_folder.FullName, "nope.jsonl");

        using (var cli = Harness(ScriptedSentimentModel()))
        {
            Assert.Equal(1, await cli.RunAsync("eval", WriteDataset(), "--prompt", "support/sentiment", "--config", WriteConfig(), "--optimize", "--variants", variants));
            Assert.Contains($"{variants}: [0].instruction: required: a non-empty string.", Flat(cli.Error), StringComparison.Ordinal);
        }

        using (var cli = Harness(ScriptedSentimentModel()))
        {
            Assert.Equal(1, await cli.RunAsync("eval", missing, "--prompt", "support/sentiment", "--config", WriteConfig(), "--optimize"));
            Assert.Contains($"{missing}:0: the dataset file does not exist.", Flat(cli.Error), StringComparison.Ordinal);
        }

        using (var cli = Harness(ScriptedSentimentModel()))
        {
            Assert.Equal(1, await cli.RunAsync("eval", WriteDataset(), "--prompt", "support/sentimnt", "--config", WriteConfig(), "--optimize"));
            Assert.Contains("support/sentimnt", cli.Error, StringComparison.Ordinal);
            Assert.Contains("support/sentiment", cli.Error.Replace("support/sentimnt", "", StringComparison.Ordinal), StringComparison.Ordinal);
        }

        Assert.False(File.Exists(Path.Combine(_folder.FullName, "prompts", "support", "sentiment.v2.prompty")));
    }

    /// <summary>The console wraps long lines; compare with runs of white space as one space.</summary>
    private static string Flat(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ");

    /// <summary>The right label always; the LABEL: format only when the system message names it or an example reply shows it.</summary>
    private static Scripted ScriptedSentimentModel() => new((messages, _) =>
    {
        var text = messages[^1].Text;
        var label = text.Contains("love", StringComparison.OrdinalIgnoreCase) ? "positive" : "negative";
        var formatted = messages.Any(m => m.Role == ChatRole.System && m.Text.Contains("LABEL:", StringComparison.Ordinal))
            || messages.Any(m => m.Role == ChatRole.Assistant && m.Text.StartsWith("LABEL:", StringComparison.Ordinal))
            || text.EndsWith('!');
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, formatted ? "LABEL: " + label : label));
    });

    private static CliHarness Harness(Scripted model) => new(input: "", agentServices: services => services.AddKeyedSingleton<IChatClient>("scripted", model));

    private string WriteDataset()
    {
        var prompts = Directory.CreateDirectory(Path.Combine(_folder.FullName, "prompts", "support"));
        var prompt = Path.Combine(prompts.FullName, "sentiment.prompty");
        if (!File.Exists(prompt))
        {
            File.WriteAllText(prompt, """
                ---
                name: Sentiment
                inputs:
                  text: { type: string, required: true }
                sample: { text: I love it }
                ---
                system:
                Classify the sentiment of the text.

                user:
                {{ text }}
                """);
        }

        var path = Path.Combine(_folder.FullName, "cases.jsonl");
        File.WriteAllLines(path, [
            """{"id":"t1","split":"train","inputs":{"text":"I love it!"},"expect":[{"type":"exact","value":"LABEL: positive"}]}""",
            """{"id":"t2","split":"train","inputs":{"text":"Awful!"},"expect":[{"type":"exact","value":"LABEL: negative"}]}""",
            """{"id":"t3","split":"train","inputs":{"text":"meh"},"expect":[{"type":"exact","value":"LABEL: negative"}]}""",
            """{"id":"v1","split":"validation","inputs":{"text":"love the colour"},"expect":[{"type":"exact","value":"LABEL: positive"}]}""",
            """{"id":"v2","split":"validation","inputs":{"text":"broken"},"expect":[{"type":"exact","value":"LABEL: negative"}]}""",
            """{"id":"v3","inputs":{"text":"so-so"},"expect":[{"type":"exact","value":"LABEL: negative"}]}""",
        ]);
        return path;
    }

    private string WriteConfig()
    {
        var path = Path.Combine(_folder.FullName, "agentkit.json");
        var root = _folder.FullName.Replace("\\", "\\\\", StringComparison.Ordinal);
        File.WriteAllText(path, $$"""
            {
              "AgentKit": {
                "Models": { "scripted": { "Provider": "OpenAI", "Endpoint": "http://127.0.0.1:9/v1", "ApiKey": "unused", "Model": "scripted" } },
                "Storage": { "Directory": "{{root}}/data" },
                "Prompts": { "Directory": "{{root}}/prompts", "Watch": false },
                "Agents": { "shop": { "Instructions": "You answer." } }
              }
            }
            """);
        return path;
    }
}
