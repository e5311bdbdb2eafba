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
/// <remarks>
/// With a model input limit, every chunk's <see cref="DocumentChunk.EmbeddingText"/> (heading path and text) fits
/// it, counted by the same counter: a section's chunks get what the limit leaves after its heading path, and a
/// heading path that would take more than half of the limit is shortened to its innermost headings (or dropped).
/// </remarks>
public sealed class TextChunker
{
    private readonly ITokenCounter _counter;
    private readonly ChunkingOptions _options;
    private readonly int? _inputLimit;

    /// <summary>Creates a chunker.</summary>
    /// <param name="counter">Counts tokens; use the embedding model's tokenizer when there is one.</param>
    /// <param name="options">Sizes; defaults when null.</param>
    /// <param name="inputLimit">
    /// The embedding model's input limit in <paramref name="counter"/>'s tokens (its <see cref="ModelInputLimit"/>):
    /// no chunk's <see cref="DocumentChunk.EmbeddingText"/> exceeds it. None when null.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">The options are out of range, or the limit is under 16.</exception>
    public TextChunker(ITokenCounter counter, ChunkingOptions? options = null, ModelInputLimit? inputLimit = null)
    {
        ArgumentNullException.ThrowIfNull(counter);
        _counter = counter;
        _options = options ?? new ChunkingOptions();
        _options.Validate();
        if (inputLimit is { MaxTokens: < 16 })
        {
            throw new ArgumentOutOfRangeException(nameof(inputLimit), inputLimit.MaxTokens, "The model input limit must be at least 16 tokens.");
        }

        _inputLimit = inputLimit?.MaxTokens;
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
            var context = EmbeddedHeadings(section.HeadingPath);
            var prefix = DocumentChunk.EmbeddingPrefix(context);
            var budget = _inputLimit is { } limit ? Math.Min(_options.MaxTokens, limit - _counter.CountTokens(prefix)) : _options.MaxTokens;
            foreach (var (text, tokens) in Fit(section.Text, prefix, budget))
            {
                chunks.Add(new DocumentChunk(document.SourcePath, document.Title, section.Page, section.HeadingPath, text, chunks.Count, tokens)
                {
                    EmbeddedHeadingPath = context,
                });
            }
        }

        return chunks;
    }

    /// <summary>The headings embedded with a section's chunks: the innermost ones whose prefix takes at most half of the limit.</summary>
    private IReadOnlyList<string> EmbeddedHeadings(IReadOnlyList<string> headings)
    {
        if (_inputLimit is not { } limit)
        {
            return headings;
        }

        for (var skip = 0; skip < headings.Count; skip++)
        {
            var kept = headings.Skip(skip).ToList();
            if (_counter.CountTokens(DocumentChunk.EmbeddingPrefix(kept)) <= limit / 2)
            {
                return skip == 0 ? headings : kept;
            }
        }

        return [];
    }

    /// <summary>
    /// Chunks a section's text within <paramref name="budget"/>; with a model limit, a chunk whose embedding text
    /// still counts over it (tokenizers do not always add up across the cut points) is chunked again, tighter.
    /// </summary>
    private IEnumerable<(string Text, int Tokens)> Fit(string text, string prefix, int budget)
    {
        foreach (var (piece, tokens) in ChunkText(text, budget))
        {
            var over = _inputLimit is { } limit ? _counter.CountTokens(prefix + piece) - limit : 0;
            if (over <= 0 || budget <= 1)
            {
                yield return (piece, tokens);
                continue;
            }

            foreach (var smaller in Fit(piece, prefix, Math.Max(1, Math.Min(budget - over, budget / 2))))
            {
                yield return smaller;
            }
        }
    }

    /// <summary>Chunks one section's text into (text, tokens) pieces.</summary>
    internal IEnumerable<(string Text, int Tokens)> ChunkText(string text) => ChunkText(text, _options.MaxTokens);

    private IEnumerable<(string Text, int Tokens)> ChunkText(string text, int max)
    {
        var units = new List<Unit>();
        foreach (var (start, end) in SentenceSplitter.Split(text))
        {
            AddUnits(text, start, end, units, max);
        }

        var current = new List<Unit>();
        var total = 0;
        foreach (var unit in units)
        {
            if (current.Count > 0 && total + unit.Tokens > max)
            {
                yield return Emit(text, current, total);
                var overlap = Overlap(current, unit.Tokens, max);
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
    private List<Unit> Overlap(List<Unit> previous, int nextTokens, int max)
    {
        var budget = Math.Min(Math.Min(_options.OverlapTokens, max / 2), max - nextTokens);
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
    private void AddUnits(string text, int start, int end, List<Unit> units, int max)
    {
        var tokens = _counter.CountTokens(text[start..end]);
        if (tokens <= max)
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
                AddUnits(text, s, e, units, max);
            }

            return;
        }

        AddWordPieces(text, start, end, units, max);
    }

    /// <summary>Cuts an over-long line between words into pieces that fit (a single word over the limit is cut by characters).</summary>
    private void AddWordPieces(string text, int start, int end, List<Unit> units, int max)
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
            if (wordTokens > max)
            {
                // One "word" longer than a chunk (a base64 blob, a URL run): cut it by characters.
                if (pieceTokens > 0)
                {
                    units.Add(new Unit(pieceStart, i, pieceTokens));
                }

                var step = Math.Max(1, (wordEnd - i) * max / wordTokens);
                for (var s = i; s < wordEnd; s += step)
                {
                    var e = Math.Min(wordEnd, s + step);
                    units.Add(new Unit(s, e, _counter.CountTokens(text[s..e])));
                }

                pieceStart = wordEnd;
                pieceTokens = 0;
            }
            else if (pieceTokens + wordTokens > max)
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
