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

    [Fact]
    public void Read_GeneratedNavigationBarsAndTablesOfContents_AreStripped()
    {
        // DocBook and Texinfo pages mark their previous/next bars, tables of contents and indexes with classes and link
        // attributes, not nav elements; a table of contents or an index shares the words of every section it lists.
        var document = Read($$"""
            <html><head><title>4. Memcheck</title></head><body>
            <div><table class="nav" summary="Navigation header"><tr>
              <td><a accesskey="p" href="prev.html"><img src="prev.png" alt="Prev"></a></td>
              <th>DOCBOOK-BAR-TITLE</th>
              <td><a accesskey="n" href="next.html"><img src="next.png" alt="Next"></a></td></tr></table></div>
            <div class="chapter">
              <h1>4. Memcheck</h1>
              <div class="toc"><p><b>Table of Contents</b></p>
                <dl class="toc"><dt><a href="#overview">4.1. Overview TOC-ENTRY</a></dt></dl></div>
              <div class="header"><p>Next: <a href="b.html" rel="next">TEXINFO-NEXT</a>, Up: <a href="u.html" rel="up">Using</a></p></div>
              <table class="index-cp"><tr><td><a href="Intro.html#index-ABI">ABI INDEX-ENTRY</a>:</td><td><a href="Intro.html">Introduction</a></td></tr></table>
              <table class="cp-entries-printindex"><tr><td>TEXINFO7-INDEX-ENTRY</td></tr></table>
              <h2>4.1. Overview</h2>
              <p>Memcheck is a memory error detector.</p>
              <div><p>Read on: <a href="c.html" rel="next">the next chapter</a> explains error messages. {{new string('x', 320)}}</p></div>
            </div>
            <table class="nav" summary="Navigation footer"><tr><td><a accesskey="u" href="manual.html">Up FOOTER-BAR</a></td></tr></table>
            </body></html>
            """);

        var all = string.Join("\n", document.Sections.Select(s => s.Text));
        foreach (var marker in new[] { "DOCBOOK-BAR-TITLE", "TOC-ENTRY", "Table of Contents", "TEXINFO-NEXT", "FOOTER-BAR", "INDEX-ENTRY" })
        {
            Assert.DoesNotContain(marker, all, StringComparison.Ordinal);
        }

        var overview = Assert.Single(document.Sections, s => s.HeadingPath.SequenceEqual(["4. Memcheck", "4.1. Overview"]));
        Assert.StartsWith("Memcheck is a memory error detector.", overview.Text, StringComparison.Ordinal);
        // A paragraph of content that happens to link to the next page is content.
        Assert.Contains("the next chapter explains error messages.", overview.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ListsOfAnchorLinksOnly_AreTablesOfContents()
    {
        var document = Read("""
            <html><body>
            <h1>Frequently Asked Questions</h1>
            <dl><dt>1. <a href="faq.html#background">Background TOC-ONE</a></dt>
                <dd>1.1. <a href="#pronounce">How do you pronounce it? TOC-TWO</a></dd></dl>
            <h2 id="background">1. Background</h2>
            <p><a name="pronounce"></a>The name comes from Nordic mythology.</p>
            <ul><li><a href="#pronounce">Pronunciation</a>: the "Val" as in "value", explained at length here.</li>
                <li><a href="https://example.org/">The project site</a></li></ul>
            <p>A value may contain only these native objects:</p>
            <ul><li><a href="webcrypto.html#class-cryptokey">CryptoKey</a></li><li><a href="fs.html#class-filehandle">FileHandle</a></li></ul>
            </body></html>
            """);

        var all = string.Join("\n", document.Sections.Select(s => s.Text));
        Assert.DoesNotContain("TOC-ONE", all, StringComparison.Ordinal);
        Assert.DoesNotContain("TOC-TWO", all, StringComparison.Ordinal);
        // A list with text of its own, or with links elsewhere, is content.
        Assert.Contains("explained at length here", all, StringComparison.Ordinal);
        Assert.Contains("The project site", all, StringComparison.Ordinal);
        // Links to other pages' anchors are references (an API page's list of types), not a table of contents.
        Assert.Contains("CryptoKey", all, StringComparison.Ordinal);
        Assert.Contains("FileHandle", all, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TableOfContentsWithOneBrokenEntryInTen_IsStillLeftOut_TwoInTenAreContent()
    {
        static string Page(int broken) =>
            "<html><body><h1>Guide</h1><ul>"
            + string.Concat(Enumerable.Range(0, 10).Select(i => i < broken ? $"<li><a href=\"#gone{i}\">Missing {i} ENTRY</a></li>" : $"<li><a href=\"page.html#s{i}\">Part {i} ENTRY</a></li>"))
            + "</ul>" + string.Concat(Enumerable.Range(0, 10).Select(i => $"<h2 id=\"s{i}\">Part {i}</h2><p>Text {i}.</p>")) + "</body></html>";

        Assert.DoesNotContain(Read(Page(broken: 1)).Sections, s => s.Text.Contains("ENTRY", StringComparison.Ordinal));
        Assert.Contains(Read(Page(broken: 2)).Sections, s => s.Text.Contains("ENTRY", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_FootnoteMarksAndBackLinks_AreLeftOut_TheNotesKept()
    {
        var document = Read("""
            <html><body><h1>Returns</h1>
            <p>Return within 30 days.<sup class="footnote-ref"><a href="#fn1" id="r1">1</a></sup> Keep the box.<a href="#fn2" role="doc-noteref">2</a></p>
            <section class="footnotes"><ol>
            <li id="fn1"><p>Electronics: 14 days. <a href="#r1" class="footnote-back">↩︎</a></p></li>
            <li id="fn2"><p>Or any sturdy box. <a href="#r2" role="doc-backlink">↩︎</a></p></li></ol></section>
            </body></html>
            """);

        Assert.Equal("Return within 30 days. Keep the box.\n\nElectronics: 14 days.\n\nOr any sturdy box.", Assert.Single(document.Sections).Text);
    }
}
