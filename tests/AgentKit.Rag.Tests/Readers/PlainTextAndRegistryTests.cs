using System.Text;
using AgentKit.Rag.Readers;

namespace AgentKit.Rag.Tests.Readers;

public sealed class PlainTextAndRegistryTests
{
    [Fact]
    public void PlainText_IsOneSectionTitledByFileName_WithLineEndsNormalised()
    {
        var document = new PlainTextDocumentReader().Read("/notes/todo list.txt", Encoding.UTF8.GetBytes("line one\r\nline two\r\n"), TestContext.Current.CancellationToken);

        Assert.Equal("todo list", document.Title);
        Assert.Equal("line one\nline two", Assert.Single(document.Sections).Text);
    }

    [Fact]
    public void PlainText_Latin1Bytes_AreDecoded()
    {
        var document = new PlainTextDocumentReader().Read("a.txt", new byte[] { (byte)'c', (byte)'a', (byte)'f', 0xE9 }, TestContext.Current.CancellationToken);

        Assert.Equal("café", Assert.Single(document.Sections).Text);
    }

    [Fact]
    public void PlainText_BinaryContent_IsCorrupt()
    {
        var error = Assert.Throws<DocumentReadException>(() => new PlainTextDocumentReader().Read("blob.txt", new byte[] { 1, 0, 2, 0 }, TestContext.Current.CancellationToken));

        Assert.Equal(DocumentReadFailure.Corrupt, error.Failure);
        Assert.Contains("blob.txt", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a.PDF", typeof(PdfDocumentReader))]
    [InlineData("b.md", typeof(MarkdownDocumentReader))]
    [InlineData("c.htm", typeof(HtmlDocumentReader))]
    [InlineData("d.txt", typeof(PlainTextDocumentReader))]
    public void Registry_Default_FindsReaderByExtension(string path, Type expected)
    {
        Assert.True(DocumentReaderRegistry.CreateDefault().TryGetReader(path, out var reader));
        Assert.IsType(expected, reader);
    }

    [Fact]
    public void Registry_UnknownExtension_HasNoReader()
    {
        Assert.False(DocumentReaderRegistry.CreateDefault().TryGetReader("image.png", out _));
        Assert.False(DocumentReaderRegistry.CreateDefault().TryGetReader("Makefile", out _));
    }
}
