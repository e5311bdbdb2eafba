using AgentKit.Rag.Documents;
using AgentKit.Rag.Readers;
using AgentKit.Rag.Tests.Support;
using static AgentKit.Rag.Tests.Support.TestCompoundFiles;
using static AgentKit.Rag.Tests.Support.TestPackages;

namespace AgentKit.Rag.Tests.Readers;

public sealed class XlsDocumentReaderTests
{
    private static RagDocument Read(byte[] bytes, int maxCells = XlsDocumentReader.DefaultMaxCells) =>
        new XlsDocumentReader(maxCells).Read("/data/orders.xls", bytes, TestContext.Current.CancellationToken);

    private static RagDocument ReadFixture(IDocumentReader reader, string name) =>
        reader.Read(Fixture(name), File.ReadAllBytes(Fixture(name)), TestContext.Current.CancellationToken);

    [Fact]
    public void LibreOfficeSavedWorkbook_ReadsAsTheXlsxItWasSavedFrom()
    {
        var binary = ReadFixture(new XlsDocumentReader(), "orders.xls");
        var original = ReadFixture(new XlsxDocumentReader(), "orders.xlsx");

        Assert.Equal(original.Sections.Select(s => (s.SectionPath, s.Text)), binary.Sections.Select(s => (s.SectionPath, s.Text)));
    }

    [Fact]
    public void SharedStringsAcrossContinueRecords_UnicodeDatesFormulasAndTitle()
    {
        // 80 rows of UTF-16 strings: the shared string table spans several CONTINUE records (LibreOffice 7.4).
        var document = ReadFixture(new XlsDocumentReader(), "returns-requests.xls");

        Assert.Equal("Return requests", document.Title);
        Assert.Equal(["Requests", "Notes"], document.Sections.Select(s => s.SectionPath));
        var rows = document.Sections[0].Text.Split("\n\n");
        Assert.Equal(80, rows.Length);
        Assert.Equal(
            "RMA: RMA-1001; Reason: Retour n°1: Toaster – arrived damaged, customer “丁” wants a refund to the card within 5 business days; "
            + "Received: 2025-12-10; Approved: 0; Amount: 20.5; Double: 41",
            rows[0]);
        Assert.Equal(
            "RMA: RMA-1080; Reason: Retour n°80: Camera – arrived damaged, customer “乐” wants a refund to the card within 5 business days; "
            + "Received: 2026-02-27; Approved: 0; Amount: 99.5; Double: 199",
            rows[^1]);
        Assert.Equal("Refunds go back to the original payment method.", document.Sections[1].Text);
    }

    [Fact]
    public void CellRecords_NumbersRkStringsBooleansFormulas_1904Dates_ChartsLeftOut()
    {
        byte[] Rk(uint value) => BitConverter.GetBytes(value);
        var globals = new[]
        {
            Record(0x0022, 1, 0), // 1904 date system
            Record(0x041E, [.. BitConverter.GetBytes((ushort)164), 8, 0, 0, .. "yy-mm-dd"u8]),
            Record(0x00E0, 0, 0, 0, 0),
            Record(0x00E0, 0, 0, 164, 0),
        };
        var cells = new[]
        {
            Cell(0x0204, 0, 0, 0, [5, 0, 0, .. "Label"u8]),
            Cell(0x0204, 0, 1, 0, [3, 0, 1, .. System.Text.Encoding.Unicode.GetBytes("Wert")[..6]]),
            Cell(0x0204, 0, 2, 0, [4, 0, 0, .. "When"u8]),
            Cell(0x0204, 1, 0, 0, [4, 0, 0, .. "RKs:"u8]),
            // MULRK: 7 as an integer RK, 1.25 as an integer RK divided by 100 (125 / 100).
            Record(0x00BD, [1, 0, 1, 0, 0, 0, .. Rk((7u << 2) | 2), 0, 0, .. Rk((125u << 2) | 3), 2, 0]),
            Cell(0x0204, 2, 0, 0, [7, 0, 0, .. "Double:"u8]),
            // RK holding the high 30 bits of a double (2.5), and a NUMBER in the date format (day 0 of 1904 + 1).
            Cell(0x027E, 2, 1, 0, Rk((uint)(BitConverter.DoubleToInt64Bits(2.5) >> 32))),
            Cell(0x0203, 2, 2, 1, BitConverter.GetBytes(1.0)),
            Cell(0x0204, 3, 0, 0, [8, 0, 0, .. "Formula:"u8]),
            // A formula with a string result: the text is in the STRING record that follows; a boolean formula; BOOLERR.
            Cell(0x0006, 3, 1, 0, [0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0]),
            Record(0x0207, [2, 0, 0, .. "ok"u8]),
            Cell(0x0006, 3, 2, 0, [1, 0, 1, 0, 0, 0, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0]),
            Cell(0x0205, 4, 0, 0, 1, 0),
            Cell(0x0205, 4, 1, 0, 0x07, 1), // #DIV/0! left out
            // An embedded chart: a substream of its own, whose records are not cells and whose EOF does not end the sheet.
            Record(0x0809, [0x00, 0x06, 0x20, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
            Cell(0x0204, 9, 0, 0, [5, 0, 0, .. "chart"u8]),
            Record(0x000A),
            Cell(0x0204, 5, 0, 0, [5, 0, 0, .. "After"u8]),
        };
        var chart = new[] { Cell(0x0204, 0, 0, 0, [6, 0, 0, .. "hidden"u8]) };

        var document = Read(Workbook(globals, ("Data", 0, cells), ("Chart", 2, chart)));

        var section = Assert.Single(document.Sections);
        Assert.Equal("Data", section.SectionPath);
        Assert.Equal(
            "Label: RKs:; Wer: 7; When: 1.25\n\nLabel: Double:; Wer: 2.5; When: 1904-01-02\n\nLabel: Formula:; Wer: ok; When: TRUE\n\nLabel: TRUE\n\nLabel: After",
            section.Text);
        Assert.Equal("orders", document.Title);
    }

    [Fact]
    public void EncryptedOldOrOtherFiles_AndTooManyCells_AreTypedErrors()
    {
        var encrypted = Assert.Throws<DocumentReadException>(() => Read(Workbook([Record(0x002F, 1, 0)])));
        var excel95 = Assert.Throws<DocumentReadException>(() => Read(Build([("Book", new byte[100])])));
        var word = Assert.Throws<DocumentReadException>(() => Read(File.ReadAllBytes(Fixture("returns-handbook.doc"))));
        var many = Enumerable.Range(0, 20).Select(i => Cell(0x0203, i, 0, 0, BitConverter.GetBytes(i + 0.5))).ToArray();
        var tooLarge = Assert.Throws<DocumentReadException>(() => Read(Workbook([], ("Big", 0, many)), maxCells: 10));

        Assert.Equal(DocumentReadFailure.Encrypted, encrypted.Failure);
        Assert.Equal((DocumentReadFailure.Corrupt, true), (excel95.Failure, excel95.Message.Contains("Excel 5.0/95", StringComparison.Ordinal)));
        Assert.Equal((DocumentReadFailure.Corrupt, true), (word.Failure, word.Message.Contains("'Workbook'", StringComparison.Ordinal)));
        Assert.Equal((DocumentReadFailure.TooLarge, true), (tooLarge.Failure, tooLarge.Message.Contains("MaxCells", StringComparison.Ordinal)));
    }

    [Fact]
    public void DamagedRecords_AreCorrupt()
    {
        // A record longer than the stream holds, a sheet offset outside the stream or not at a sheet, and a stream that is not BIFF8.
        var runsPast = Workbook([], ("Data", 0, [[0x03, 0x02, 0xFF, 0x7F, 1, 2]]));
        var badOffset = Workbook([Record(0x0085, [.. BitConverter.GetBytes(1_000_000), 0, 0, 1, 0, (byte)'X'])]);
        var notBiff = Build([("Workbook", Record(0x0009, 0, 5))]);
        var notASheet = Workbook([Record(0x0085, [.. BitConverter.GetBytes(4), 0, 0, 1, 0, (byte)'X'])]);

        foreach (var bytes in new[] { runsPast, badOffset, notBiff, notASheet })
        {
            Assert.Equal(DocumentReadFailure.Corrupt, Assert.Throws<DocumentReadException>(() => Read(bytes)).Failure);
        }
    }
}
