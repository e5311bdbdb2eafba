using System.Text;
using AgentKit.Rag.Readers;

namespace AgentKit.Rag.Tests.Readers;

public sealed class HtmlDocumentReaderTests
{
    private static readonly HtmlDocumentReader Reader = new();

    private static Documents.RagDocument Read(string html) =>
        Reader.Read("/site/page.html", Encoding.UTF8.GetBytes(html), TestContext.Current.CancellationToken);

    private const string Page = """
        <!doctype html>
        <html><head><title>Backup &amp; Restore</title><style>body { color: red }</style>
        <script>var tracking = "SHOULD-NOT-APPEAR";</script></head>
        <body>
          <header><a href="/">Home</a> SITE-HEADER</header>
          <nav><ul><li>Menu item NAV-LINK</li></ul></nav>
          <div role="navigation">ROLE-NAV</div>
          <h1>Backups</h1>
          <p>Back up the <b>database</b> nightly.
             Keep seven copies.</p>
          <h2>Restore</h2>
          <p>Stop the service first.</p>
          <ul><li>Copy the file</li><li>Start the service</li></ul>
          <pre>restore --from
        /backups/latest</pre>
          <p hidden>HIDDEN-TEXT</p>
          <aside>Related: ASIDE-TEXT</aside>
          <footer>© FOOTER-TEXT</footer>
        </body></html>
        """;

    [Fact]
    public void Read_Boilerplate_IsStripped()
    {
        var all = string.Join("\n", Read(Page).Sections.Select(s => s.Text));

        foreach (var marker in new[] { "SHOULD-NOT-APPEAR", "SITE-HEADER", "NAV-LINK", "ROLE-NAV", "HIDDEN-TEXT", "ASIDE-TEXT", "FOOTER-TEXT", "color: red" })
        {
            Assert.DoesNotContain(marker, all, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Read_HeadingsAndBlocks_BecomeSectionsAndParagraphs()
    {
        var document = Read(Page);

        Assert.Equal("Backup & Restore", document.Title);
        Assert.Equal(["Backups", "Backups > Restore"], document.Sections.Select(s => s.SectionPath));
        Assert.Equal("Back up the database nightly. Keep seven copies.", document.Sections[0].Text);
        Assert.Equal("Stop the service first.\n\n- Copy the file\n\n- Start the service\n\nrestore --from\n/backups/latest", document.Sections[1].Text);
    }

    [Fact]
    public void Read_MainElement_IsTheOnlyContentRead()
    {
        var document = Read("<html><body><div>OUTSIDE</div><main><h1>Inside</h1><p>Kept.</p></main></body></html>");

        Assert.Equal("Kept.", Assert.Single(document.Sections).Text);
        Assert.Equal("Inside", document.Title);
    }

    [Fact]
    public void Read_HeadingPermalinks_AreLeftOutOfSectionPaths()
    {
        // Node.js API docs ("#"), Sphinx ("¶", a headerlink), rustdoc ("§"), GitHub (an anchor holding only an svg).
        var document = Read("""
            <main>
            <h2>Path<span><a class="mark" href="#path" id="path">#</a></span></h2><p>One.</p>
            <h3>path.join([...paths])<a class="headerlink" href="#path-join" title="Permalink">¶</a></h3><p>Two.</p>
            <h3><a href="#sep" class="anchor">§</a>path.sep</h3><p>Three.</p>
            <h3><a class="anchor" href="#d"><svg><path d="M0"/></svg></a>path.delimiter</h3><p>Four.</p>
            <h3><a href="#v2">2.1</a> Version <a href="/other.html">#</a></h3><p>Five.</p>
            </main>
            """);

        Assert.Equal(
            ["Path", "Path > path.join([...paths])", "Path > path.sep", "Path > path.delimiter", "Path > 2.1 Version #"],
            document.Sections.Select(s => s.SectionPath));
    }

    [Fact]
    public void Read_PreformattedCode_LeavesOutButtonsAndKeepsVariantsOnTheirOwnLines()
    {
        var document = Read("""
            <main><h1>Path</h1><pre class="with-42-chars"><input class="js-flavor-toggle" type="checkbox" aria-label="ES modules"><code class="language-js cjs">const path = require('node:path');</code><code class="language-js mjs">import path from 'node:path';</code><button class="copy-button">copy</button></pre></main>
            """);

        Assert.Equal("const path = require('node:path');\nimport path from 'node:path';", Assert.Single(document.Sections).Text);
    }
}
