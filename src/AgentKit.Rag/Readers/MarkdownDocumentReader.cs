using System.Text;
using System.Text.RegularExpressions;
using AgentKit.Rag.Documents;
using HtmlAgilityPack;
using Markdig;
using Markdig.Extensions.Yaml;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace AgentKit.Rag.Readers;

/// <summary>
/// Reads Markdown with Markdig: headings (ATX and setext) become the section paths; every other top-level block
/// (paragraphs, lists, quotes, code, tables) is kept as its Markdown source, so code and list structure survive.
/// Raw HTML blocks (a README's centred logo, <c>&lt;details&gt;</c>) keep only their text; HTML comments and YAML
/// front matter are skipped, and so are lists of nothing but links to anchors (tables of contents, which share the words
/// of every section they list); a heading's trailing id attribute (<c>{#install}</c>) is not part of its title. The title
/// is the first level-1 heading, else the file name.
/// </summary>
public sealed partial class MarkdownDocumentReader : IDocumentReader
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UseYamlFrontMatter()
        .UsePipeTables()
        .UseGridTables()
        .Build();

    /// <inheritdoc />
    public IReadOnlyCollection<string> Extensions { get; } = [".md", ".markdown", ".mdown", ".mkd"];

    /// <inheritdoc />
    public RagDocument Read(string sourcePath, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sourcePath);
        var markdown = TextDecoding.Decode(sourcePath, content.Span);
        var document = Markdown.Parse(markdown, Pipeline);
        var sections = new SectionBuilder();
        foreach (var block in document)
        {
            cancellationToken.ThrowIfCancellationRequested();
            switch (block)
            {
                case YamlFrontMatterBlock:
                    break;
                case HeadingBlock heading:
                    sections.Heading(heading.Level, HeadingId().Replace(InlineText(heading.Inline), ""));
                    break;
                case ListBlock list when IsTableOfContents(list):
                    break;
                case HtmlBlock html:
                    sections.Paragraph(HtmlText(sourcePath, Source(markdown, html)));
                    break;
                default:
                    sections.Paragraph(Source(markdown, block));
                    break;
            }
        }

        var built = sections.Build();
        return new RagDocument(sourcePath, sections.FirstTopHeading ?? Path.GetFileNameWithoutExtension(sourcePath), built);
    }

    private static string Source(string markdown, Block block) =>
        markdown.Substring(block.Span.Start, Math.Min(block.Span.Length, markdown.Length - block.Span.Start));

    /// <summary>
    /// The text of raw HTML, with the HTML reader's boilerplate (scripts, styles, navigation, media, hidden elements…)
    /// and comments dropped, entities decoded, a line per block.
    /// </summary>
    /// <exception cref="DocumentReadException">The HTML is nested past the parser's limit.</exception>
    private static string HtmlText(string sourcePath, string html)
    {
        var document = HtmlDocumentReader.Parse(sourcePath, html, "holds raw HTML that cannot be read");
        var text = new StringBuilder();
        Append(document.DocumentNode);
        return string.Join('\n', text.ToString().Split('\n').Select(Whitespace.Collapse).Where(line => line.Length > 0));

        void Append(HtmlNode node)
        {
            foreach (var child in node.ChildNodes)
            {
                if (child is HtmlTextNode textNode)
                {
                    text.Append(HtmlEntity.DeEntitize(textNode.Text));
                }
                else if (child.NodeType == HtmlNodeType.Element && !HtmlDocumentReader.IsBoilerplate(child))
                {
                    Append(child);
                    if (child.Name is "p" or "div" or "br" or "li" or "tr" or "summary" or "details" or "table" or "h1" or "h2" or "h3" or "h4" or "h5" or "h6")
                    {
                        text.Append('\n');
                    }
                }
            }
        }
    }

    /// <summary>
    /// Whether a list is a table of contents ("- [Build](#build)"): two links or more, every one to an anchor of this
    /// file (<c>#…</c>), and letters outside the links at most a tenth of those in them (the HTML reader's rule).
    /// </summary>
    private static bool IsTableOfContents(ListBlock list)
    {
        var links = 0;
        var linked = 0;
        var unlinked = 0;
        foreach (var paragraph in list.Descendants<ParagraphBlock>())
        {
            if (!Count(paragraph.Inline, inLink: false))
            {
                return false;
            }
        }

        return links >= 2 && unlinked * 10 <= linked;

        bool Count(ContainerInline? container, bool inLink)
        {
            for (var inline = container?.FirstChild; inline is not null; inline = inline.NextSibling)
            {
                switch (inline)
                {
                    case LinkInline { IsImage: false } link:
                        if (link.Url is not ['#', _, ..])
                        {
                            return false;
                        }

                        links++;
                        if (!Count(link, inLink: true))
                        {
                            return false;
                        }

                        break;
                    case ContainerInline nested:
                        if (!Count(nested, inLink))
                        {
                            return false;
                        }

                        break;
                    case AutolinkInline:
                        return false;
                    case LiteralInline or CodeInline:
                        var letters = (inline is CodeInline code ? code.Content : ((LiteralInline)inline).Content.ToString()).Count(char.IsLetter);
                        linked += inLink ? letters : 0;
                        unlinked += inLink ? 0 : letters;
                        break;
                }
            }

            return true;
        }
    }

    // Pandoc/kramdown/MkDocs heading attributes at the end of a heading: "Install {#install}", "Usage {#usage .tab}".
    [GeneratedRegex(@"\s*\{#[\w:.-]+(?:\s+[.#][\w:.-]+)*\}\s*$")]
    private static partial Regex HeadingId();

    private static string InlineText(ContainerInline? container)
    {
        var text = new StringBuilder();
        Append(container, text);
        return text.ToString();

        static void Append(ContainerInline? container, StringBuilder text)
        {
            for (var inline = container?.FirstChild; inline is not null; inline = inline.NextSibling)
            {
                switch (inline)
                {
                    case LiteralInline literal:
                        text.Append(literal.Content.ToString());
                        break;
                    case CodeInline code:
                        text.Append(code.Content);
                        break;
                    case LineBreakInline:
                        text.Append(' ');
                        break;
                    case ContainerInline nested:
                        Append(nested, text);
                        break;
                }
            }
        }
    }
}
