using AgentKit.Abstractions.Text;
using AgentKit.Rag.Documents;

namespace AgentKit.Rag.Chunking;

/// <summary>
/// Cuts a document into token-bounded chunks. Chunks never cross a section (so each keeps one heading path and one
/// page) and are made of whole sentences: sentences are packed while they fit in
/// <see cref="ChunkingOptions.MaxTokens"/>, and the next chunk starts with the last sentences of the previous one
/// that fit in <see cref="ChunkingOptions.OverlapTokens"/>. Only a sentence longer than the limit on its own is cut,
/// first at line breaks, then between words.
/// </summary>
public sealed class TextChunker
{
    private readonly ITokenCounter _counter;
    private readonly ChunkingOptions _options;

    /// <summary>Creates a chunker.</summary>
    /// <param name="counter">Counts tokens; use the embedding model's tokenizer when there is one.</param>
    /// <param name="options">Sizes; defaults when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">The options are out of range.</exception>
    public TextChunker(ITokenCounter counter, ChunkingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(counter);
        _counter = counter;
        _options = options ?? new ChunkingOptions();
        _options.Validate();
    }

    /// <summary>Chunks a document.</summary>
    /// <param name="document">The document.</param>
    /// <param name="cancellationToken">Stops between sections.</param>
    /// <returns>The chunks in document order, indexed from 0.</returns>
    public IReadOnlyList<DocumentChunk> Chunk(RagDocument document, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        var chunks = new List<DocumentChunk>();
        foreach (var section in document.Sections)
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var (text, tokens) in ChunkText(section.Text))
            {
                chunks.Add(new DocumentChunk(document.SourcePath, document.Title, section.Page, section.HeadingPath, text, chunks.Count, tokens));
            }
        }

        return chunks;
    }

    /// <summary>Chunks one section's text into (text, tokens) pieces.</summary>
    internal IEnumerable<(string Text, int Tokens)> ChunkText(string text)
    {
        var units = new List<Unit>();
        foreach (var (start, end) in SentenceSplitter.Split(text))
        {
            AddUnits(text, start, end, units);
        }

        var current = new List<Unit>();
        var total = 0;
        foreach (var unit in units)
        {
            if (current.Count > 0 && total + unit.Tokens > _options.MaxTokens)
            {
                yield return Emit(text, current, total);
                var overlap = Overlap(current, unit.Tokens);
                current = overlap;
                total = overlap.Sum(u => u.Tokens);
            }

            current.Add(unit);
            total += unit.Tokens;
        }

        if (current.Count > 0)
        {
            yield return Emit(text, current, total);
        }
    }

    private static (string, int) Emit(string text, List<Unit> units, int tokens) =>
        (text[units[0].Start..units[^1].End], tokens);

    /// <summary>The trailing units of <paramref name="previous"/> within the overlap budget that still leave room for the next unit.</summary>
    private List<Unit> Overlap(List<Unit> previous, int nextTokens)
    {
        var budget = Math.Min(_options.OverlapTokens, _options.MaxTokens - nextTokens);
        var overlap = new List<Unit>();
        var used = 0;
        for (var i = previous.Count - 1; i > 0 && budget > 0; i--)
        {
            if (used + previous[i].Tokens > budget)
            {
                break;
            }

            used += previous[i].Tokens;
            overlap.Insert(0, previous[i]);
        }

        return overlap;
    }

    /// <summary>Adds a sentence as one unit, or as several when it alone is over the limit.</summary>
    private void AddUnits(string text, int start, int end, List<Unit> units)
    {
        var tokens = _counter.CountTokens(text[start..end]);
        if (tokens <= _options.MaxTokens)
        {
            units.Add(new Unit(start, end, tokens));
            return;
        }

        var lineStart = start;
        var pieces = new List<(int, int)>();
        for (var i = start; i <= end; i++)
        {
            if (i == end || text[i] == '\n')
            {
                if (i > lineStart)
                {
                    pieces.Add((lineStart, i));
                }

                lineStart = i + 1;
            }
        }

        if (pieces.Count > 1)
        {
            foreach (var (s, e) in pieces)
            {
                AddUnits(text, s, e, units);
            }

            return;
        }

        AddWordPieces(text, start, end, units);
    }

    /// <summary>Cuts an over-long line between words into pieces that fit (a single word over the limit is cut by characters).</summary>
    private void AddWordPieces(string text, int start, int end, List<Unit> units)
    {
        var pieceStart = start;
        var pieceTokens = 0;
        var i = start;
        while (i < end)
        {
            var wordEnd = i;
            while (wordEnd < end && char.IsWhiteSpace(text[wordEnd]))
            {
                wordEnd++;
            }

            while (wordEnd < end && !char.IsWhiteSpace(text[wordEnd]))
            {
                wordEnd++;
            }

            var wordTokens = _counter.CountTokens(text[i..wordEnd]);
            if (wordTokens > _options.MaxTokens)
            {
                // One "word" longer than a chunk (a base64 blob, a URL run): cut it by characters.
                if (pieceTokens > 0)
                {
                    units.Add(new Unit(pieceStart, i, pieceTokens));
                }

                var step = Math.Max(1, (wordEnd - i) * _options.MaxTokens / wordTokens);
                for (var s = i; s < wordEnd; s += step)
                {
                    var e = Math.Min(wordEnd, s + step);
                    units.Add(new Unit(s, e, _counter.CountTokens(text[s..e])));
                }

                pieceStart = wordEnd;
                pieceTokens = 0;
            }
            else if (pieceTokens + wordTokens > _options.MaxTokens)
            {
                units.Add(new Unit(pieceStart, i, pieceTokens));
                pieceStart = SkipSpaces(text, i, end);
                pieceTokens = _counter.CountTokens(text[pieceStart..wordEnd]);
            }
            else
            {
                pieceTokens += wordTokens;
            }

            i = wordEnd;
        }

        if (pieceStart < end && pieceTokens > 0)
        {
            units.Add(new Unit(pieceStart, end, pieceTokens));
        }
    }

    private static int SkipSpaces(string text, int i, int end)
    {
        while (i < end && char.IsWhiteSpace(text[i]))
        {
            i++;
        }

        return i;
    }

    private readonly record struct Unit(int Start, int End, int Tokens);
}
