using System.Text;
using AgentKit.Rag.Documents;
using HtmlAgilityPack;

namespace AgentKit.Rag.Readers;

/// <summary>
/// Reads HTML with HtmlAgilityPack. Boilerplate is stripped before the text is taken: <c>script</c>, <c>style</c>,
/// <c>nav</c>, <c>header</c>, <c>footer</c>, <c>aside</c>, forms, embedded media, hidden elements and elements whose
/// ARIA role is navigation, banner, contentinfo or complementary. When the page has a <c>main</c> (or a single
/// <c>article</c>) only that is read. <c>h1</c>–<c>h6</c> become the section paths; block elements end paragraphs;
/// <c>pre</c> keeps its line breaks. The same boilerplate is left out of headings and <c>pre</c> (a code block's "copy"
/// button), and so are a heading's permalink anchors (an in-page link with no letter or digit: <c>#</c>, <c>¶</c>, <c>§</c>).
/// The title is the <c>title</c> element, else the first <c>h1</c>, else the file name.
/// </summary>
public sealed class HtmlDocumentReader : IDocumentReader
{
    private static readonly HashSet<string> Boilerplate = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "iframe", "svg", "canvas",
        "object", "embed", "video", "audio", "button", "select", "input", "textarea", "head", "dialog",
    };

    private static readonly HashSet<string> BoilerplateRoles = new(StringComparer.OrdinalIgnoreCase)
    {
        "navigation", "banner", "contentinfo", "complementary", "search",
    };

    private static readonly HashSet<string> BlockElements = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "div", "section", "article", "main", "li", "ul", "ol", "dl", "dt", "dd", "table", "tr", "thead", "tbody",
        "blockquote", "figure", "figcaption", "pre", "address", "details", "summary", "hr", "br", "body", "html",
    };

    /// <inheritdoc />
    public IReadOnlyCollection<string> Extensions { get; } = [".html", ".htm", ".xhtml"];

    /// <inheritdoc />
    public RagDocument Read(string sourcePath, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sourcePath);
        var html = Parse(sourcePath, TextDecoding.Decode(sourcePath, content.Span), "is not readable HTML");

        var titleNode = html.DocumentNode.SelectSingleNode("//title");
        var title = titleNode is null ? "" : Whitespace.Collapse(HtmlEntity.DeEntitize(titleNode.InnerText));
        var root = ContentRoot(html.DocumentNode);
        var walker = new Walker(cancellationToken);
        walker.Visit(root);
        var sections = walker.Finish();
        if (title.Length == 0)
        {
            title = walker.Sections.FirstTopHeading ?? Path.GetFileNameWithoutExtension(sourcePath);
        }

        return new RagDocument(sourcePath, title, sections);
    }

    /// <summary>Parses HTML with at most 2,048 nested tags.</summary>
    /// <param name="sourcePath">The file, for the error.</param>
    /// <param name="text">The HTML.</param>
    /// <param name="problem">What the error says of the file when the HTML cannot be parsed ("is not readable HTML").</param>
    /// <exception cref="DocumentReadException">Corrupt: HtmlAgilityPack refused it (a plain <see cref="Exception"/> for
    /// tags nested past the limit, argument or state errors otherwise).</exception>
    internal static HtmlDocument Parse(string sourcePath, string text, string problem)
    {
        var html = new HtmlDocument { OptionMaxNestedChildNodes = 2048 };
        try
        {
            html.LoadHtml(text);
        }
        catch (Exception e) when (e.GetType() == typeof(Exception) || e is InvalidOperationException or ArgumentException)
        {
            throw new DocumentReadException(sourcePath, DocumentReadFailure.Corrupt, $"'{sourcePath}' {problem}: {e.Message}", e);
        }

        return html;
    }

    private static HtmlNode ContentRoot(HtmlNode document)
    {
        var main = document.SelectSingleNode("//main") ?? document.SelectSingleNode("//*[@role='main']");
        if (main is not null)
        {
            return main;
        }

        var articles = document.SelectNodes("//article");
        return articles is { Count: 1 } ? articles[0] : document.SelectSingleNode("//body") ?? document;
    }

    /// <summary>Whether an element is left out of the text (scripts, navigation, forms, media, hidden elements…).</summary>
    internal static bool IsBoilerplate(HtmlNode element) =>
        Boilerplate.Contains(element.Name)
        || element.Attributes.Contains("hidden")
        || element.GetAttributeValue("aria-hidden", "").Equals("true", StringComparison.OrdinalIgnoreCase)
        || BoilerplateRoles.Contains(element.GetAttributeValue("role", ""))
        || element.GetAttributeValue("style", "").Replace(" ", "", StringComparison.Ordinal).Contains("display:none", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// An element's text without boilerplate descendants; in a heading also without permalink anchors. In a <c>pre</c>,
    /// a <c>code</c> element after other text starts a line (sites put a snippet's variants side by side in one block).
    /// </summary>
    private static string ContentText(HtmlNode element, bool heading)
    {
        var text = new StringBuilder();
        Append(element);
        return HtmlEntity.DeEntitize(text.ToString());

        void Append(HtmlNode node)
        {
            foreach (var child in node.ChildNodes)
            {
                if (child.NodeType == HtmlNodeType.Text)
                {
                    text.Append(((HtmlTextNode)child).Text);
                }
                else if (child.NodeType == HtmlNodeType.Element && !IsBoilerplate(child) && !(heading && IsPermalink(child)))
                {
                    if (!heading && child.Name.Equals("code", StringComparison.OrdinalIgnoreCase) && text.Length > 0 && text[^1] != '\n')
                    {
                        text.Append('\n');
                    }

                    Append(child);
                }
            }
        }
    }

    private static bool IsPermalink(HtmlNode element) =>
        element.Name.Equals("a", StringComparison.OrdinalIgnoreCase)
        && element.GetAttributeValue("href", "").StartsWith('#')
        && !HtmlEntity.DeEntitize(element.InnerText).Any(char.IsLetterOrDigit);

    private static int HeadingLevel(string name) =>
        name.Length == 2 && (name[0] is 'h' or 'H') && name[1] is >= '1' and <= '6' ? name[1] - '0' : 0;

    private sealed class Walker(CancellationToken cancellationToken)
    {
        private readonly StringBuilder _paragraph = new();

        public SectionBuilder Sections { get; } = new();

        public void Visit(HtmlNode node)
        {
            foreach (var child in node.ChildNodes)
            {
                switch (child.NodeType)
                {
                    case HtmlNodeType.Text:
                        AppendInline(HtmlEntity.DeEntitize(((HtmlTextNode)child).Text));
                        break;
                    case HtmlNodeType.Element:
                        VisitElement(child);
                        break;
                }
            }
        }

        public IReadOnlyList<DocumentSection> Finish()
        {
            EndParagraph();
            return Sections.Build();
        }

        private void VisitElement(HtmlNode element)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (IsBoilerplate(element))
            {
                return;
            }

            var level = HeadingLevel(element.Name);
            if (level > 0)
            {
                EndParagraph();
                Sections.Heading(level, ContentText(element, heading: true));
                return;
            }

            if (element.Name.Equals("pre", StringComparison.OrdinalIgnoreCase))
            {
                EndParagraph();
                Sections.Paragraph(ContentText(element, heading: false).ReplaceLineEndings("\n").Trim('\n'));
                return;
            }

            var block = BlockElements.Contains(element.Name);
            if (block)
            {
                EndParagraph();
            }

            if (element.Name.Equals("li", StringComparison.OrdinalIgnoreCase))
            {
                _paragraph.Append("- ");
            }

            if (element.Name is "td" or "th")
            {
                AppendInline(" | ");
            }

            Visit(element);
            if (block)
            {
                EndParagraph();
            }
        }

        private void AppendInline(string text)
        {
            foreach (var c in text)
            {
                if (char.IsWhiteSpace(c))
                {
                    if (_paragraph.Length > 0 && _paragraph[^1] != ' ')
                    {
                        _paragraph.Append(' ');
                    }
                }
                else
                {
                    _paragraph.Append(c);
                }
            }
        }

        private void EndParagraph()
        {
            var text = _paragraph.ToString().Trim().Trim('|').Trim();
            _paragraph.Clear();
            if (text.Length > 0 && text != "-")
            {
                Sections.Paragraph(text);
            }
        }
    }
}
