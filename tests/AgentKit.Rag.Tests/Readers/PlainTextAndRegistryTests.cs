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
    [InlineData("e.rst", typeof(PlainTextDocumentReader))]
    [InlineData("f.adoc", typeof(PlainTextDocumentReader))]
    [InlineData("g.DOCX", typeof(DocxDocumentReader))]
    [InlineData("g.pptx", typeof(PptxDocumentReader))]
    [InlineData("g.xlsx", typeof(XlsxDocumentReader))]
    [InlineData("g.csv", typeof(CsvDocumentReader))]
    [InlineData("g.tsv", typeof(CsvDocumentReader))]
    [InlineData("g.ods", typeof(OdsDocumentReader))]
    [InlineData("g.odp", typeof(OdpDocumentReader))]
    [InlineData("h.odt", typeof(OdtDocumentReader))]
    [InlineData("i.epub", typeof(EpubDocumentReader))]
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

    private static Documents.RagDocument ReadText(string path, string text) =>
        new PlainTextDocumentReader().Read(path, Encoding.UTF8.GetBytes(text), TestContext.Current.CancellationToken);

    [Fact]
    public void PlainText_UnderlinedTitles_AreHeadingsLevelledByFirstAppearance()
    {
        var document = ReadText("/docs/guide.rst", """
            ==========
             Triggers
            ==========

            A trigger records an event.

            Concepts
            ========

            Each trigger is named.

            Explicit triggers
            -----------------

            Run dpkg-trigger.
            Not a heading
            -------------
                Indented
                --------

            Short title too long
            ----

            File triggers
            -------------

            Matched by path.
            """);

        Assert.Equal("Triggers", document.Title);
        Assert.Equal(
            [["Triggers"], ["Triggers", "Concepts"], ["Triggers", "Concepts", "Explicit triggers"], ["Triggers", "Concepts", "File triggers"]],
            document.Sections.Select(s => s.HeadingPath.ToArray()));
        var explicitTriggers = document.Sections[2].Text;
        // A line under text (no blank line before it), an indented line and an underline much shorter than its line are text.
        Assert.Equal("Run dpkg-trigger.\nNot a heading\n-------------\n    Indented\n    --------\n\nShort title too long\n----", explicitTriggers);
    }

    [Fact]
    public void AsciiDoc_OneLineTitles_AreHeadings_ButNotInsideDelimitedBlocks()
    {
        var document = ReadText("/docs/manual.adoc", """
            = User Manual

            Intro text.

            == Install

            [source,bash]
            ----
            == not a heading
            ok
            ----

            === From source

            Build it.
            """);

        Assert.Equal("User Manual", document.Title);
        Assert.Equal(
            [["User Manual"], ["User Manual", "Install"], ["User Manual", "Install", "From source"]],
            document.Sections.Select(s => s.HeadingPath.ToArray()));
        Assert.Equal("[source,bash]\n----\n== not a heading\nok\n----", document.Sections[1].Text);
    }

    [Fact]
    public void PlainText_FormFeeds_MakePagesWithoutRunningHeadersAndFooters()
    {
        // An RFC-style file: every page opens with the same header and closes with a footer that numbers it.
        string[] bodies = ["The sender opens a connection.", "Frames start with a length.", "The receiver acknowledges each frame.", "Errors close the connection.", "Security is out of scope."];
        var pages = Enumerable.Range(1, 5).Select(n =>
            $"RFC 9999                Example Transfer Protocol                May 2026\n\n"
            + (n == 2 ? "Framing\n-------\n\n" : "")
            + $"{bodies[n - 1]}\n{bodies[(n + 1) % 5]}\n\n"
            + $"Doe                          Standards Track                  [Page {n}]\n");
        var text = string.Join('\f', pages) + "\f";

        var document = ReadText("/rfc/rfc9999.txt", text);

        Assert.Equal(5, document.PageCount);
        Assert.Equal([1, 2, 3, 4, 5], document.Sections.Select(s => s.Page!.Value));
        Assert.Equal("The receiver acknowledges each frame.\nSecurity is out of scope.", document.Sections[2].Text);
        Assert.Empty(document.Sections[0].HeadingPath);
        // A heading holds over the pages after it.
        Assert.All(document.Sections.Skip(1), s => Assert.Equal(["Framing"], s.HeadingPath));
        Assert.DoesNotContain(document.Sections, s => s.Text.Contains("RFC 9999", StringComparison.Ordinal) || s.Text.Contains("[Page", StringComparison.Ordinal));
    }
}
