using AgentKit.Rag.Readers;
using AgentKit.Rag.Tests.Support;

namespace AgentKit.Rag.Tests.Readers;

public sealed class PdfDocumentReaderTests
{
    private static readonly PdfDocumentReader Reader = new();

    [Fact]
    public void Read_MultiPage_GivesOneSectionPerPageWithPageNumbers()
    {
        var pdf = TestPdfs.Simple(["Alpha page text."], ["Bravo page text."], ["Charlie page text."]);

        var document = Reader.Read("/docs/manual.pdf", pdf, TestContext.Current.CancellationToken);

        Assert.Equal(3, document.PageCount);
        Assert.Equal([1, 2, 3], document.Sections.Select(s => s.Page!.Value));
        Assert.Equal("Bravo page text.", document.Sections[1].Text);
        Assert.Equal("manual", document.Title);
    }

    [Fact]
    public void Read_RunningHeaderAndFooter_AreDroppedFromEveryPage()
    {
        var pdf = TestPdfs.WithRunningHeaderAndFooter(
            [["The pump must be primed before the first start."]],
            [["Replace the filter cartridge every six months."]],
            [["Drain the tank before winter storage."]],
            [["Call the service line for warranty repairs."]]);

        var document = Reader.Read("report.pdf", pdf, TestContext.Current.CancellationToken);

        Assert.Equal(4, document.Sections.Count);
        foreach (var section in document.Sections)
        {
            Assert.DoesNotContain("Northwind Field Manual", section.Text, StringComparison.Ordinal);
            Assert.DoesNotContain("Page ", section.Text, StringComparison.Ordinal);
        }

        Assert.Equal("Replace the filter cartridge every six months.", document.Sections[1].Text);
    }

    [Fact]
    public void Read_BarePageNumbersAndAChapterHeaderOnFourPages_AreDropped()
    {
        var pdf = TestPdfs.WithPageNumbersAndChapterHeader(12);

        var document = Reader.Read("book.pdf", pdf, TestContext.Current.CancellationToken);

        Assert.Equal(12, document.Sections.Count);
        Assert.All(document.Sections, s => Assert.Matches("^Body text of page [a-z]+\\.$", s.Text));
    }

    [Fact]
    public void Read_Bookmarks_GiveEachPieceOfTextTheSectionThatCoversItsPosition()
    {
        var pdf = TestPdfs.WithBookmarksMidPage();

        var document = Reader.Read("setup.pdf", pdf, TestContext.Current.CancellationToken);

        Assert.Equal(
            [
                (1, "Installing", "Installing Unpack the archive into the program folder."),
                (1, "Configuring", "Configuring Set the port in the settings file."),
                (2, "Configuring", "Restart the service after every change."),
                (2, "Troubleshooting", "Troubleshooting Read the log when the service fails to start."),
            ],
            document.Sections.Select(s => (s.Page!.Value, s.SectionPath, s.Text)));
    }

    [Fact]
    public void Read_LineThatAppearsOnOnePageOnly_IsKeptEvenAtThePageTop()
    {
        var pdf = TestPdfs.Simple(["Introduction", "The first page body."], ["Setup", "The second page body."], ["Usage", "The third page body."]);

        var document = Reader.Read("guide.pdf", pdf, TestContext.Current.CancellationToken);

        Assert.StartsWith("Introduction", document.Sections[0].Text, StringComparison.Ordinal);
        Assert.StartsWith("Setup", document.Sections[1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_LinesOfAParagraph_AreJoinedWithSpacesAndHyphenatedWordsRejoined()
    {
        var pdf = TestPdfs.Simple(["The installation requires a compat-", "ible power supply and a grounded", "outlet near the unit."]);

        var document = Reader.Read("p.pdf", pdf, TestContext.Current.CancellationToken);

        Assert.Equal("The installation requires a compatible power supply and a grounded outlet near the unit.", Assert.Single(document.Sections).Text);
    }

    [Fact]
    public void Read_TwoColumns_ReadsTheLeftColumnBeforeTheRight()
    {
        string[] left = ["Left column opens the story", "and it continues on this line", "then it ends right here."];
        string[] right = ["Right column begins later", "with its own separate text", "that closes the page."];

        var text = Assert.Single(Reader.Read("cols.pdf", TestPdfs.TwoColumns(left, right), TestContext.Current.CancellationToken).Sections).Text;

        Assert.Contains("Left column opens the story and it continues on this line then it ends right here.", text, StringComparison.Ordinal);
        Assert.Contains("Right column begins later with its own separate text that closes the page.", text, StringComparison.Ordinal);
        Assert.True(text.IndexOf("Left column", StringComparison.Ordinal) < text.IndexOf("Right column", StringComparison.Ordinal), text);
    }

    [Theory]
    [InlineData(0.17)]
    [InlineData(0.25)]
    [InlineData(0.33)]
    public void Read_WordsSetWithoutSpaceCharacters_AreToldApartByTheirGaps(double wordGapEm)
    {
        var pdf = TestPdfs.WordsPlacedWithoutSpaces((wordGapEm, "A tight justi|fied line of text"), (wordGapEm, "keeps its words ap|art."));

        var text = Assert.Single(Reader.Read("paper.pdf", pdf, TestContext.Current.CancellationToken).Sections).Text;

        Assert.Equal("A tight justified line of text keeps its words apart.", text);
    }

    [Fact]
    public void Read_LetterSpacedTextWithSpaceCharacters_KeepsItsWordsWhole()
    {
        var pdf = TestPdfs.LetterSpaced(0.15, "RETURNS DESK OPENING HOURS", "Monday to Friday from nine");

        var text = Assert.Single(Reader.Read("brochure.pdf", pdf, TestContext.Current.CancellationToken).Sections).Text;

        Assert.Equal("RETURNS DESK OPENING HOURS Monday to Friday from nine", text);
    }

    [Fact]
    public void Read_LooseJustifiedLineInAParagraph_KeepsItsWordsInOrder()
    {
        var pdf = TestPdfs.WordsPlacedWithoutSpaces(
            (0.3, "The paragraph starts with an ordinary line of text that says"),
            (1.3, "We recommend that you start with"),
            (0.3, "a copy of the template file and then rename it at once"),
            (0.3, "before you work on the text or the figures of the paper."));

        var text = Assert.Single(Reader.Read("paper.pdf", pdf, TestContext.Current.CancellationToken).Sections).Text;

        Assert.Equal("The paragraph starts with an ordinary line of text that says We recommend that you start with a copy of the template file and then rename it at once before you work on the text or the figures of the paper.", text);
    }

    [Fact]
    public void Read_TwoColumnsWithBookmarks_GiveTextTheSectionThatStartsBeforeItInReadingOrder()
    {
        Assert.Equal(
            [
                ("1 Overview", "1 Overview The overview paragraph opens the paper in the left column."),
                ("2 Setup", "2 Setup Setup starts near the bottom of the left column and then goes on in the right column with the rest of its steps."),
                ("3 Usage", "3 Usage Usage is the last section and it fills the right column."),
            ],
            SectionTexts(TestPdfs.TwoColumnsWithBookmarks()));
    }

    [Fact]
    public void Read_BookmarkWithAnEarlierBookmarksTarget_StartsAtTheLineWithItsTitle() =>
        Assert.Equal(
            [
                ("5 Results", "5 Results The pump ran for six weeks without a fault."),
                ("Acknowledgements", "ACKNOWLEDGEMENTS We thank the workshop for the test rig."),
            ],
            SectionTexts(TestPdfs.WithBookmarkSharingAnEarlierTarget()));

    [Fact]
    public void Read_BookmarksToAWholePage_StartAtTheLineWithTheirTitle() =>
        Assert.Equal([("Returns", "Returns Bring the parcel to the desk."), ("Refunds", "Refunds Refunds reach the card in five days.")], SectionTexts(TestPdfs.WithWholePageBookmarks()));

    /// <summary>Each section's heading path and its text with its whitespace collapsed.</summary>
    private static IEnumerable<(string Path, string Text)> SectionTexts(byte[] pdf) =>
        Reader.Read("paper.pdf", pdf, TestContext.Current.CancellationToken).Sections
            .Select(s => (s.SectionPath, string.Join(' ', s.Text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))))
            .ToList();

    [Fact]
    public void Read_ImageOnlyPdf_HasPagesButNoText()
    {
        var document = Reader.Read("scan.pdf", TestPdfs.ImageOnly(2), TestContext.Current.CancellationToken);

        Assert.Equal(2, document.PageCount);
        Assert.False(document.HasText);
    }

    [Fact]
    public void Read_ImagePageAmongTextPages_IsLeftOut()
    {
        var document = Reader.Read("mixed.pdf", TestPdfs.TextThenImagePage("Only the first page has text."), TestContext.Current.CancellationToken);

        var section = Assert.Single(document.Sections);
        Assert.Equal(1, section.Page);
        Assert.Equal(2, document.PageCount);
    }

    [Fact]
    public void Read_EncryptedPdf_ThrowsEncryptedNamingTheFile()
    {
        var error = Assert.Throws<DocumentReadException>(() => Reader.Read("/secret/memo.pdf", TestPdfs.Encrypted(), TestContext.Current.CancellationToken));

        Assert.Equal(DocumentReadFailure.Encrypted, error.Failure);
        Assert.Equal("/secret/memo.pdf", error.SourcePath);
        Assert.Contains("/secret/memo.pdf", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_CorruptPdf_ThrowsCorruptNamingTheFile()
    {
        var error = Assert.Throws<DocumentReadException>(() => Reader.Read("broken.pdf", TestPdfs.Corrupt(), TestContext.Current.CancellationToken));

        Assert.Equal(DocumentReadFailure.Corrupt, error.Failure);
        Assert.Contains("broken.pdf", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_Cancelled_Throws()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => Reader.Read("a.pdf", TestPdfs.Simple(["x"]), cancelled.Token));
    }

    [Fact]
    public void Read_TypographicLigatures_AreWrittenOutAsTheirLetters()
    {
        // Helvetica's "fi" and "fl" glyphs, as typeset PDFs use them; the reader gives the letters, which keyword search
        // and the embedding model's tokenizer know.
        var pdf = TestPdfs.Simple(["The \uFB01lter and the \uFB02ow meter."]);

        var document = Reader.Read("/docs/manual.pdf", pdf, TestContext.Current.CancellationToken);

        Assert.Equal("The filter and the flow meter.", Assert.Single(document.Sections).Text);
        // Every Latin ligature, including the ones Helvetica lacks.
        Assert.Equal("off fit flow office waffle first last", Ligatures.Expand("o\uFB00 \uFB01t \uFB02ow o\uFB03ce wa\uFB04e \uFB01r\uFB05 la\uFB06"));
    }

    [Fact]
    public void Read_ComputerModernFontsWithoutUnicodeMap_AreReadByTheirTexEncodings()
    {
        // pdfTeX embeds Computer Modern without a Unicode map, so "fi" arrives as code 0x0C, which a word extractor
        // takes for whitespace ("satis able"). Page 1 has such codes; page 2 has none. A diagram font's control codes
        // (XY-pic's line pieces) are no text.
        var pdf = TestPdfs.WithRawFontCodes(
            [
                ("ABCDEF+CMR10", "Satis\u000Cable \u000Bort \u000Dow o\u000Ece wa\u000Fe pages 3\u007B5 \u005Cquoted\u0022 \u0019 \u0001"),
                ("ABCDEF+CMTT10", "glp_\u000Dag \u000D{x}\u000D"),
                ("GHIJKL+CMMI10", "\u0015\u003B \u0019\u003A \u000B"),
                ("GHIJKL+CMSY10", "\u0014 \u0000 \u0015 \u005F"),
                ("MNOPQR+XYDASH10", "\u0001\u0002 arrows"),
                ("Helvetica", "{braces} stay"),
            ],
            [
                ("ABCDEF+CMR10", "Dash 3\u007B5 only"),
                ("GHIJKL+CMMI10", "f(x\u003Bn\u003A)"),
            ]);

        var document = Reader.Read("/docs/tex.pdf", pdf, TestContext.Current.CancellationToken);

        var first = document.Sections.Single(s => s.Page == 1).Text;
        Assert.Contains("Satisfiable ffort flow office waffle pages 3–5 “quoted” ß Δ", first, StringComparison.Ordinal);
        Assert.Contains("glp_'ag '{x}'", first, StringComparison.Ordinal);
        Assert.Contains("λ, π. α", first, StringComparison.Ordinal);
        Assert.Contains("≤ − ≥ ∨", first, StringComparison.Ordinal);
        Assert.Contains("arrows", first, StringComparison.Ordinal);
        Assert.Contains("{braces} stay", first, StringComparison.Ordinal);
        Assert.DoesNotContain(first, c => char.IsControl(c) && c != '\n');

        // Without a control character on the page, a text font's impossible codes are still read ("{" is an en dash in
        // CMR); a math font's printable codes are left as they are, since they may be text already.
        var second = document.Sections.Single(s => s.Page == 2).Text;
        Assert.Contains("Dash 3–5 only", second, StringComparison.Ordinal);
        Assert.Contains("f(x;n:)", second, StringComparison.Ordinal);
    }
}
