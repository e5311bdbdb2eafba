using Microsoft.Playwright;
using ShopBot.Tools;

namespace ShopBot.Tests;

/// <summary>The web chat in headless Chromium (Debian's <c>chromium</c> package, driven by Playwright).</summary>
public sealed class WebChatBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task Customer_CompletesAReturn_InTheBrowser()
    {
        SkipWithoutChromium();
        await using var shop = await TestShop.StartAsync();
        shop.Model.Call(ToolNames.LookupOrder, ("orderNumber", "SB-10421"))
            .Say("I found order SB-10421. Which e-mail address did you use for it?")
            .VerifyAndReturnJeans()
            .CallWithLastRma(ToolNames.RequestLabel)
            .CallWithLastRma(ToolNames.EmailLabel)
            .Say("Done! Your return label is on its way to your inbox.");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        await page.GotoAsync(shop.App.Url.ToString());
        await page.WaitForSelectorAsync("body[data-ready='true']");

        await SendAsync(page, "Hi, I want to return the jeans from order SB-10421");
        await Assertions.Expect(page.Locator(".msg.assistant").Last).ToContainTextAsync("Which e-mail address");

        // Tool activity is shown as plain steps, never as tool names, arguments or JSON.
        await Assertions.Expect(page.Locator(".step").First).ToHaveTextAsync("Order found");
        Assert.DoesNotContain(ToolNames.LookupOrder, await page.Locator("#transcript").InnerTextAsync(), StringComparison.Ordinal);

        await SendAsync(page, "emma.larsen@example.com — the jeans, too small, unused");
        var link = page.Locator("[data-testid='label-link']");
        await Assertions.Expect(link).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".msg.assistant").Last).ToContainTextAsync("on its way");
        string[] steps = ["Order found", "E-mail address checked", "Return registered", "Label ready", "Label sent"];
        await Assertions.Expect(page.Locator(".step.done")).ToHaveTextAsync(steps);
        var transcript = await page.Locator("#transcript").InnerTextAsync();
        Assert.DoesNotContain("{", transcript, StringComparison.Ordinal);
        Assert.DoesNotContain("shipping_", transcript, StringComparison.Ordinal);

        // The link is the carrier's label PDF, and the e-mail reached the order's address.
        var href = await link.GetAttributeAsync("href");
        var label = Assert.Single(shop.App.CarrierLabels!.Labels);
        Assert.EndsWith($"/labels/{label.LabelId}.pdf", href, StringComparison.Ordinal);
        using var http = new HttpClient();
        var pdf = await http.GetByteArrayAsync(new Uri(href!), TestContext.Current.CancellationToken);
        Assert.Contains(label.TrackingNumber, HappyPathTests.ExtractPdfText(pdf), StringComparison.Ordinal);
        Assert.Equal(["emma.larsen@example.com"], Assert.Single(shop.App.MailSink!.Messages).Recipients);

        // A reload restores the conversation from the stored session.
        await page.ReloadAsync();
        await page.WaitForSelectorAsync("body[data-ready='true']");
        await Assertions.Expect(page.Locator(".msg.user").First).ToContainTextAsync("order SB-10421");
        await Assertions.Expect(page.Locator(".step.done")).ToHaveTextAsync(steps);
        await Assertions.Expect(page.Locator("[data-testid='label-link']")).ToBeVisibleAsync();

        // The page signed in: its session belongs to the sign-in cookie, which scripts cannot read, and the API
        // refuses calls without it.
        var sessionId = await page.EvaluateAsync<string>("localStorage.getItem('shopbot.session')");
        var cookie = Assert.Single(await page.Context.CookiesAsync(), c => c.Name == ShopBot.Web.CustomerSignIn.CookieName);
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.Equal(string.Empty, await page.EvaluateAsync<string>("document.cookie"));
        using (var anonymous = await http.GetAsync(new Uri(shop.App.Url, $"/api/sessions/{sessionId}"), TestContext.Current.CancellationToken))
        {
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        // Another browser that has learnt the session id (but not the cookie) gets a fresh conversation, not Emma's.
        await using var other = await browser.NewContextAsync();
        await other.AddInitScriptAsync($"localStorage.setItem('shopbot.session', '{sessionId}');");
        var stranger = await other.NewPageAsync();
        await stranger.GotoAsync(shop.App.Url.ToString());
        await stranger.WaitForSelectorAsync("body[data-ready='true']");
        await Assertions.Expect(stranger.Locator(".msg.assistant").First).ToContainTextAsync("Hello!");
        Assert.Equal(0, await stranger.Locator(".msg.user").CountAsync());
        Assert.NotEqual(sessionId, await stranger.EvaluateAsync<string>("localStorage.getItem('shopbot.session')"));
    }

    [Fact]
    public async Task StopButton_CancelsTheRun_AndATimedOutReply_SurvivesAReload()
    {
        SkipWithoutChromium();
        await using var shop = await TestShop.StartAsync(settings: new Dictionary<string, string?> { ["ShopBot:Agent:Timeout"] = "00:00:04" });
        const string Slow = "Let me look into that for you. I am checking every detail of your order, one line at a time, carefully.";
        shop.Model.Client.StreamChunkLength = 4;
        shop.Model.Client.StreamChunkDelay = TimeSpan.FromMilliseconds(250);
        shop.Model.Call(ToolNames.LookupOrder, ("orderNumber", "SB-10421")).Say(Slow).Say(Slow);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        await page.GotoAsync(shop.App.Url.ToString());
        await page.WaitForSelectorAsync("body[data-ready='true']");
        var sessionId = await page.EvaluateAsync<string>("localStorage.getItem('shopbot.session')");

        // While the assistant works: the typing indicator and the stop button; Stop cancels the run on the server.
        await page.FillAsync("#message", "Where is my order SB-10421?");
        await page.ClickAsync("#send");
        await Assertions.Expect(page.Locator("#typing")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#stop")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".step").First).ToHaveTextAsync("Order found");
        await Assertions.Expect(page.Locator(".msg.assistant").Last).ToContainTextAsync("Let me look");
        await page.ClickAsync("#stop");
        await page.WaitForSelectorAsync("body[data-idle='true']");
        await Assertions.Expect(page.Locator(".stopped")).ToHaveTextAsync("Stopped.");
        await Assertions.Expect(page.Locator("#stop")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#typing")).ToBeHiddenAsync();
        var stopped = await WaitForEndingAsync(shop, sessionId, "Cancelled");
        Assert.StartsWith("Let me look", stopped.Reply, StringComparison.Ordinal);
        Assert.True(stopped.Reply.Length < Slow.Length, "the run went on after Stop");

        // A reply that runs past the turn's time limit: streamed in part, then the error.
        await page.FillAsync("#message", "Hello?");
        await page.ClickAsync("#send");
        await page.WaitForSelectorAsync("body[data-idle='true']", new PageWaitForSelectorOptions { Timeout = 30_000 });
        await Assertions.Expect(page.Locator(".error").Last).ToContainTextAsync("took too long");
        var timedOut = await WaitForEndingAsync(shop, sessionId, "TimedOut");
        Assert.StartsWith("Let me look", timedOut.Reply, StringComparison.Ordinal);

        // After a reload everything that happened is still there: both messages, the step, both partial replies, how each turn ended.
        await page.ReloadAsync();
        await page.WaitForSelectorAsync("body[data-ready='true']");
        await Assertions.Expect(page.Locator(".msg.user")).ToHaveTextAsync(["Where is my order SB-10421?", "Hello?"]);
        await Assertions.Expect(page.Locator(".step")).ToHaveTextAsync(["Order found"]);
        await Assertions.Expect(page.Locator(".msg.assistant")).ToHaveTextAsync([stopped.Reply, timedOut.Reply]);
        await Assertions.Expect(page.Locator(".stopped")).ToHaveTextAsync("Stopped.");
        await Assertions.Expect(page.Locator(".error")).ToContainTextAsync("took too long");
    }

    /// <summary>Waits until the session's last stored turn ended with <paramref name="outcome"/>; returns its partial reply.</summary>
    private static async Task<(string Reply, string Error)> WaitForEndingAsync(TestShop shop, string sessionId, string outcome)
    {
        var runner = shop.Runner;
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var session = await runner.OpenSessionAsync(sessionId, TestContext.Current.CancellationToken);
            var history = await session.GetHistoryAsync(TestContext.Current.CancellationToken);
            if (history.Count > 0 && history[^1].Contents.OfType<Microsoft.Extensions.AI.ErrorContent>().FirstOrDefault() is { } error && error.ErrorCode == outcome)
            {
                return (history[^2].Text, error.Message);
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        throw new InvalidOperationException($"The session's last turn did not end as {outcome}.");
    }

    private static void SkipWithoutChromium()
    {
        if (!File.Exists(Chromium))
        {
            Assert.Skip($"{Chromium} is missing: install Debian's chromium package (apt-get install -y chromium) to run the browser test.");
        }
    }

    private static Task<IBrowser> LaunchAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = Chromium,
        Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
    });

    private static async Task SendAsync(IPage page, string text)
    {
        await page.FillAsync("#message", text);
        await page.ClickAsync("#send");
        await page.WaitForSelectorAsync("body[data-idle='true']");
    }
}
