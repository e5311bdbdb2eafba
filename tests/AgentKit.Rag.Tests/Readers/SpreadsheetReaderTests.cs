using System.Text;
using AgentKit.Rag.Documents;
using AgentKit.Rag.Readers;
using static AgentKit.Rag.Tests.Support.TestPackages;

namespace AgentKit.Rag.Tests.Readers;

public sealed class SpreadsheetReaderTests
{
    private static RagDocument Csv(string text, string path = "/data/products.csv") =>
        new CsvDocumentReader().Read(path, Encoding.UTF8.GetBytes(text), TestContext.Current.CancellationToken);

    [Fact]
    public void Csv_HeaderRow_LabelsEachValue_QuotesHoldDelimitersBreaksAndQuotes()
    {
        var document = Csv("SKU,Product,Days,Notes\r\nA-100,\"Kettle, 1.7 l\",30,\r\nB-200,Headphones,14,\"Opened: \"\"as new\"\"\nonly\"\r\n\r\n");

        Assert.Equal("products", document.Title);
        Assert.Equal(
            "SKU: A-100; Product: Kettle, 1.7 l; Days: 30\n\nSKU: B-200; Product: Headphones; Days: 14; Notes: Opened: \"as new\" only",
            Assert.Single(document.Sections).Text);
    }

    [Theory]
    [InlineData("a;b;c\n1;2;3", ';')]
    [InlineData("a\tb\n1\t2", '\t')]
    [InlineData("name|size\nx|2", '|')]
    [InlineData("\"a;b\",c\n1,2", ',')]
    [InlineData("single column\n1", ',')]
    public void Csv_DelimiterIsTheCommonestInTheFirstLine(string text, char expected) =>
        Assert.Equal(expected, CsvDocumentReader.DetectDelimiter(text));

    [Fact]
    public void Csv_NumericFirstRow_IsNoHeader_TsvUsesTabs_UnclosedQuoteTakesTheRest()
    {
        Assert.Equal("1 | 2 | 3\n\n4 | 5 | 6", Assert.Single(Csv("1,2,3\n4,5,6").Sections).Text);
        Assert.Equal("Name: Ada; Role: admin, owner", Assert.Single(Csv("Name\tRole\nAda\tadmin, owner", "/x/users.tsv").Sections).Text);
        Assert.Equal("Note: open \"quote, and, more lines", Assert.Single(Csv("Note,Other\n\"open \"\"quote, and, more\nlines").Sections).Text);
    }

    [Fact]
    public void Csv_HeaderOnly_StillSaysWhatItHolds_BinaryIsCorrupt()
    {
        Assert.Equal("Order | Placed | Total", Assert.Single(Csv("Order,Placed,Total\n").Sections).Text);
        Assert.Equal(DocumentReadFailure.Corrupt, Assert.Throws<DocumentReadException>(() => new CsvDocumentReader().Read("b.csv", new byte[] { 1, 0, 2, 0 }, TestContext.Current.CancellationToken)).Failure);
    }

    [Fact]
    public void Xlsx_LibreOfficeWorkbook_SheetsAreSections_DatesAreIso_FormulasByResult()
    {
        var path = Fixture("orders.xlsx");

        var document = new XlsxDocumentReader().Read(path, File.ReadAllBytes(path), TestContext.Current.CancellationToken);

        Assert.Equal(
            [
                ("Orders", "Order: SO-1001; Placed: 2026-11-28; Total: 59.9; Paid: 1\n\nOrder: SO-1002; Placed: 2026-12-01; Total: 119.8"),
                ("Policy", "Refunds reach the card within 5 business days."),
            ],
            document.Sections.Select(s => (s.SectionPath, s.Text)));
    }

    [Fact]
    public void Xlsx_InlineAndRichStrings_GapsBooleansErrorsAndCustomDateFormats()
    {
        const string main = "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"";
        var package = Zip(
            ("_rels/.rels", "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                + "<Relationship Id=\"r1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"),
            ("xl/workbook.xml", $"<workbook {main}><sheets><sheet name=\"Stock &amp; dates\" sheetId=\"1\" r:id=\"rS\"/><sheet name=\"Gone\" sheetId=\"2\" r:id=\"rMissing\"/></sheets></workbook>"),
            ("xl/_rels/workbook.xml.rels", "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                + "<Relationship Id=\"rS\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
                + "<Relationship Id=\"rT\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\"sharedStrings.xml\"/>"
                + "<Relationship Id=\"rY\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/></Relationships>"),
            ("xl/sharedStrings.xml", $"<sst {main}><si><t>Item</t></si><si><r><t>Re</t></r><r><t>stocked</t></r><rPh><t>READING</t></rPh></si><si><t>In stock</t></si></sst>"),
            ("xl/styles.xml", $"<styleSheet {main}><numFmts><numFmt numFmtId=\"170\" formatCode=\"d&quot; days&quot;\"/><numFmt numFmtId=\"171\" formatCode=\"0.0&quot; kg&quot;\"/></numFmts>"
                + "<cellXfs><xf numFmtId=\"0\"/><xf numFmtId=\"170\"/><xf numFmtId=\"171\"/><xf numFmtId=\"22\"/></cellXfs></styleSheet>"),
            ("xl/worksheets/sheet1.xml", $"<worksheet {main}><sheetData>"
                + "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"C1\" t=\"s\"><v>1</v></c><c r=\"D1\" t=\"inlineStr\"><is><t>Weight</t></is></c><c r=\"E1\" t=\"s\"><v>2</v></c></row>"
                + "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><r><t>Ket</t></r><r><t>tle</t></r></is></c><c r=\"B2\"><v>7</v></c><c r=\"C2\" s=\"1\"><v>46354</v></c><c r=\"D2\" s=\"2\"><v>1.5</v></c><c r=\"E2\" t=\"b\"><v>1</v></c></row>"
                + "<row r=\"3\"><c t=\"str\"><f>A2&amp;\"!\"</f><v>Kettle!</v></c><c/><c s=\"3\"><v>46357.5</v></c><c t=\"e\"><v>#N/A</v></c><c t=\"s\"><v>99</v></c></row>"
                + "</sheetData></worksheet>"));

        var document = new XlsxDocumentReader().Read("/data/stock.xlsx", package, TestContext.Current.CancellationToken);

        Assert.Equal("stock", document.Title);
        var sheet = Assert.Single(document.Sections);
        Assert.Equal("Stock & dates", sheet.SectionPath);
        Assert.Equal(
            "Item: Kettle; 7; Restocked: 2026-11-28; Weight: 1.5; In stock: TRUE\n\nItem: Kettle!; Restocked: 2026-12-01 12:00:00; Weight: #N/A",
            sheet.Text);
    }

    [Fact]
    public void Xlsx_MissingWorkbookPart_IsCorrupt_ZipBombStops()
    {
        var missing = Assert.Throws<DocumentReadException>(() => new XlsxDocumentReader().Read("/d/x.xlsx", Zip(("docProps/app.xml", "<Properties/>")), TestContext.Current.CancellationToken));
        Assert.Equal(DocumentReadFailure.Corrupt, missing.Failure);
        Assert.Contains("xl/workbook.xml", missing.Message, StringComparison.Ordinal);

        var path = Fixture("orders.xlsx");
        var tooLarge = Assert.Throws<DocumentReadException>(() => new XlsxDocumentReader(maxExpandedBytes: 2048).Read(path, File.ReadAllBytes(path), TestContext.Current.CancellationToken));
        Assert.Equal(DocumentReadFailure.TooLarge, tooLarge.Failure);
    }

    [Fact]
    public void Ods_LibreOfficeSpreadsheet_ReadsAsTheSameWorkbookInExcelForm()
    {
        var ods = Fixture("orders.ods");
        var xlsx = Fixture("orders.xlsx");

        var fromOds = new OdsDocumentReader().Read(ods, File.ReadAllBytes(ods), TestContext.Current.CancellationToken);
        var fromXlsx = new XlsxDocumentReader().Read(xlsx, File.ReadAllBytes(xlsx), TestContext.Current.CancellationToken);

        Assert.Equal(fromXlsx.Sections.Select(s => (s.SectionPath, s.Text)), fromOds.Sections.Select(s => (s.SectionPath, s.Text)));
        Assert.Equal("Order: SO-1001; Placed: 2026-11-28; Total: 59.9; Paid: 1\n\nOrder: SO-1002; Placed: 2026-12-01; Total: 119.8", fromOds.Sections[0].Text);
    }

    [Fact]
    public void Ods_RepeatedCellsFillTheirColumns_RepeatedRowsReadOnce_EmptyRepeatsCostNothing()
    {
        const string sheet =
            "<office:spreadsheet><table:table table:name=\"Stock\">"
            + "<table:table-row><table:table-cell office:value-type=\"string\"><text:p>Item</text:p></table:table-cell>"
            + "<table:table-cell table:number-columns-repeated=\"2\"/><table:table-cell office:value-type=\"string\"><text:p>Note</text:p></table:table-cell></table:table-row>"
            + "<table:table-row table:number-rows-repeated=\"3\"><table:table-cell office:value-type=\"string\"><text:p>Mug</text:p></table:table-cell>"
            + "<table:table-cell office:value-type=\"boolean\" office:boolean-value=\"true\" table:number-columns-repeated=\"2\"><text:p>WAHR</text:p></table:table-cell>"
            + "<table:table-cell><office:annotation><text:p>COMMENT</text:p></office:annotation><text:p>Fragile</text:p></table:table-cell>"
            + "<table:table-cell table:number-columns-repeated=\"16000\"/></table:table-row>"
            + "<table:table-row table:number-rows-repeated=\"1048570\"><table:table-cell table:number-columns-repeated=\"1024\"/></table:table-row>"
            + "</table:table></office:spreadsheet>";
        var package = Zip(
            ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
            ("content.xml", "<office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" "
                + "xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\">"
                + $"<office:body>{sheet}</office:body></office:document-content>"));

        var document = new OdsDocumentReader().Read("/d/stock.ods", package, TestContext.Current.CancellationToken);

        Assert.Equal(("Stock", "Item: Mug; TRUE; TRUE; Note: Fragile"), (Assert.Single(document.Sections).SectionPath, document.Sections[0].Text));
    }

    [Fact]
    public void Ods_TooManyCells_IsTooLarge_TextDocumentIsCorrupt()
    {
        var wide = string.Concat(Enumerable.Repeat("<table:table-row><table:table-cell office:value-type=\"string\" table:number-columns-repeated=\"16384\"><text:p>x</text:p></table:table-cell><table:table-cell office:value-type=\"string\"><text:p>row</text:p></table:table-cell></table:table-row>", 300));
        var package = Zip(
            ("content.xml", "<office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" "
                + "xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\">"
                + $"<office:body><office:spreadsheet><table:table table:name=\"Wide\">{wide}</table:table></office:spreadsheet></office:body></office:document-content>"));

        var error = Assert.Throws<DocumentReadException>(() => new OdsDocumentReader().Read("/d/wide.ods", package, TestContext.Current.CancellationToken));
        Assert.Equal(DocumentReadFailure.TooLarge, error.Failure);
        Assert.Contains("MaxCells", error.Message, StringComparison.Ordinal);

        var text = Fixture("returns-handbook.odt");
        var wrongKind = Assert.Throws<DocumentReadException>(() => new OdsDocumentReader().Read(text, File.ReadAllBytes(text), TestContext.Current.CancellationToken));
        Assert.Contains("opendocument.text", wrongKind.Message, StringComparison.Ordinal);
    }
}
