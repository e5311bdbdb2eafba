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
        if (!File.Exists(Chromium))
        {
            Assert.Skip($"{Chromium} is missing: install Debian's chromium package (apt-get install -y chromium) to run the browser test.");
        }

        await using var shop = await TestShop.StartAsync();
        shop.Model.Call(ToolNames.LookupOrder, ("orderNumber", "SB-10421"))
            .Say("I found order SB-10421. Which e-mail address did you use for it?")
            .VerifyAndReturnJeans()
            .CallWithLastRma(ToolNames.RequestLabel)
            .CallWithLastRma(ToolNames.EmailLabel)
            .Say("Done! Your return label is on its way to your inbox.");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
        var page = await browser.NewPageAsync();
        await page.GotoAsync(shop.App.Url.ToString());
        await page.WaitForSelectorAsync("body[data-ready='true']");

        await SendAsync(page, "Hi, I want to return the jeans from order SB-10421");
        await Assertions.Expect(page.Locator(".msg.assistant").Last).ToContainTextAsync("Which e-mail address");
        await Assertions.Expect(page.Locator(".tool").First).ToContainTextAsync(ToolNames.LookupOrder);

        await SendAsync(page, "emma.larsen@example.com — the jeans, too small, unused");
        var link = page.Locator("[data-testid='label-link']");
        await Assertions.Expect(link).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".msg.assistant").Last).ToContainTextAsync("on its way");

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

    private static async Task SendAsync(IPage page, string text)
    {
        await page.FillAsync("#message", text);
        await page.ClickAsync("#send");
        await page.WaitForSelectorAsync("body[data-idle='true']");
    }
}
