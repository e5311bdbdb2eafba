using System.Text.Json;
using AgentKit.Evaluation.Expectations;
using AgentKit.Evaluation.Reports;
using Microsoft.Playwright;

namespace AgentKit.Evaluation.Tests;

public sealed class ReportTests
{
    private const string Chromium = "/usr/bin/chromium";

    internal static EvalReport Report(params (string Id, string Group, bool[] Runs)[] cases) => new()
    {
        Dataset = "suite.jsonl",
        Target = "agent shopbot",
        Model = "scripted",
        StartedAt = DateTimeOffset.UnixEpoch,
        DurationMs = 1234,
        Repeat = cases.Max(c => c.Runs.Length),
        Cases = [.. cases.Select(c => new EvalCaseReport
        {
            Id = c.Id,
            Group = c.Group,
            Source = "suite.jsonl:1",
            Runs = [.. c.Runs.Select((passed, i) => new EvalRunRecord
            {
                Repeat = i,
                Passed = passed,
                Results = passed ? [new ExpectationResult("contains \"label\"", true)] : [new ExpectationResult("rma_exists", false, "no RMA <for> order SB-10421")],
                LatencyMs = 100 + i * 10,
                ModelMs = 90,
                ModelCalls = 3,
                CacheHits = 0,
                InputTokens = 1000 + i,
                OutputTokens = 50,
                Turns = 2,
                Reply = "ok",
            })],
        })],
    };

    [Fact]
    public async Task Json_RoundTripsIntoABaseline()
    {
        using var folder = new TempFolder();
        var report = Report(("a", "happy", [true, true]), ("b", "adversarial", [true, false]));

        await report.WriteJsonAsync(folder.File("r/report.json"), TestContext.Current.CancellationToken);
        var baseline = EvalReport.ReadBaseline(folder.File("r/report.json"));

        Assert.Equal(0.75, baseline.Metrics["pass_rate"]);
        Assert.Equal(0.5, baseline.Metrics["pass_rate/adversarial"]);
        Assert.Equal(1.0, baseline.CaseSuccessRates["a"]);
        using var json = JsonDocument.Parse(File.ReadAllText(folder.File("r/report.json")));
        Assert.Equal(2, json.RootElement.GetProperty("cases")[1].GetProperty("interval").GetArrayLength());
    }

    [Fact]
    public void ReadBaseline_NotAReport_IsATypedError()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("x.json"), "{\"cases\":[]}");

        Assert.Contains("no 'metrics'", Assert.Throws<EvalBaselineException>(() => EvalReport.ReadBaseline(folder.File("x.json"))).Message, StringComparison.Ordinal);
        Assert.Throws<EvalBaselineException>(() => EvalReport.ReadBaseline(folder.File("missing.json")));
    }

    [Fact]
    public void Compare_FlagsDropsBeyondTolerance_AndVanishedMetrics()
    {
        var baseline = new EvalBaseline("base.json", new Dictionary<string, double>
        {
            ["pass_rate"] = 1.0, ["pass_rate/happy"] = 1.0, ["pass_rate/adversarial"] = 1.0, ["pass_rate/gone"] = 1.0,
        }, new Dictionary<string, double> { ["b"] = 1.0 });
        var report = Report(("a", "happy", [true, true, true, true]), ("b", "adversarial", [true, true, true, false]));

        var comparison = EvalComparison.Compare(report, baseline, tolerance: 0.2);

        Assert.Equal(["pass_rate/adversarial", "pass_rate/gone"], comparison.Regressions.Select(r => r.Metric));
        Assert.DoesNotContain(comparison.Regressions, r => r.Metric == "pass_rate");
        Assert.Equal(["b"], comparison.NewlyFailing);
        Assert.Equal(-0.25, comparison.Changes.Single(c => c.Metric == "pass_rate/adversarial").Delta);
    }

    [Fact]
    public void Html_IsSelfContained_EscapesText_HasTheCharts()
    {
        var report = Report(("a", "happy", [true]), ("b<script>", "adversarial", [false]));
        var comparison = EvalComparison.Compare(report, new EvalBaseline("base.json", new Dictionary<string, double> { ["pass_rate/adversarial"] = 1.0 }, new Dictionary<string, double>()), 0.05);

        var html = HtmlReportWriter.Render(report, comparison);

        Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
        Assert.DoesNotContain("src=", html, StringComparison.Ordinal);
        Assert.DoesNotContain("href=", html, StringComparison.Ordinal);
        Assert.Contains("b&lt;script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("no RMA &lt;for&gt; order SB-10421", html, StringComparison.Ordinal);
        foreach (var id in new[] { "chart-groups", "chart-latency", "chart-cost", "comparison", "cases" })
        {
            Assert.Contains($"id=\"{id}\"", html, StringComparison.Ordinal);
        }

        Assert.Contains("regressed", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Html_RendersInChromium_WithItsCharts()
    {
        if (!File.Exists(Chromium))
        {
            Assert.Skip($"{Chromium} is missing: install Debian's chromium package (apt-get install -y chromium) to run the browser test.");
        }

        using var folder = new TempFolder();
        var report = Report(("a", "happy", [true, true]), ("b", "adversarial", [true, false]), ("c", "policy", [false, false]));
        var comparison = EvalComparison.Compare(report, new EvalBaseline("base.json", new Dictionary<string, double> { ["pass_rate/policy"] = 1.0 }, new Dictionary<string, double>()), 0.05);
        await HtmlReportWriter.WriteAsync(folder.File("report.html"), report, comparison, TestContext.Current.CancellationToken);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
        var page = await browser.NewPageAsync();
        await page.GotoAsync(new Uri(folder.File("report.html")).AbsoluteUri);

        // Three group bars, drawn with a width proportional to the pass rate, and the baseline marker for 'policy'.
        var groups = page.Locator("#chart-groups");
        await Assertions.Expect(groups).ToBeVisibleAsync();
        var box = await groups.BoundingBoxAsync();
        Assert.True(box is { Width: > 600, Height: > 60 }, $"chart box {box?.Width}x{box?.Height}");
        var happyBar = await page.Locator("#chart-groups rect[fill='#16a34a']").BoundingBoxAsync();
        var adversarialBar = await page.Locator("#chart-groups rect[fill='#dc2626']").First.BoundingBoxAsync();
        Assert.Equal(happyBar!.Width / 2, adversarialBar!.Width, 1);
        await Assertions.Expect(page.Locator("#chart-latency rect")).ToHaveCountAsync(12);
        await Assertions.Expect(page.Locator("#comparison")).ToContainTextAsync("regressed");
        await Assertions.Expect(page.Locator("#cases tr")).ToHaveCountAsync(4);

        var png = await page.ScreenshotAsync(new PageScreenshotOptions { FullPage = true, Path = folder.File("report.png") });
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        Assert.True(png.Length > 10_000, $"screenshot of {png.Length} bytes");
    }
}
