using System.Buffers.Binary;
using System.Text;
using AgentKit.Rag.Documents;

namespace AgentKit.Rag.Readers;

/// <summary>
/// Reads PowerPoint 97–2003 presentations (<c>.ppt</c>, <c>.pps</c>, <c>.pot</c>: the binary format, MS-PPT) as
/// <see cref="PptxDocumentReader"/> reads <c>.pptx</c> files: slides in the presentation's order as pages, the title
/// placeholder's text the section path, the other text of the slide (its outline text and its shapes' text boxes,
/// tables' cells included) the section's text, and the speaker notes a last paragraph starting <c>Notes: </c>. Slides
/// are found through the last saved edit's persist directory (incremental saves included). The title is the summary
/// information's, else the first slide's title, else the file name. A password-protected file raises
/// <see cref="DocumentReadFailure.Encrypted"/>; a PowerPoint 95 file, another Office file or a damaged one
/// <see cref="DocumentReadFailure.Corrupt"/>.
/// </summary>
public sealed class PptDocumentReader : IDocumentReader
{
    private const string Format = "a PowerPoint 97–2003 presentation";

    // Record types (MS-PPT 2.13.24) and OfficeArt container types read.
    private const ushort DocumentContainer = 0x03E8;
    private const ushort SlideContainer = 0x03EE;
    private const ushort SlideAtom = 0x03EF;
    private const ushort NotesContainer = 0x03F0;
    private const ushort SlidePersistAtom = 0x03F3;
    private const ushort OutlineTextRefAtom = 0x0F9E;
    private const ushort TextHeaderAtom = 0x0F9F;
    private const ushort TextCharsAtom = 0x0FA0;
    private const ushort TextBytesAtom = 0x0FA8;
    private const ushort SlideListWithText = 0x0FF0;
    private const ushort UserEditAtom = 0x0FF5;
    private const ushort PersistDirectoryAtom = 0x1772;
    private const ushort CryptSession = 0x2F14;
    private const ushort PlaceholderAtom = 0x0BC3;
    private const ushort ShapeContainer = 0xF004;
    private const ushort ClientData = 0xF011;

    // Text types of a text header (MS-PPT 2.13.33): titles and notes; the rest is body text.
    private const int TitleText = 0;
    private const int NotesText = 2;
    private const int CenterTitleText = 6;

    /// <summary>How deep records nest before the rest of a container is skipped (slides nest a dozen levels).</summary>
    private const int MaxDepth = 64;

    /// <summary>The most edits followed back through incremental saves.</summary>
    private const int MaxEdits = 10_000;

    /// <inheritdoc />
    public IReadOnlyCollection<string> Extensions { get; } = [".ppt", ".pps", ".pot"];

    /// <inheritdoc />
    public RagDocument Read(string sourcePath, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sourcePath);
        var file = CompoundFile.Open(sourcePath, content, Format);
        var presentation = new Presentation(sourcePath, file.ReadRequired("PowerPoint Document", ".ppt"), file.Read("Current User"));
        var sections = new SectionBuilder();
        string? firstTitle = null;
        var number = 0;
        foreach (var slide in presentation.Slides())
        {
            cancellationToken.ThrowIfCancellationRequested();
            firstTitle ??= slide.Title.Length > 0 ? slide.Title : null;
            sections.Slide(++number, slide.Title, slide.Body, slide.Notes);
        }

        return new RagDocument(sourcePath, file.SummaryTitle() ?? firstTitle ?? Path.GetFileNameWithoutExtension(sourcePath), sections.Build());
    }

    /// <summary>A slide's title, other text and notes.</summary>
    private sealed record Slide(string Title, List<string> Body, List<string> Notes);

    /// <summary>The presentation stream: its persist directory and records.</summary>
    private sealed class Presentation
    {
        private readonly string _sourcePath;
        private readonly byte[] _stream;
        private readonly Dictionary<uint, uint> _persist = [];
        private readonly uint _document;

        public Presentation(string sourcePath, byte[] stream, byte[]? currentUser)
        {
            _sourcePath = sourcePath;
            _stream = stream;
            if (currentUser is null || currentUser.Length < 20)
            {
                throw Corrupt("its 'Current User' stream is missing or cut short");
            }

            var headerToken = BinaryPrimitives.ReadUInt32LittleEndian(currentUser.AsSpan(12));
            if (headerToken == 0xF3D1C4DF)
            {
                throw Encrypted();
            }

            if (headerToken != 0xE391C05F)
            {
                throw Corrupt("its 'Current User' stream does not name a PowerPoint 97–2003 edit (a PowerPoint 95 file?)");
            }

            // The last edit, then each edit before it: later persist entries win over earlier ones.
            var edits = new List<(uint Directory, uint Document)>();
            var offset = BinaryPrimitives.ReadUInt32LittleEndian(currentUser.AsSpan(16));
            var seen = new HashSet<uint>();
            while (offset != 0 || edits.Count == 0)
            {
                if (!seen.Add(offset) || edits.Count >= MaxEdits)
                {
                    throw Corrupt("its chain of saved edits loops");
                }

                var (type, _, record) = RecordAt(offset);
                var data = record.Span;
                if (type != UserEditAtom || data.Length < 20)
                {
                    throw Corrupt($"no edit record (UserEditAtom) at offset {offset}");
                }

                edits.Add((BinaryPrimitives.ReadUInt32LittleEndian(data[12..]), BinaryPrimitives.ReadUInt32LittleEndian(data[16..])));
                offset = BinaryPrimitives.ReadUInt32LittleEndian(data[8..]);
            }

            _document = edits[0].Document;
            for (var i = edits.Count - 1; i >= 0; i--)
            {
                ReadPersistDirectory(edits[i].Directory);
            }
        }

        /// <summary>The slides in the presentation's order (the slide list of the document container).</summary>
        public IEnumerable<Slide> Slides()
        {
            var document = Container(_document, DocumentContainer, "the document");
            var slides = new List<(uint Persist, List<string> Outline, List<int> OutlineTypes)>();
            var notesByNotesId = new Dictionary<uint, uint>();
            foreach (var list in Children(document).Where(c => c.Type == SlideListWithText))
            {
                var instance = list.Instance;
                foreach (var child in Children(list))
                {
                    if (child.Type == SlidePersistAtom && child.Data.Length >= 16)
                    {
                        var persist = BinaryPrimitives.ReadUInt32LittleEndian(child.Data.Span);
                        if (instance == 0)
                        {
                            slides.Add((persist, [], []));
                        }
                        else if (instance == 2)
                        {
                            notesByNotesId.TryAdd(BinaryPrimitives.ReadUInt32LittleEndian(child.Data.Span[12..]), persist);
                        }
                    }
                    else if (instance == 0 && slides.Count > 0 && child.Type == TextHeaderAtom && child.Data.Length >= 4)
                    {
                        slides[^1].OutlineTypes.Add(BinaryPrimitives.ReadInt32LittleEndian(child.Data.Span));
                        slides[^1].Outline.Add("");
                    }
                    else if (instance == 0 && slides.Count > 0 && slides[^1].Outline.Count > 0 && Text(child) is { } text)
                    {
                        slides[^1].Outline[^1] = text;
                    }
                }
            }

            foreach (var (persist, outline, outlineTypes) in slides)
            {
                var slide = Container(persist, SlideContainer, "a slide");
                var texts = new List<(int Type, string Text)>();
                CollectText(slide, outline, outlineTypes, texts, 0);
                var notes = new List<string>();
                var slideAtom = Children(slide).FirstOrDefault(c => c.Type == SlideAtom);
                if (slideAtom.Data.Length >= 20
                    && notesByNotesId.TryGetValue(BinaryPrimitives.ReadUInt32LittleEndian(slideAtom.Data.Span[16..]), out var notesPersist)
                    && _persist.ContainsKey(notesPersist))
                {
                    var notesTexts = new List<(int Type, string Text)>();
                    CollectText(Container(notesPersist, NotesContainer, "a notes page"), [], [], notesTexts, 0);
                    notes.AddRange(notesTexts.Where(t => t.Type == NotesText).SelectMany(t => Paragraphs(t.Text)));
                }

                var title = Whitespace.Collapse(texts.FirstOrDefault(t => t.Type is TitleText or CenterTitleText).Text ?? "");
                var body = texts.Where(t => t.Type is not (TitleText or CenterTitleText)).SelectMany(t => Paragraphs(t.Text)).ToList();
                yield return new Slide(title, body, notes);
            }
        }

        /// <summary>
        /// The text boxes of a slide or notes page in drawing order: a text header says whether the box is a title, and
        /// its characters follow (or a reference to the slide list's outline text).
        /// </summary>
        private static void CollectText(Record container, List<string> outline, List<int> outlineTypes, List<(int Type, string Text)> texts, int depth)
        {
            if (depth > MaxDepth || (container.Type == ShapeContainer && IsRepeatedPlaceholder(container)))
            {
                return;
            }

            var type = -1;
            foreach (var child in Children(container))
            {
                if (child.IsContainer)
                {
                    CollectText(child, outline, outlineTypes, texts, depth + 1);
                }
                else if (child.Type == TextHeaderAtom && child.Data.Length >= 4)
                {
                    type = BinaryPrimitives.ReadInt32LittleEndian(child.Data.Span);
                }
                else if (child.Type == OutlineTextRefAtom && child.Data.Length >= 4)
                {
                    var index = BinaryPrimitives.ReadInt32LittleEndian(child.Data.Span);
                    if (index >= 0 && index < outline.Count)
                    {
                        texts.Add((outlineTypes[index], outline[index]));
                    }
                }
                else if (Text(child) is { } text)
                {
                    texts.Add((type, text));
                    type = -1;
                }
            }
        }

        /// <summary>Whether a shape is a date, slide number, footer or header placeholder (the same on every slide).</summary>
        private static bool IsRepeatedPlaceholder(Record shape)
        {
            foreach (var data in Children(shape).Where(c => c.Type == ClientData && c.IsContainer))
            {
                foreach (var placeholder in Children(data).Where(c => c.Type == PlaceholderAtom && c.Data.Length >= 5))
                {
                    return placeholder.Data.Span[4] is >= 0x07 and <= 0x0A;
                }
            }

            return false;
        }

        private static string? Text(Record record) => record.Type switch
        {
            TextCharsAtom => Encoding.Unicode.GetString(record.Data.Span[..(record.Data.Length & ~1)]),
            TextBytesAtom => Encoding.Latin1.GetString(record.Data.Span),
            _ => null,
        };

        /// <summary>A text box's paragraphs (carriage returns end them; vertical tabs are line breaks), whitespace collapsed.</summary>
        private static IEnumerable<string> Paragraphs(string text) =>
            text.Split('\r').Select(paragraph => OfficeBlocks.Tidy(paragraph.Replace('\v', '\n'))).Where(paragraph => paragraph.Length > 0);

        private void ReadPersistDirectory(uint offset)
        {
            var (type, _, record) = RecordAt(offset);
            var data = record.Span;
            if (type != PersistDirectoryAtom)
            {
                throw Corrupt($"no persist directory at offset {offset}");
            }

            for (var at = 0; at + 4 <= data.Length;)
            {
                var entry = BinaryPrimitives.ReadUInt32LittleEndian(data[at..]);
                var first = entry & 0xFFFFF;
                var count = entry >> 20;
                at += 4;
                for (var i = 0u; i < count && at + 4 <= data.Length; i++, at += 4)
                {
                    _persist[first + i] = BinaryPrimitives.ReadUInt32LittleEndian(data[at..]);
                }
            }
        }

        /// <summary>The container a persist id points to, checked to be of the expected type.</summary>
        private Record Container(uint persist, ushort expected, string what)
        {
            if (!_persist.TryGetValue(persist, out var offset))
            {
                throw Corrupt($"{what} (persist id {persist}) is not in the persist directory");
            }

            var (type, instance, data) = RecordAt(offset);
            if (type == CryptSession)
            {
                throw Encrypted();
            }

            if (type != expected)
            {
                throw Corrupt($"{what} at offset {offset} is a record of type 0x{type:X4}, not 0x{expected:X4}");
            }

            return new Record(type, instance, true, data);
        }

        /// <summary>The record at <paramref name="offset"/>: its type, instance and data (checked to lie in the stream).</summary>
        private (ushort Type, int Instance, ReadOnlyMemory<byte> Data) RecordAt(uint offset)
        {
            if ((long)offset + 8 > _stream.Length)
            {
                throw Corrupt($"a record at offset {offset} lies past the end of the 'PowerPoint Document' stream");
            }

            var header = _stream.AsSpan((int)offset, 8);
            var length = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
            if (offset + 8L + length > _stream.Length)
            {
                throw Corrupt($"a record at offset {offset} runs past the end of the 'PowerPoint Document' stream");
            }

            return (BinaryPrimitives.ReadUInt16LittleEndian(header[2..]), BinaryPrimitives.ReadUInt16LittleEndian(header) >> 4, _stream.AsMemory((int)offset + 8, (int)length));
        }

        /// <summary>The records inside a container (a child running past its container ends the list).</summary>
        private static IEnumerable<Record> Children(Record container)
        {
            var data = container.Data;
            for (var at = 0; at + 8 <= data.Length;)
            {
                var header = data.Span.Slice(at, 8);
                var version = header[0] & 0x0F;
                var length = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
                if (at + 8L + length > data.Length)
                {
                    yield break;
                }

                yield return new Record(
                    BinaryPrimitives.ReadUInt16LittleEndian(header[2..]),
                    BinaryPrimitives.ReadUInt16LittleEndian(header) >> 4,
                    version == 0x0F,
                    data.Slice(at + 8, (int)length));
                at += 8 + (int)length;
            }
        }

        private DocumentReadException Corrupt(string what) =>
            new(_sourcePath, DocumentReadFailure.Corrupt, $"'{_sourcePath}' cannot be read as {Format}: {what}.");

        private DocumentReadException Encrypted() =>
            new(_sourcePath, DocumentReadFailure.Encrypted, $"'{_sourcePath}' is encrypted with a password; save it without one to read it.");
    }

    /// <summary>A record: type, instance, whether it is a container, and its data.</summary>
    private readonly record struct Record(ushort Type, int Instance, bool IsContainer, ReadOnlyMemory<byte> Data);
}
