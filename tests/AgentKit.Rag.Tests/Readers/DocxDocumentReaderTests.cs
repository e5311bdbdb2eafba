using System.Text;
using AgentKit.Rag.Documents;
using AgentKit.Rag.Readers;
using AgentKit.Rag.Tests.Support;
using static AgentKit.Rag.Tests.Support.TestPackages;

namespace AgentKit.Rag.Tests.Readers;

public sealed class DocxDocumentReaderTests
{
    private static RagDocument Read(byte[] bytes, string path = "/docs/guide.docx") =>
        new DocxDocumentReader().Read(path, bytes, TestContext.Current.CancellationToken);

    [Fact]
    public void PandocDocument_ReadsHeadingsListsTableAndFootnote_WithoutTheTableOfContents()
    {
        var path = Fixture("returns-handbook.docx");

        var document = new DocxDocumentReader().Read(path, File.ReadAllBytes(path), TestContext.Current.CancellationToken);

        Assert.Equal("Returns Handbook", document.Title);
        Assert.Equal(
            ["Returning a product", "Returning a product > Refund timing", "Returning a product > Refund timing > Exceptions", "Shipping"],
            document.Sections.Select(s => s.SectionPath));
        Assert.Equal(
            "Customers may return most products within 30 days of delivery.\n\nElectronics have 14 days.\n\n- Keep the receipt.\n\n- Pack the item in its original box.",
            document.Sections[0].Text);
        Assert.Contains("Method | Days\n\nCard | 5\n\nPayPal | 2", document.Sections[1].Text, StringComparison.Ordinal);
        Assert.All(document.Sections, s => Assert.Null(s.Page));
        Assert.DoesNotContain(document.Sections, s => s.Text.Contains("Table of Contents", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void WordStyles_HeadingsByNameAndOutlineLevel_LocalizedIdsAndBaseStyles()
    {
        const string styles =
            "<w:style w:type=\"paragraph\" w:styleId=\"berschrift1\"><w:name w:val=\"heading 1\"/></w:style>"
            + "<w:style w:type=\"paragraph\" w:styleId=\"berschrift2\"><w:name w:val=\"heading 2\"/><w:rPr><w:b/></w:rPr></w:style>"
            + "<w:style w:type=\"paragraph\" w:styleId=\"Outline\"><w:name w:val=\"Chapter base\"/><w:pPr><w:outlineLvl w:val=\"2\"/></w:pPr></w:style>"
            + "<w:style w:type=\"paragraph\" w:styleId=\"Chapter\"><w:name w:val=\"Chapter\"/><w:basedOn w:val=\"Outline\"/></w:style>"
            + "<w:style w:type=\"paragraph\" w:styleId=\"BodyText\"><w:name w:val=\"Body Text\"/><w:pPr><w:outlineLvl w:val=\"9\"/></w:pPr></w:style>"
            + "<w:style w:type=\"paragraph\" w:styleId=\"Titel\"><w:name w:val=\"Title\"/></w:style>"
            + "<w:style w:type=\"paragraph\" w:styleId=\"Appendix\"><w:name w:val=\"Appendix heading\"/><w:basedOn w:val=\"berschrift2\"/></w:style>";
        var body = WordParagraph("Anleitung", "Titel")
            + WordParagraph("Einleitung", "berschrift1")
            + WordParagraph("Erster Absatz.", "BodyText")
            + WordParagraph("Details", "berschrift2")
            + WordParagraph("Tief", "Chapter")
            + WordParagraph("Text unter Tief.")
            + "<w:p><w:pPr><w:outlineLvl w:val=\"0\"/></w:pPr><w:r><w:t>Direct</w:t></w:r></w:p>"
            + WordParagraph("Ende.")
            + WordParagraph("Anhang", "Appendix")
            + WordParagraph("Zuletzt.");

        var document = Read(Docx(body, styles));

        Assert.Equal("Anleitung", document.Title);
        Assert.Equal(
            [("Einleitung", "Erster Absatz."), ("Einleitung > Details > Tief", "Text unter Tief."), ("Direct", "Ende."), ("Direct > Anhang", "Zuletzt.")],
            document.Sections.Select(s => (s.SectionPath, s.Text)));
    }

    [Fact]
    public void NoStylesPart_HeadingIdsStillRead_AndCorePropertiesNameTheDocument()
    {
        var document = Read(Docx(WordParagraph("Setup", "Heading2") + WordParagraph("Run the installer."), coreTitle: " Installer  guide "));

        Assert.Equal("Installer guide", document.Title);
        Assert.Equal(("Setup", "Run the installer."), (document.Sections[0].SectionPath, document.Sections[0].Text));
    }

    [Fact]
    public void GeneratedTablesOfContentsAndIndexes_AreLeftOut()
    {
        const string styles = "<w:style w:type=\"paragraph\" w:styleId=\"TOC1\"><w:name w:val=\"toc 1\"/></w:style>";
        var body =
            // A TOC field spanning paragraphs, its code split over two runs: its result is the generated list.
            "<w:p><w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText xml:space=\"preserve\"> TO</w:instrText></w:r>"
            + "<w:r><w:instrText xml:space=\"preserve\">C \\o \"1-3\" \\h </w:instrText></w:r>"
            + "<w:r><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t>Chapter one 1</w:t></w:r></w:p>"
            + "<w:p><w:r><w:t>Chapter two 7</w:t></w:r><w:r><w:fldChar w:fldCharType=\"end\"/></w:r></w:p>"
            // A content control of the Table of Contents gallery.
            + "<w:sdt><w:sdtPr><w:docPartObj><w:docPartGallery w:val=\"Table of Contents\"/><w:docPartUnique/></w:docPartObj></w:sdtPr>"
            + $"<w:sdtContent>{WordParagraph("Contents")}{WordParagraph("Chapter one 1", "TOC1")}</w:sdtContent></w:sdt>"
            // A paragraph in a toc style outside any field.
            + WordParagraph("Stray entry 3", "TOC1")
            + WordParagraph("Chapter one", "Heading1")
            // A page-number field is kept as its result; a simple INDEX field is left out.
            + "<w:p><w:r><w:t xml:space=\"preserve\">See page </w:t></w:r><w:r><w:fldChar w:fldCharType=\"begin\"/></w:r>"
            + "<w:r><w:instrText> PAGEREF _Toc1 \\h </w:instrText></w:r><w:r><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t>12</w:t></w:r>"
            + "<w:r><w:fldChar w:fldCharType=\"end\"/></w:r><w:r><w:t>.</w:t></w:r></w:p>"
            + "<w:p><w:fldSimple w:instr=\" INDEX \\c 2 \"><w:r><w:t>apple, 3</w:t></w:r></w:fldSimple></w:p>";

        var document = Read(Docx(body, styles));

        var section = Assert.Single(document.Sections);
        Assert.Equal(("Chapter one", "See page 12."), (section.SectionPath, section.Text));
    }

    [Fact]
    public void ListsOfBookmarkLinks_AreTablesOfContents_OtherLinksAreText()
    {
        static string Item(string inner) => $"<w:p><w:pPr><w:numPr><w:numId w:val=\"1\"/></w:numPr></w:pPr>{inner}</w:p>";
        var body = WordParagraph("Guide", "Heading1")
            + Item("<w:hyperlink w:anchor=\"setup\"><w:r><w:t>Setup</w:t></w:r></w:hyperlink>")
            + Item("<w:hyperlink w:anchor=\"usage\"><w:r><w:t>Usage</w:t></w:r></w:hyperlink>")
            + Item("<w:hyperlink w:anchor=\"setup\"><w:r><w:t>Setup</w:t></w:r></w:hyperlink><w:r><w:t xml:space=\"preserve\"> explains the installer options in detail.</w:t></w:r>")
            + Item("<w:hyperlink r:id=\"rId9\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><w:r><w:t>Project site</w:t></w:r></w:hyperlink>")
            + "<w:p><w:hyperlink w:anchor=\"usage\"><w:r><w:t>See usage</w:t></w:r></w:hyperlink></w:p>";

        var document = Read(Docx(body));

        Assert.Equal("- Setup explains the installer options in detail.\n\n- Project site\n\nSee usage", Assert.Single(document.Sections).Text);
    }

    [Fact]
    public void TrackedChanges_ReadAsAccepted_TextBoxesOnce_NotesAfterTheirParagraph()
    {
        var body =
            "<w:p><w:r><w:t xml:space=\"preserve\">Returns take </w:t></w:r><w:del w:id=\"1\"><w:r><w:delText>14</w:delText></w:r></w:del>"
            + "<w:ins w:id=\"2\"><w:r><w:t>30</w:t></w:r></w:ins><w:r><w:t xml:space=\"preserve\"> days.</w:t></w:r>"
            + "<w:r><w:footnoteReference w:id=\"2\"/></w:r></w:p>"
            + "<w:p><w:r><w:t>Label:</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing><wps:txbx><w:txbxContent>"
            + WordParagraph("Fragile items ship insured.")
            + "</w:txbxContent></wps:txbx></w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent>"
            + WordParagraph("Fragile items ship insured.")
            + "</w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>"
            + "<w:p><w:pPr><w:numPr><w:ilvl w:val=\"0\"/><w:numId w:val=\"3\"/></w:numPr></w:pPr><w:r><w:t>Keep</w:t><w:tab/><w:t>the receipt</w:t><w:br/><w:t>always</w:t></w:r></w:p>";
        const string footnotes =
            "<w:footnote w:type=\"separator\" w:id=\"-1\"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>"
            + "<w:footnote w:id=\"2\"><w:p><w:r><w:t>Electronics: 14 days.</w:t></w:r></w:p></w:footnote>";

        var document = Read(Docx(body, footnotes: footnotes));

        Assert.Equal(
            "Returns take 30 days.\n\nElectronics: 14 days.\n\nLabel: Fragile items ship insured.\n\n- Keep the receipt\nalways",
            Assert.Single(document.Sections).Text);
    }

    [Fact]
    public void Tables_AreRowsOfCells_NestedTablesJoinTheirCell()
    {
        var body = "<w:tbl><w:tblPr/><w:tr><w:tc>" + WordParagraph("Method") + "</w:tc><w:tc>" + WordParagraph("Days") + "</w:tc></w:tr>"
            + "<w:tr><w:tc>" + WordParagraph("Card") + WordParagraph("(Visa)") + "</w:tc><w:tc><w:tbl><w:tr><w:tc>" + WordParagraph("5")
            + "</w:tc><w:tc>" + WordParagraph("working") + "</w:tc></w:tr></w:tbl></w:tc></w:tr></w:tbl>"
            + WordParagraph("After the table.");

        var document = Read(Docx(body));

        Assert.Equal("Method | Days\n\nCard (Visa) | 5 working\n\nAfter the table.", Assert.Single(document.Sections).Text);
    }

    [Fact]
    public void StrictOpenXml_IsRead()
    {
        var document = Read(Docx(
            WordParagraph("Strict", "Heading1") + WordParagraph("Body."),
            namespaces: "xmlns:w=\"http://purl.oclc.org/ooxml/wordprocessingml/main\""));

        Assert.Equal(("Strict", "Body."), (document.Sections[0].SectionPath, document.Sections[0].Text));
    }

    [Fact]
    public void NotAZip_IsCorruptNamingTheFile()
    {
        var error = Assert.Throws<DocumentReadException>(() => Read(Encoding.UTF8.GetBytes("plain text, not a package"), "/in/report.docx"));

        Assert.Equal(DocumentReadFailure.Corrupt, error.Failure);
        Assert.Contains("/in/report.docx", error.Message, StringComparison.Ordinal);
        Assert.Contains("not a Word document", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PasswordProtected_IsEncrypted_LegacyDoc_IsCorrupt()
    {
        byte[] magic = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        var encrypted = magic.Concat(new byte[512]).Concat(Encoding.Unicode.GetBytes("EncryptedPackage")).ToArray();
        var legacy = File.ReadAllBytes(Fixture("returns-handbook.doc"));
        var otherLegacy = magic.Concat(new byte[512]).Concat(Encoding.Unicode.GetBytes("Workbook")).ToArray();

        Assert.Equal(DocumentReadFailure.Encrypted, Assert.Throws<DocumentReadException>(() => Read(encrypted)).Failure);
        var error = Assert.Throws<DocumentReadException>(() => Read(legacy));
        var otherError = Assert.Throws<DocumentReadException>(() => Read(otherLegacy));
        Assert.Equal((DocumentReadFailure.Corrupt, DocumentReadFailure.Corrupt), (error.Failure, otherError.Failure));
        Assert.Contains("Word 97–2003 document", error.Message, StringComparison.Ordinal);
        Assert.Contains("name it .doc", error.Message, StringComparison.Ordinal);
        Assert.Contains("legacy", otherError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ZipBomb_StopsAtTheExpansionLimit()
    {
        // 8 MiB of one repeated paragraph compresses to a few KiB.
        var paragraph = WordParagraph("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        var bomb = Docx(string.Concat(Enumerable.Repeat(paragraph, 8 * 1024 * 1024 / paragraph.Length)));
        Assert.True(bomb.Length < 256 * 1024);

        var error = Assert.Throws<DocumentReadException>(() => new DocxDocumentReader(maxExpandedBytes: 1024 * 1024).Read("bomb.docx", bomb, TestContext.Current.CancellationToken));

        Assert.Equal(DocumentReadFailure.TooLarge, error.Failure);
        Assert.Contains("MaxExpandedBytes", error.Message, StringComparison.Ordinal);
        Assert.Contains("word/document.xml", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DocumentTypeDeclaration_IsRefused_NoEntityIsExpanded()
    {
        var document = "<?xml version=\"1.0\"?><!DOCTYPE w:document [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
            + $"<w:document {WordNamespaces}><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>";
        var package = Zip(("_rels/.rels", "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"/>"), ("word/document.xml", document));

        var error = Assert.Throws<DocumentReadException>(() => Read(package, "/in/xxe.docx"));

        Assert.Equal(DocumentReadFailure.Corrupt, error.Failure);
        Assert.Contains("word/document.xml", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingDocumentPart_AndBrokenXml_AreCorruptNamingThePart()
    {
        var empty = Zip(("docProps/app.xml", "<Properties/>"));
        var broken = Zip(("word/document.xml", $"<w:document {WordNamespaces}><w:body><w:p>"));

        Assert.Contains("word/document.xml", Assert.Throws<DocumentReadException>(() => Read(empty)).Message, StringComparison.Ordinal);
        var error = Assert.Throws<DocumentReadException>(() => Read(broken));
        Assert.Equal(DocumentReadFailure.Corrupt, error.Failure);
        Assert.Contains("part 'word/document.xml' is malformed XML", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DeeplyNestedParagraphsAndFields_AreReadWithoutRecursion()
    {
        const int depth = 20_000;
        var body = new StringBuilder();
        for (var i = 0; i < depth; i++)
        {
            body.Append("<w:p><w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:t>x</w:t></w:r><w:r><w:txbxContent>");
        }

        for (var i = 0; i < depth; i++)
        {
            body.Append("</w:txbxContent></w:r></w:p>");
        }

        body.Append(WordParagraph("Still read."));

        var document = Read(Docx(body.ToString()));

        Assert.EndsWith("Still read.", document.Sections[^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void RenderedPageBreaks_PageEachParagraphWhereItsTextStarts_ExplicitBreaksCountedOnce()
    {
        const string styles = "<w:style w:type=\"paragraph\" w:styleId=\"Heading1\"><w:name w:val=\"heading 1\"/></w:style>";
        const string rendered = "<w:r><w:lastRenderedPageBreak/></w:r>";
        var body =
            "<w:p><w:pPr><w:pageBreakBefore/></w:pPr><w:r><w:t>Guide</w:t></w:r></w:p>".Replace("<w:pPr>", "<w:pPr><w:pStyle w:val=\"Heading1\"/>", StringComparison.Ordinal)
            + WordParagraph("First page text.")
            // A paragraph that runs over the page: it is where it starts.
            + "<w:p><w:r><w:t xml:space=\"preserve\">Long paragraph starts here</w:t><w:lastRenderedPageBreak/><w:t xml:space=\"preserve\"> and ends on page two.</w:t></w:r></w:p>"
            + WordParagraph("Second page text.")
            // An explicit break, and Word's rendered break at the top of the next page: one page.
            + "<w:p><w:r><w:t>Last words of page two.</w:t><w:br w:type=\"page\"/></w:r></w:p>"
            + $"<w:p>{rendered}<w:r><w:t>Top of page three.</w:t></w:r></w:p>"
            // A new-page section ends here; the next page starts with an empty paragraph, which gets no rendered break.
            + "<w:p><w:pPr><w:sectPr><w:type w:val=\"nextPage\"/></w:sectPr></w:pPr><w:r><w:t>End of section.</w:t></w:r></w:p>"
            + "<w:p/>"
            + WordParagraph("Page four text.")
            // A continuous section and a tracked change's old properties start no page.
            + "<w:p><w:pPr><w:sectPr><w:type w:val=\"continuous\"/></w:sectPr><w:pPrChange w:id=\"1\"><w:pPr><w:pageBreakBefore/></w:pPr></w:pPrChange></w:pPr><w:r><w:t>Still four.</w:t></w:r></w:p>"
            + $"<w:p><w:pPr><w:pStyle w:val=\"Heading1\"/><w:pageBreakBefore/></w:pPr>{rendered}<w:r><w:t>Chapter</w:t></w:r></w:p>"
            + "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Cell</w:t></w:r></w:p></w:tc></w:tr>"
            + $"<w:tr><w:tc><w:p>{rendered}<w:r><w:t>Next row</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
            + "<w:sectPr><w:type w:val=\"nextPage\"/></w:sectPr>";

        var document = Read(Docx(body, styles, pages: 6));

        Assert.Equal(
            [
                ("Guide", 1, "First page text.\n\nLong paragraph starts here and ends on page two."),
                ("Guide", 2, "Second page text.\n\nLast words of page two."),
                ("Guide", 3, "Top of page three.\n\nEnd of section."),
                ("Guide", 4, "Page four text.\n\nStill four."),
                ("Chapter", 5, "Cell"),
                ("Chapter", 6, "Next row"),
            ],
            document.Sections.Select(s => (s.SectionPath, s.Page ?? 0, s.Text)));
    }

    [Fact]
    public void PageNumbers_StopAtTheStatedCount_CountTablesOfContents_AndNeedARenderedBreak()
    {
        const string rendered = "<w:r><w:lastRenderedPageBreak/></w:r>";
        var tableOfContents =
            "<w:sdt><w:sdtPr><w:docPartObj><w:docPartGallery w:val=\"Table of Contents\"/></w:docPartObj></w:sdtPr><w:sdtContent>"
            + WordParagraph("Setup 1") + $"<w:p>{rendered}<w:r><w:t>Usage 2</w:t></w:r></w:p></w:sdtContent></w:sdt>";
        var body = tableOfContents + WordParagraph("Setup text.") + $"<w:p>{rendered}<w:r><w:t>Usage text.</w:t></w:r></w:p>"
            + $"<w:p>{rendered}<w:r><w:t>Past the count.</w:t></w:r></w:p>";

        var paged = Read(Docx(body, pages: 3));
        var unpaged = Read(Docx(WordParagraph("One.") + "<w:p><w:r><w:br w:type=\"page\"/><w:t>Two.</w:t></w:r></w:p>", pages: 1));

        Assert.Equal([(2, "Setup text."), (3, "Usage text.\n\nPast the count.")], paged.Sections.Select(s => (s.Page ?? 0, s.Text)));
        Assert.Equal("One.\n\nTwo.", Assert.Single(unpaged.Sections).Text);
        Assert.Null(unpaged.Sections[0].Page);
    }

    [Fact]
    public void Cancellation_StopsReading()
    {
        var body = string.Concat(Enumerable.Repeat(WordParagraph("words"), 10_000));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => new DocxDocumentReader().Read("big.docx", Docx(body), cancelled.Token));
    }
}
