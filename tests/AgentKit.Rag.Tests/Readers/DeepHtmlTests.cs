using System.Text;
using AgentKit.Rag.Readers;

namespace AgentKit.Rag.Tests.Readers;

/// <summary>HTML nested past HtmlAgilityPack's limit, read as a page and as a Markdown file's raw HTML block.</summary>
public sealed class DeepHtmlTests
{
    private static string Divs(int depth) =>
        string.Concat(Enumerable.Repeat("<div>", depth)) + "text" + string.Concat(Enumerable.Repeat("</div>", depth));

    [Theory]
    [InlineData("/site/page.html")]
    [InlineData("/kb/guide.md")]
    public void Read_TagsNestedPastTheParsersLimit_IsACorruptDocumentNamingTheFile(string path)
    {
        IDocumentReader reader = path.EndsWith(".md", StringComparison.Ordinal) ? new MarkdownDocumentReader() : new HtmlDocumentReader();
        var content = path.EndsWith(".md", StringComparison.Ordinal)
            ? "# Deep\n\n" + Divs(5_000) + "\n\nAfter.\n"
            : "<html><body>" + Divs(5_000) + "</body></html>";

        var error = Assert.Throws<DocumentReadException>(() => reader.Read(path, Encoding.UTF8.GetBytes(content), TestContext.Current.CancellationToken));

        Assert.Equal(DocumentReadFailure.Corrupt, error.Failure);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("nested", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ThousandsOfNestedAndSideBySideLinkLists_AreReadAsTablesOfContents()
    {
        // Each list is scanned for links into the page at most 4,096 nodes deep, so nesting near the parser's limit
        // and 20,000 lists side by side read in linear time; all of them link into the page, so none is text.
        var html = new StringBuilder("<html><body><p id=\"top\">Intro text.</p>");
        for (var i = 0; i < 1_000; i++)
        {
            html.Append("<ul><li><a href=\"#top\">entry ").Append(i).Append("</a>");
        }

        html.Append(string.Concat(Enumerable.Repeat("</li></ul>", 1_000))).Append("<p>After.</p>");
        html.Append(string.Concat(Enumerable.Repeat("<ul><li><a href=\"#top\">a</a></li><li><a href=\"#top\">b</a></li></ul>", 20_000)));
        html.Append("</body></html>");

        var document = new HtmlDocumentReader().Read("/site/lists.html", Encoding.UTF8.GetBytes(html.ToString()), TestContext.Current.CancellationToken);

        Assert.Equal("Intro text.\n\nAfter.", Assert.Single(document.Sections).Text);
    }
}
