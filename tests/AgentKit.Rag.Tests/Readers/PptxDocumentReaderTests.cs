using AgentKit.Rag.Readers;
using static AgentKit.Rag.Tests.Support.TestPackages;

namespace AgentKit.Rag.Tests.Readers;

public sealed class PptxDocumentReaderTests
{
    private const string Namespaces =
        "xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\" "
        + "xmlns:p=\"http://schemas.openxmlformats.org/presentationml/2006/main\"";

    [Fact]
    public void PandocSlides_AreNumberedPagesTitledBySlide_WithTablesAndNotes()
    {
        var path = Fixture("returns-training.pptx");

        var document = new PptxDocumentReader().Read(path, File.ReadAllBytes(path), TestContext.Current.CancellationToken);

        Assert.Equal("Returns Training", document.Title);
        Assert.Equal(4, document.PageCount);
        Assert.Equal(
            [
                ("Return window", 2, "Most products: 30 days\n\nElectronics: 14 days\n\nNotes: Remind staff that the receipt date counts, not the order date."),
                ("Refund methods", 3, "Method | Days\n\nCard | 5\n\nPayPal | 2"),
                ("Exceptions", 4, "Perishable goods cannot be returned."),
            ],
            document.Sections.Select(s => (s.SectionPath, s.Page ?? 0, s.Text)));
    }

    [Fact]
    public void SlideOrder_IsThePresentations_RepeatedPlaceholdersLeftOut_GroupsRead()
    {
        static string Shape(string placeholder, string text) =>
            $"<p:sp><p:nvSpPr><p:cNvPr id=\"2\" name=\"s\"/><p:cNvSpPr/><p:nvPr>{placeholder}</p:nvPr></p:nvSpPr><p:spPr/>"
            + $"<p:txBody><a:bodyPr/><a:p><a:r><a:t>{text}</a:t></a:r></a:p></p:txBody></p:sp>";
        static string Slide(string shapes) => $"<?xml version=\"1.0\"?><p:sld {Namespaces}><p:cSld><p:spTree>{shapes}</p:spTree></p:cSld></p:sld>";
        var footer = Shape("<p:ph type=\"ftr\"/>", "ACME Confidential") + Shape("<p:ph type=\"sldNum\"/>", "7") + Shape("<p:ph type=\"dt\"/>", "2026-12-07");
        var package = Zip(
            ("_rels/.rels", "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                + "<Relationship Id=\"r1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"ppt/presentation.xml\"/></Relationships>"),
            ("ppt/presentation.xml", $"<p:presentation {Namespaces}><p:sldIdLst><p:sldId id=\"256\" r:id=\"rB\"/><p:sldId id=\"257\" r:id=\"rA\"/><p:sldId id=\"258\" r:id=\"rGone\"/></p:sldIdLst></p:presentation>"),
            ("ppt/_rels/presentation.xml.rels", "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                + "<Relationship Id=\"rA\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/slide\" Target=\"slides/slide1.xml\"/>"
                + "<Relationship Id=\"rB\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/slide\" Target=\"slides/slide2.xml\"/>"
                + "<Relationship Id=\"rGone\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/slide\" Target=\"slides/missing.xml\"/></Relationships>"),
            ("ppt/slides/slide1.xml", Slide(Shape("<p:ph type=\"title\"/>", "Second") + "<p:grpSp>" + Shape("", "Grouped text.") + "</p:grpSp>" + footer)),
            ("ppt/slides/slide2.xml", Slide(Shape("", "Body before the title in XML order.") + Shape("<p:ph type=\"ctrTitle\"/>", "First") + footer)));

        var document = new PptxDocumentReader().Read("/decks/q4.pptx", package, TestContext.Current.CancellationToken);

        Assert.Equal("First", document.Title);
        Assert.Equal(
            [("First", 1, "Body before the title in XML order."), ("Second", 2, "Grouped text.")],
            document.Sections.Select(s => (s.SectionPath, s.Page ?? 0, s.Text)));
    }

    [Fact]
    public void RelationshipIdGivenTwice_TheFirstWins()
    {
        // Found by the package fuzzer (AgentKit.Hostile.Tests): a repeated id threw ArgumentException.
        var slide = $"<p:sld {Namespaces}><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>Only slide.</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>";
        var package = Zip(
            ("ppt/presentation.xml", $"<p:presentation {Namespaces}><p:sldIdLst><p:sldId id=\"256\" r:id=\"r1\"/></p:sldIdLst></p:presentation>"),
            ("ppt/_rels/presentation.xml.rels", "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                + "<Relationship Id=\"r1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/slide\" Target=\"slides/slide1.xml\"/>"
                + "<Relationship Id=\"r1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/slide\" Target=\"slides/other.xml\"/></Relationships>"),
            ("ppt/slides/slide1.xml", slide));

        var document = new PptxDocumentReader().Read("d.pptx", package, TestContext.Current.CancellationToken);

        Assert.Equal("Only slide.", Assert.Single(document.Sections).Text);
    }

    [Fact]
    public void MissingPresentationPart_IsCorruptNamingIt()
    {
        var error = Assert.Throws<DocumentReadException>(() => new PptxDocumentReader().Read("/decks/x.pptx", Zip(("docProps/app.xml", "<Properties/>")), TestContext.Current.CancellationToken));

        Assert.Equal(DocumentReadFailure.Corrupt, error.Failure);
        Assert.Contains("ppt/presentation.xml", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Odp_LibreOfficeDeck_ReadsAsTheSameSlides()
    {
        var odp = Fixture("returns-training.odp");
        var pptx = Fixture("returns-training.pptx");

        var fromOdp = new OdpDocumentReader().Read(odp, File.ReadAllBytes(odp), TestContext.Current.CancellationToken);
        var fromPptx = new PptxDocumentReader().Read(pptx, File.ReadAllBytes(pptx), TestContext.Current.CancellationToken);

        Assert.Equal(("Returns Training", 4), (fromOdp.Title, fromOdp.PageCount));
        Assert.Equal(fromPptx.Sections.Select(s => (s.SectionPath, s.Page, s.Text)), fromOdp.Sections.Select(s => (s.SectionPath, s.Page, s.Text)));
    }

    [Fact]
    public void Odp_RepeatedFramesAndComments_AreLeftOut()
    {
        const string page =
            "<draw:page draw:name=\"p1\"><draw:frame presentation:class=\"title\"><draw:text-box><text:p>Q4 results</text:p></draw:text-box></draw:frame>"
            + "<draw:frame><draw:text-box><text:p>Revenue<text:s/>grew.</text:p><office:annotation><text:p>REVIEWER NOTE</text:p></office:annotation></draw:text-box></draw:frame>"
            + "<draw:frame presentation:class=\"footer\"><draw:text-box><text:p>ACME Confidential</text:p></draw:text-box></draw:frame>"
            + "<draw:frame presentation:class=\"page-number\"><draw:text-box><text:p><text:page-number>7</text:page-number></text:p></draw:text-box></draw:frame></draw:page>";
        var package = Zip(
            ("mimetype", "application/vnd.oasis.opendocument.presentation"),
            ("content.xml", "<office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" "
                + "xmlns:draw=\"urn:oasis:names:tc:opendocument:xmlns:drawing:1.0\" xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" "
                + "xmlns:presentation=\"urn:oasis:names:tc:opendocument:xmlns:presentation:1.0\">"
                + $"<office:body><office:presentation>{page}</office:presentation></office:body></office:document-content>"));

        var document = new OdpDocumentReader().Read("/d/q4.odp", package, TestContext.Current.CancellationToken);

        Assert.Equal(("Q4 results", 1, "Revenue grew."), (Assert.Single(document.Sections).SectionPath, document.Sections[0].Page ?? 0, document.Sections[0].Text));
    }
}
