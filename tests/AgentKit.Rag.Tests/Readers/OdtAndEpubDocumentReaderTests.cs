using AgentKit.Rag.Documents;
using AgentKit.Rag.Readers;
using static AgentKit.Rag.Tests.Support.TestPackages;

namespace AgentKit.Rag.Tests.Readers;

public sealed class OdtAndEpubDocumentReaderTests
{
    private static readonly string[] HandbookPaths =
        ["Returning a product", "Returning a product > Refund timing", "Returning a product > Refund timing > Exceptions", "Shipping"];

    [Fact]
    public void Odt_PandocDocument_ReadsHeadingsListsTableAndFootnote_WithoutTheTableOfContents()
    {
        var document = ReadFixture(new OdtDocumentReader(), "returns-handbook.odt");

        Assert.Equal("Returns Handbook", document.Title);
        Assert.Equal(HandbookPaths, document.Sections.Select(s => s.SectionPath));
        Assert.Equal(
            "Customers may return most products within 30 days of delivery.\n\nElectronics have 14 days.\n\n- Keep the receipt.\n\n- Pack the item in its original box.",
            document.Sections[0].Text);
        Assert.Contains("Method | Days\n\nCard | 5\n\nPayPal | 2", document.Sections[1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Odt_LevelsSpacesFramesNotes_TrackedDeletionsAndIndexesLeftOut()
    {
        const string text =
            "<text:tracked-changes><text:changed-region><text:deletion><text:p>Old wording.</text:p></text:deletion></text:changed-region></text:tracked-changes>"
            + "<text:table-of-content><text:index-body><text:p>Setup 1</text:p></text:index-body></text:table-of-content>"
            + "<text:p text:style-name=\"P1\">Installer Guide</text:p>"
            + "<text:list><text:list-item><text:h text:outline-level=\"1\">Setup</text:h></text:list-item></text:list>"
            + "<text:h text:outline-level=\"3\">Options</text:h>"
            + "<text:p>Use<text:s text:c=\"3\"/>the<text:tab/>flag<text:line-break/>--quiet.<text:note text:note-class=\"footnote\"><text:note-citation>1</text:note-citation>"
            + "<text:note-body><text:p>Since version 2.</text:p></text:note-body></text:note></text:p>"
            + "<text:p>Anchor: <draw:frame><draw:text-box><text:p>Boxed tip.</text:p></draw:text-box></draw:frame></text:p>"
            + "<table:table><table:table-row><table:table-cell><text:p>Flag</text:p></table:table-cell><table:table-cell><text:p>Effect</text:p></table:table-cell></table:table-row></table:table>"
            + "<text:alphabetical-index><text:index-body><text:p>quiet, 3</text:p></text:index-body></text:alphabetical-index>";
        const string styles = "<style:style style:name=\"P1\" style:family=\"paragraph\" style:parent-style-name=\"Title\"/>";

        var document = new OdtDocumentReader().Read("/docs/guide.odt", Odt(text, automaticStyles: styles), TestContext.Current.CancellationToken);

        Assert.Equal("Installer Guide", document.Title);
        var section = Assert.Single(document.Sections);
        Assert.Equal("Setup > Options", section.SectionPath);
        Assert.Equal("Use the flag\n--quiet.\n\nSince version 2.\n\nAnchor: Boxed tip.\n\nFlag | Effect", section.Text);
    }

    [Fact]
    public void Odt_SavedByLibreOffice_PagesFromSoftAndExplicitBreaks()
    {
        // LibreOffice 7.4 saved its layout: one soft page break before "Case 25", and "Warranty" breaks before itself.
        var document = ReadFixture(new OdtDocumentReader(), "returns-policy-pages.odt");

        Assert.Equal(["Returns", "Returns", "Warranty"], document.Sections.Select(s => s.SectionPath));
        Assert.Equal([1, 2, 3], document.Sections.Select(s => s.Page ?? 0));
        Assert.StartsWith("Case 1:", document.Sections[0].Text, StringComparison.Ordinal);
        Assert.EndsWith("store credit is immediate.", document.Sections[0].Text, StringComparison.Ordinal);
        Assert.StartsWith("Case 25:", document.Sections[1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Odt_PageBreaksFromStylesAndTheirParents_IndexesCounted_OnlyWithSoftPageBreaksDeclared()
    {
        const string named =
            "<style:style style:name=\"Chapter\" style:family=\"paragraph\"><style:paragraph-properties fo:break-before=\"page\"/></style:style>"
            + "<style:default-style style:family=\"paragraph\"><style:paragraph-properties fo:break-after=\"page\"/></style:default-style>";
        const string automatic =
            "<style:style style:name=\"P1\" style:family=\"paragraph\" style:parent-style-name=\"Chapter\"><style:text-properties/></style:style>"
            + "<style:style style:name=\"P2\" style:family=\"paragraph\"><style:paragraph-properties fo:break-after=\"page\"/></style:style>"
            + "<style:style style:name=\"P3\" style:family=\"paragraph\" style:master-page-name=\"Standard\"/>"
            + "<style:style style:name=\"T1\" style:family=\"table\"><style:table-properties fo:break-before=\"page\"/></style:style>";
        const string text =
            "<text:p text:style-name=\"P3\">Opening.</text:p>"
            + "<text:table-of-content><text:index-body><text:p>Setup 1</text:p><text:soft-page-break/><text:p>Usage 3</text:p></text:index-body></text:table-of-content>"
            + "<text:h text:outline-level=\"1\" text:style-name=\"P1\">Setup</text:h>"
            + "<text:p text:style-name=\"P2\">Ends its page.</text:p>"
            + "<text:p>Runs over<text:soft-page-break/> a break.</text:p>"
            + "<text:p>After it.</text:p>"
            + "<table:table table:style-name=\"T1\"><table:table-row><table:table-cell><text:p>Cell</text:p></table:table-cell></table:table-row></table:table>";

        Assert.Equal(
            [(1, "Opening."), (3, "Ends its page."), (4, "Runs over a break."), (5, "After it."), (6, "Cell")],
            Read(Odt(text, automaticStyles: automatic, textAttributes: "text:use-soft-page-breaks=\"true\"", styles: named)));
        Assert.Equal(
            [(5, "Cell")],
            Read(Odt(text, automaticStyles: automatic, textAttributes: "text:use-soft-page-breaks=\"true\"", styles: named, pageCount: 5)).Skip(4));
        Assert.All(
            Read(Odt(text, automaticStyles: automatic, styles: named)),
            s => Assert.Equal(0, s.Page));

        static (int Page, string Text)[] Read(byte[] odt) =>
            new OdtDocumentReader().Read("/docs/paged.odt", odt, TestContext.Current.CancellationToken).Sections
                .SelectMany(s => s.Text.Split("\n\n").Select(paragraph => (s.Page ?? 0, paragraph))).ToArray();
    }

    [Fact]
    public void Odt_ListsOfLinksIntoTheDocument_AreTablesOfContents()
    {
        const string link = "<text:a xmlns:xlink=\"http://www.w3.org/1999/xlink\" xlink:href=";
        const string text =
            "<text:h text:outline-level=\"1\">Guide</text:h>"
            + "<text:list><text:list-item><text:p>" + link + "\"#Setup\">Setup</text:a></text:p></text:list-item>"
            + "<text:list-item><text:p>" + link + "\"#Usage\">Usage</text:a></text:p></text:list-item></text:list>"
            + "<text:list><text:list-item><text:p>" + link + "\"https://example.org/\">Project site</text:a></text:p></text:list-item></text:list>";

        var document = new OdtDocumentReader().Read("a.odt", Odt(text), TestContext.Current.CancellationToken);

        Assert.Equal("- Project site", Assert.Single(document.Sections).Text);
    }

    [Fact]
    public void Odt_MetaTitle_WinsOverHeadings()
    {
        var document = new OdtDocumentReader().Read("a.odt", Odt("<text:h text:outline-level=\"1\">Intro</text:h><text:p>Body.</text:p>", metaTitle: "The Manual"), TestContext.Current.CancellationToken);

        Assert.Equal("The Manual", document.Title);
    }

    [Fact]
    public void Odt_Spreadsheet_IsCorruptNamingItsType()
    {
        var error = Assert.Throws<DocumentReadException>(() => new OdtDocumentReader().Read(
            "/in/sheet.odt", Odt("<text:p>x</text:p>", mimetype: "application/vnd.oasis.opendocument.spreadsheet"), TestContext.Current.CancellationToken));

        Assert.Equal(DocumentReadFailure.Corrupt, error.Failure);
        Assert.Contains("opendocument.spreadsheet", error.Message, StringComparison.Ordinal);
        Assert.Contains("/in/sheet.odt", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Odt_ZipBomb_StopsAtTheExpansionLimit()
    {
        var bomb = Odt(string.Concat(Enumerable.Repeat("<text:p>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</text:p>", 200_000)));

        var error = Assert.Throws<DocumentReadException>(() => new OdtDocumentReader(maxExpandedBytes: 1024 * 1024).Read("bomb.odt", bomb, TestContext.Current.CancellationToken));

        Assert.Equal(DocumentReadFailure.TooLarge, error.Failure);
    }

    [Theory]
    [InlineData("returns-handbook.epub")]
    [InlineData("returns-handbook-epub2.epub")]
    public void Epub_PandocBook_ReadsChaptersInOrder_WithoutNavigationOrNoteMarks(string fixture)
    {
        var document = ReadFixture(new EpubDocumentReader(), fixture);

        Assert.Equal("Returns Handbook", document.Title);
        Assert.Equal(HandbookPaths, document.Sections.Select(s => s.SectionPath));
        Assert.Equal(
            "Customers may return most products within 30 days of delivery.\n\n- Keep the receipt.\n\n- Pack the item in its original box.",
            document.Sections[0].Text);
        Assert.Contains("Electronics have 14 days.", document.Sections[2].Text, StringComparison.Ordinal);
        Assert.DoesNotContain(document.Sections, s => s.Text.Contains('↩'));
    }

    [Fact]
    public void Epub_SpineOrder_PageTitlesAndFreshHeadings()
    {
        var book = Epub(
            "Field Guide",
            [
                ("b", "text/b.xhtml", Xhtml("Birds", "<p>Intro to birds.</p><h2>Owls</h2><p>Owls hunt at night.</p>")),
                ("c", "text/c.xhtml", Xhtml("c.xhtml", "<p>Untitled page text.</p>")),
                ("a", "text/a.xhtml", Xhtml("Field Guide", "<h1>Trees</h1><h2>Oaks</h2><p>Oaks drop acorns.</p>")),
                ("nav", "nav.xhtml", Xhtml("Contents", "<nav epub:type=\"toc\"><ol><li><a href=\"text/a.xhtml\">Trees</a></li></ol></nav><p>Contents page text.</p>")),
            ],
            spine: ["a", "b", "c", "nav"],
            manifestExtra: "<item id=\"nav2\" href=\"nav.xhtml\" media-type=\"application/xhtml+xml\" properties=\"nav\"/>"
                + "<item id=\"cover\" href=\"cover.svg\" media-type=\"image/svg+xml\"/>");

        var document = new EpubDocumentReader().Read("/books/guide.epub", book, TestContext.Current.CancellationToken);

        Assert.Equal("Field Guide", document.Title);
        Assert.Equal(
            [("Trees > Oaks", "Oaks drop acorns."), ("Birds", "Intro to birds."), ("Birds > Owls", "Owls hunt at night."), ("", "Untitled page text."), ("Contents", "Contents page text.")],
            document.Sections.Select(s => (s.SectionPath, s.Text)));
    }

    [Fact]
    public void Epub_NavigationDocument_IsLeftOut()
    {
        var navBook = Epub(
            "Book",
            [("c1", "c1.xhtml", Xhtml("One", "<h1>One</h1><p>First.</p>"))],
            spine: ["toc", "c1"],
            manifestExtra: "<item id=\"toc\" href=\"toc.xhtml\" media-type=\"application/xhtml+xml\" properties=\"nav\"/>",
            extraParts: [("OEBPS/toc.xhtml", Xhtml("Contents", "<p>One .... 1</p>"))]);

        var document = new EpubDocumentReader().Read("b.epub", navBook, TestContext.Current.CancellationToken);

        Assert.Equal(("One", "First."), (Assert.Single(document.Sections).SectionPath, document.Sections[0].Text));
    }

    [Fact]
    public void Epub_EncryptedPages_AreEncrypted_ObfuscatedFontsAreNot()
    {
        static byte[] Book(string algorithm, string uri) => Epub(
            "Locked",
            [("c1", "c1.xhtml", Xhtml("One", "<p>Text.</p>"))],
            spine: ["c1"],
            extraParts: [("META-INF/encryption.xml",
                "<encryption xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\" xmlns:enc=\"http://www.w3.org/2001/04/xmlenc#\">"
                + $"<enc:EncryptedData><enc:EncryptionMethod Algorithm=\"{algorithm}\"/><enc:CipherData><enc:CipherReference URI=\"{uri}\"/></enc:CipherData></enc:EncryptedData></encryption>")]);

        var error = Assert.Throws<DocumentReadException>(() => new EpubDocumentReader().Read("/b/locked.epub", Book("http://www.w3.org/2001/04/xmlenc#aes128-cbc", "OEBPS/c1.xhtml"), TestContext.Current.CancellationToken));
        Assert.Equal(DocumentReadFailure.Encrypted, error.Failure);
        Assert.Contains("OEBPS/c1.xhtml", error.Message, StringComparison.Ordinal);

        var fonts = new EpubDocumentReader().Read("fonts.epub", Book("http://www.idpf.org/2008/embedding", "OEBPS/c1.xhtml"), TestContext.Current.CancellationToken);
        Assert.Equal("Text.", Assert.Single(fonts.Sections).Text);
    }

    [Fact]
    public void Epub_MissingContainer_WrongMimetype_PathsOutsideThePackage()
    {
        var noContainer = Zip(("mimetype", "application/epub+zip"), ("OEBPS/book.opf", "<package/>"));
        var wrongType = Zip(("mimetype", "application/zip"));
        var escaping = Epub("Escape", [("c1", "../../etc/passwd", "x"), ("c2", "ok.xhtml", Xhtml("Ok", "<p>Kept.</p>"))], spine: ["c1", "c2"]);

        var missing = Assert.Throws<DocumentReadException>(() => new EpubDocumentReader().Read("/b/x.epub", noContainer, TestContext.Current.CancellationToken));
        Assert.Equal(DocumentReadFailure.Corrupt, missing.Failure);
        Assert.Contains("META-INF/container.xml", missing.Message, StringComparison.Ordinal);
        Assert.Contains("application/zip", Assert.Throws<DocumentReadException>(() => new EpubDocumentReader().Read("y.epub", wrongType, TestContext.Current.CancellationToken)).Message, StringComparison.Ordinal);
        Assert.Equal("Kept.", Assert.Single(new EpubDocumentReader().Read("z.epub", escaping, TestContext.Current.CancellationToken).Sections).Text);
    }

    [Fact]
    public void Epub_ZipBomb_StopsAtTheExpansionLimit()
    {
        var page = Xhtml("Big", string.Concat(Enumerable.Repeat("<p>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</p>", 100_000)));
        var bomb = Epub("Bomb", [("c1", "c1.xhtml", page)], spine: ["c1"]);

        var error = Assert.Throws<DocumentReadException>(() => new EpubDocumentReader(maxExpandedBytes: 1024 * 1024).Read("bomb.epub", bomb, TestContext.Current.CancellationToken));

        Assert.Equal(DocumentReadFailure.TooLarge, error.Failure);
    }

    private static RagDocument ReadFixture(IDocumentReader reader, string name)
    {
        var path = Fixture(name);
        return reader.Read(path, File.ReadAllBytes(path), TestContext.Current.CancellationToken);
    }
}
