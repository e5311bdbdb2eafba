using System.Buffers.Binary;
using AgentKit.Rag.Documents;
using AgentKit.Rag.Readers;
using AgentKit.Rag.Tests.Support;
using static AgentKit.Rag.Tests.Support.TestPackages;

namespace AgentKit.Rag.Tests.Readers;

public sealed class DocDocumentReaderTests
{
    private static RagDocument Read(byte[] bytes, string path = "/docs/guide.doc") =>
        new DocDocumentReader().Read(path, bytes, TestContext.Current.CancellationToken);

    private static RagDocument ReadFixture(string name) => Read(File.ReadAllBytes(Fixture(name)), Fixture(name));

    [Fact]
    public void LibreOfficeSavedWordDocument_ReadsAsTheDocxItWasSavedFrom()
    {
        var binary = ReadFixture("returns-handbook.doc");
        var original = new DocxDocumentReader().Read("returns-handbook.docx", File.ReadAllBytes(Fixture("returns-handbook.docx")), TestContext.Current.CancellationToken);

        Assert.Equal(original.Title, binary.Title);
        Assert.Equal(original.Sections.Select(s => (s.SectionPath, s.Text)), binary.Sections.Select(s => (s.SectionPath, s.Text)));
        Assert.All(binary.Sections, s => Assert.Null(s.Page));
    }

    [Fact]
    public void TextBoxes_JoinTheParagraphThatAnchorsTheirShape_AndFollowAHeading()
    {
        var document = ReadFixture("returns-desk.doc");

        Assert.Equal(
            [
                ("Returns desk", "The desk opens at nine. Tip: keep the receipt with the parcel. Labels are free.\n\nRefunds take five days."),
                ("Warranty", "Repairs are free.\n\nTwo years from delivery. Note: bring the order number."),
            ],
            document.Sections.Select(s => (s.SectionPath, s.Text)));
    }

    [Fact]
    public void StyleSheetHeadings_TableOfContentsDeletedAndHiddenTextLeftOut_NotesTablesListsAndSummaryTitle()
    {
        // returns-guide.fodt saved by LibreOffice: a tracked deletion ("fresh ") and hidden text ("Internal note…")
        // in the Exceptions paragraph, a filled-in table of contents, a list of links to headings (HYPERLINK \l fields),
        // a footnote and an endnote.
        var document = ReadFixture("returns-guide.doc");

        Assert.Equal("Returns Guide", document.Title);
        Assert.Equal(
            [
                ("Returning a product",
                    "Customers may return most products within 30 days of delivery. Rückgabe – „30 Tage“ für Möbel: 60 €.\n\n"
                    + "Electronics have 14 days.\n\n- Keep the receipt.\n\n- Pack the item in its original box.\n\nPrint the label from the returns page."),
                ("Returning a product > Refund timing",
                    "Refunds reach the card within 5 business days.\n\nBank holidays do not count.\n\n"
                    + "Method | Days | Note\n\nCard | 5 | First line. Second line.\n\nPayPal | 2"),
                ("Returning a product > Refund timing > Exceptions", "Perishable goods cannot be returned."),
                ("Warranty", "Repairs are free for two years."),
            ],
            document.Sections.Select(s => (s.SectionPath, s.Text)));
    }

    [Fact]
    public void EightBitAndUnicodePieces_FieldCodesAndGeneratedListsLeftOut_ControlCharacters()
    {
        var document = Read(TestCompoundFiles.WordDocument(
        [
            ("Plain \u201Cquoted\u201D text costs 5 \u20AC \u2013 see \u0013 HYPERLINK \"https://x.example\" \u0014the page\u0015.\r", true),
            ("\u0013 TOC \\o \"1-3\" \u0014Chapter 1\tpage 2\r\u0015Line one\vline two, non\u001Ebreaking, opt\u001Fional\u0001.\r", false),
            ("Last\u0007 cell mark ends a paragraph too.\r", true),
        ]));

        Assert.Equal("guide", document.Title);
        Assert.Equal(
            "Plain \u201Cquoted\u201D text costs 5 \u20AC \u2013 see the page.\n\nLine one\nline two, non-breaking, optional.\n\nLast\n\ncell mark ends a paragraph too.",
            Assert.Single(document.Sections).Text);
    }

    [Fact]
    public void EncryptedOrWord95OrOtherOfficeFiles_AreTypedErrorsNamingTheFile()
    {
        var encrypted = Assert.Throws<DocumentReadException>(() => Read(TestCompoundFiles.WordDocument([("Secret.\r", true)], flags: 0x0100)));
        var word95 = Assert.Throws<DocumentReadException>(() => Read(TestCompoundFiles.WordDocument([("Old.\r", true)], version: 0x65)));
        var workbook = Assert.Throws<DocumentReadException>(() => Read(TestCompoundFiles.Build([("Workbook", new byte[100])])));
        var zip = Assert.Throws<DocumentReadException>(() => Read(File.ReadAllBytes(Fixture("returns-handbook.docx"))));

        Assert.Equal(DocumentReadFailure.Encrypted, encrypted.Failure);
        Assert.Equal((DocumentReadFailure.Corrupt, true), (word95.Failure, word95.Message.Contains("Word 6.0/95", StringComparison.Ordinal)));
        Assert.Equal((DocumentReadFailure.Corrupt, true), (workbook.Failure, workbook.Message.Contains("'WordDocument'", StringComparison.Ordinal)));
        Assert.Equal(DocumentReadFailure.Corrupt, zip.Failure);
        Assert.All([encrypted, word95, workbook, zip], e => Assert.Contains("guide.doc", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void DamagedStructures_AreCorrupt_NeverAHang()
    {
        // A loop in the allocation table: the directory's chain points back at itself.
        var loop = TestCompoundFiles.WordDocument([("Text.\r", true)]);
        var looped = TestCompoundFiles.Build([("WordDocument", new byte[5000]), ("1Table", new byte[10])], fat => fat[1] = 1);
        // A stream claiming more bytes than the file holds.
        var oversized = (byte[])loop.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(oversized.AsSpan((2 * 512) + 128 + 120), 1UL << 30);
        // Pieces pointing past the text stream, and pieces overlapping many times over.
        var pastEnd = TestCompoundFiles.WordDocument([("Text.\r", false)], edit: word =>
            BinaryPrimitives.WriteUInt32LittleEndian(word.AsSpan(0x9A + (33 * 8) + 4), 0xFFFF));
        var truncated = (byte[])loop.Clone();
        Array.Resize(ref truncated, 700);

        foreach (var bytes in new[] { looped, oversized, pastEnd, truncated, [0xD0, 0xCF, 0x11, 0xE0] })
        {
            var error = Assert.Throws<DocumentReadException>(() => Read(bytes));
            Assert.Equal(DocumentReadFailure.Corrupt, error.Failure);
        }
    }

    [Fact]
    public void TextLengthBeyondThePieces_ReadsThePieces_PiecesMappingMoreTextThanTheStreamHolds_AreCorrupt()
    {
        var text = new string('x', 100) + "\r";
        var longerThanPieces = TestCompoundFiles.WordDocument([(text, true)], edit: word =>
            BinaryPrimitives.WriteInt32LittleEndian(word.AsSpan(0x40 + (3 * 4)), int.MaxValue));
        var lying = TestCompoundFiles.WordDocument([(text, true)]);

        // Rewrite the single piece's end position far past the stream: 100 million characters from 4 KB.
        var table = FindTable(lying);
        BinaryPrimitives.WriteInt32LittleEndian(lying.AsSpan(table + 5 + 4), 100_000_000);

        Assert.Equal(text.TrimEnd('\r'), Assert.Single(Read(longerThanPieces).Sections).Text);
        Assert.Contains("piece table", Assert.Throws<DocumentReadException>(() => Read(lying)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cancellation_StopsReading()
    {
        var bytes = TestCompoundFiles.WordDocument([(string.Concat(Enumerable.Repeat("words\r", 100)), true)]);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => new DocDocumentReader().Read("big.doc", bytes, cancelled.Token));
    }

    /// <summary>The file offset of the table stream's Clx (the second stream, after the WordDocument's 4 KB or more).</summary>
    private static int FindTable(byte[] file)
    {
        var start = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan((2 * 512) + (2 * 128) + 116));
        return (int)(start + 1) * 512;
    }
}
