using System.IO.Compression;
using AgentKit.Rag.Documents;
using AgentKit.Rag.Readers;
using static AgentKit.Rag.Tests.Support.TestCompoundFiles;
using static AgentKit.Rag.Tests.Support.TestPackages;

namespace AgentKit.Rag.Tests.Readers;

public sealed class PptDocumentReaderTests
{
    private static RagDocument Read(byte[] bytes) =>
        new PptDocumentReader().Read("/decks/training.ppt", bytes, TestContext.Current.CancellationToken);

    /// <summary>LibreOffice's .ppt save of the .pptx fixture: 470 KB of mostly repeated master data, kept gzipped (12 KB).</summary>
    private static byte[] LibreOfficeDeck()
    {
        using var gzip = new GZipStream(File.OpenRead(Fixture("returns-training.ppt.gz")), CompressionMode.Decompress);
        using var bytes = new MemoryStream();
        gzip.CopyTo(bytes);
        return bytes.ToArray();
    }

    [Fact]
    public void LibreOfficeSavedDeck_SlidesInOrderAsPages_TitlesBodyAndNotes_AsThePptx()
    {
        var binary = Read(LibreOfficeDeck());
        var original = new PptxDocumentReader().Read("training.pptx", File.ReadAllBytes(Fixture("returns-training.pptx")), TestContext.Current.CancellationToken);

        Assert.Equal(original.Title, binary.Title);
        Assert.Equal(original.Sections.Select(s => (s.SectionPath, s.Page)), binary.Sections.Select(s => (s.SectionPath, s.Page)));
        Assert.Equal(original.Sections[0].Text, binary.Sections[0].Text);
        Assert.Equal(original.Sections[2].Text, binary.Sections[2].Text);
        // LibreOffice saves a table as a group of text boxes, one per cell: each cell is a paragraph.
        Assert.Equal("Method\n\nDays\n\nCard\n\n5\n\nPayPal\n\n2", binary.Sections[1].Text);
    }

    [Fact]
    public void EncryptedOldOrOtherFiles_AreTypedErrorsNamingTheFile()
    {
        var encrypted = Assert.Throws<DocumentReadException>(() => Read(Deck(currentUserToken: 0xF3D1C4DF)));
        var powerPoint95 = Assert.Throws<DocumentReadException>(() => Read(Deck(currentUserToken: 0x12345678)));
        var word = Assert.Throws<DocumentReadException>(() => Read(File.ReadAllBytes(Fixture("returns-handbook.doc"))));

        Assert.Equal(DocumentReadFailure.Encrypted, encrypted.Failure);
        Assert.Equal((DocumentReadFailure.Corrupt, true), (powerPoint95.Failure, powerPoint95.Message.Contains("PowerPoint 95", StringComparison.Ordinal)));
        Assert.Equal((DocumentReadFailure.Corrupt, true), (word.Failure, word.Message.Contains("'PowerPoint Document'", StringComparison.Ordinal)));
        Assert.All([encrypted, powerPoint95, word], e => Assert.Contains("training.ppt", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void LoopingEditsAndMissingRecords_AreCorrupt()
    {
        // Two saved edits pointing at each other; an edit whose persist directory lies past the stream.
        var looping = Deck(edits: [(LastEdit: 56u, Directory: 0u), (LastEdit: 28u, Directory: 0u)], currentEdit: 28);
        var pastEnd = Deck(edits: [(LastEdit: 0u, Directory: 1_000_000u)], currentEdit: 0);

        Assert.Contains("loops", Assert.Throws<DocumentReadException>(() => Read(looping)).Message, StringComparison.Ordinal);
        Assert.Equal(DocumentReadFailure.Corrupt, Assert.Throws<DocumentReadException>(() => Read(pastEnd)).Failure);
    }

    [Fact]
    public void DamagedDecks_NeverThrowAnythingElse()
    {
        var deck = LibreOfficeDeck();
        var random = new Random(20261207);
        for (var round = 0; round < 300; round++)
        {
            var bytes = (byte[])deck.Clone();
            for (var n = random.Next(1, 5); n > 0; n--)
            {
                var at = random.Next(bytes.Length - 4) & ~1;
                BitConverter.TryWriteBytes(bytes.AsSpan(at), random.Next(3) switch { 0 => 0u, 1 => 0xFFFFFFFFu, _ => (uint)random.Next() });
            }

            try
            {
                Read(bytes);
            }
            catch (DocumentReadException e)
            {
                Assert.Equal("/decks/training.ppt", e.SourcePath);
            }
        }
    }

    /// <summary>
    /// A compound file with a "Current User" stream (its header token and current edit offset) and a "PowerPoint
    /// Document" stream of 28-byte edit records at offsets 0, 28, 56…: each edit's previous edit and persist directory.
    /// </summary>
    private static byte[] Deck(uint currentUserToken = 0xE391C05F, (uint LastEdit, uint Directory)[]? edits = null, uint currentEdit = 0)
    {
        edits ??= [(0u, 0u)];
        var stream = new List<byte>(new byte[28]);
        foreach (var (lastEdit, directory) in edits)
        {
            stream.AddRange([0, 0, 0xF5, 0x0F, 20, 0, 0, 0]);
            stream.AddRange(new byte[8]);
            stream.AddRange(BitConverter.GetBytes(lastEdit));
            stream.AddRange(BitConverter.GetBytes(directory));
            stream.AddRange(new byte[4]);
        }

        if (edits.Length == 1 && currentEdit == 0)
        {
            stream.RemoveRange(0, 28);
        }

        var currentUser = new byte[32];
        BitConverter.TryWriteBytes(currentUser.AsSpan(8), 20u);
        BitConverter.TryWriteBytes(currentUser.AsSpan(12), currentUserToken);
        BitConverter.TryWriteBytes(currentUser.AsSpan(16), currentEdit);
        return Build([("PowerPoint Document", stream.ToArray()), ("Current User", currentUser)]);
    }
}
