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
}
