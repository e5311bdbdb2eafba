using System.Text;
using AgentKit.Rag.Documents;
using HtmlAgilityPack;

namespace AgentKit.Rag.Readers;

/// <summary>
/// Reads HTML with HtmlAgilityPack. Boilerplate is stripped before the text is taken: <c>script</c>, <c>style</c>,
/// <c>nav</c>, <c>header</c>, <c>footer</c>, <c>aside</c>, forms, embedded media, hidden elements and elements whose
/// ARIA role is navigation, banner, contentinfo, complementary or search, footnote marks (roles doc-noteref and
/// doc-backlink, EPUB's noteref, the usual classes: the note itself is kept) and EPUB page-break markers; so are what documentation generators mark up without
/// those: tables of contents, indexes and navigation panels by class (<c>toc</c>, <c>navheader</c>, <c>index-cp</c>…) and short
/// previous/next/up bars (links with an access key or a <c>rel</c> of next, prev, up…), and lists that are nothing but
/// links to places on the same page (tables of contents without a class). When the page has a <c>main</c> (or a single
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
        "navigation", "banner", "contentinfo", "complementary", "search", "doc-backlink", "doc-noteref",
    };

    /// <summary>
    /// Classes documentation generators give to navigation, tables of contents and back-of-book indexes (DocBook,
    /// Texinfo, Sphinx…) and to footnote marks and back links (pandoc, markdown-it, kramdown); also any class ending in
    /// <c>-printindex</c> (Texinfo 7's index tables and letter bars).
    /// </summary>
    private static readonly HashSet<string> BoilerplateClasses = new(StringComparer.OrdinalIgnoreCase)
    {
        "toc", "toctree-wrapper", "mini-toc", "shortcontents", "navheader", "navfooter", "nav-panel", "breadcrumb", "breadcrumbs",
        "index-cp", "index-fn", "index-vr", "index-ky", "index-pg", "index-tp", "indextable", "genindex-jumpbox",
        "footnote-ref", "footnote-back", "footnote-backref", "reversefootnote",
    };

    /// <summary>Link relations of a page's previous/next/up links.</summary>
    private static readonly HashSet<string> NavigationRelations = new(StringComparer.OrdinalIgnoreCase)
    {
        "next", "prev", "previous", "up", "home", "start", "first", "last", "index", "contents", "top",
    };

    /// <summary>The most nodes a navigation bar is scanned for; a larger element is content.</summary>
    private const int NavigationBarNodes = 256;

    /// <summary>Each parsed page's element ids and anchor names, for telling in-page links from links elsewhere.</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<HtmlDocument, HashSet<string>> PageAnchors = new();

    /// <summary>The most nodes a list is scanned for as a table of contents; a larger list is content.</summary>
    private const int TableOfContentsNodes = 4096;

    /// <summary>The most characters of text a navigation bar has.</summary>
    private const int NavigationBarText = 300;

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

        var builder = new SectionBuilder();
        var title = ReadInto(html, builder, cancellationToken);
        var sections = builder.Build();
        if (title.Length == 0)
        {
            title = builder.FirstTopHeading ?? Path.GetFileNameWithoutExtension(sourcePath);
        }

        return new RagDocument(sourcePath, title, sections);
    }

    /// <summary>Reads a parsed page's content into sections (an EPUB reads each of its pages into one builder).</summary>
    /// <param name="html">The page.</param>
    /// <param name="sections">Where its headings and paragraphs go.</param>
    /// <param name="cancellationToken">Stops reading between elements.</param>
    /// <returns>The text of the page's <c>title</c> element, or "".</returns>
    internal static string ReadInto(HtmlDocument html, SectionBuilder sections, CancellationToken cancellationToken)
    {
        var titleNode = html.DocumentNode.SelectSingleNode("//title");
        var walker = new Walker(sections, cancellationToken);
        walker.Visit(ContentRoot(html.DocumentNode));
        walker.Finish();
        return titleNode is null ? "" : Whitespace.Collapse(HtmlEntity.DeEntitize(titleNode.InnerText));
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
        || element.GetAttributeValue("epub:type", "").Split(' ').Any(type => type is "noteref" or "pagebreak")
        || element.GetAttributeValue("style", "").Replace(" ", "", StringComparison.Ordinal).Contains("display:none", StringComparison.OrdinalIgnoreCase)
        || element.GetClasses().Any(c => BoilerplateClasses.Contains(c) || c.EndsWith("-printindex", StringComparison.OrdinalIgnoreCase))
        || IsNavigationBar(element)
        || IsTableOfContents(element);

    /// <summary>
    /// Whether a list is a table of contents without a class saying so (DocBook's question lists, hand-written
    /// "On this page" lists): a <c>ul</c>, <c>ol</c> or <c>dl</c> of at most <see cref="TableOfContentsNodes"/> nodes with
    /// two links or more to an element of the same page (<c>#id</c>, or <c>page.html#id</c> where the page has that id),
    /// links elsewhere at most a tenth of all (one broken entry in ten does not make a table of contents content), and
    /// letters outside the links at most a tenth of those in them. Lists of links to other pages' anchors (an API page's
    /// list of types) are content.
    /// </summary>
    private static bool IsTableOfContents(HtmlNode element)
    {
        if (element.Name is not ("ul" or "ol" or "dl"))
        {
            return false;
        }

        var nodes = 0;
        var links = 0;
        var elsewhere = 0;
        var linked = 0;
        var unlinked = 0;
        var pending = new Stack<(HtmlNode Node, bool InLink)>();
        pending.Push((element, false));
        while (pending.TryPop(out var entry))
        {
            var (node, inLink) = entry;
            if (++nodes > TableOfContentsNodes)
            {
                return false;
            }

            if (node.NodeType == HtmlNodeType.Text)
            {
                var letters = ((HtmlTextNode)node).Text.Count(char.IsLetter);
                linked += inLink ? letters : 0;
                unlinked += inLink ? 0 : letters;
                continue;
            }

            if (node.Name == "a" && node.Attributes.Contains("href"))
            {
                if (LinksIntoPage(node))
                {
                    links++;
                }
                else
                {
                    elsewhere++;
                }

                inLink = true;
            }

            foreach (var child in node.ChildNodes)
            {
                pending.Push((child, inLink));
            }
        }

        return links >= 2 && elsewhere * 10 <= links + elsewhere && unlinked * 10 <= linked;
    }

    /// <summary>Whether a link points at an element of its own page (an <c>id</c> or an <c>a name</c> there).</summary>
    private static bool LinksIntoPage(HtmlNode link)
    {
        var href = link.GetAttributeValue("href", "");
        var hash = href.IndexOf('#', StringComparison.Ordinal);
        if (hash < 0 || hash == href.Length - 1)
        {
            return false;
        }

        var fragment = HtmlEntity.DeEntitize(href[(hash + 1)..]);
        var anchors = PageAnchors.GetValue(link.OwnerDocument, document =>
        {
            var found = new HashSet<string>(StringComparer.Ordinal);
            var pending = new Stack<HtmlNode>();
            pending.Push(document.DocumentNode);
            while (pending.TryPop(out var node))
            {
                foreach (var name in (ReadOnlySpan<string>)["id", "name"])
                {
                    if (node.GetAttributeValue(name, "") is { Length: > 0 } anchor)
                    {
                        found.Add(anchor);
                    }
                }

                foreach (var child in node.ChildNodes)
                {
                    if (child.NodeType == HtmlNodeType.Element)
                    {
                        pending.Push(child);
                    }
                }
            }

            return found;
        });
        return anchors.Contains(fragment) || anchors.Contains(Uri.UnescapeDataString(fragment));
    }

    /// <summary>
    /// Whether an element is a generated page's previous/next/up bar without <c>nav</c> markup (DocBook's tables,
    /// Texinfo's "Next: …, Up: …" lines, gtk-doc's tables): a table, div, p or list of at most
    /// <see cref="NavigationBarText"/> characters that holds a link with an access key or a previous/next/up relation,
    /// and no heading or code block.
    /// </summary>
    private static bool IsNavigationBar(HtmlNode element)
    {
        if (element.Name is not ("table" or "div" or "p" or "ul" or "ol"))
        {
            return false;
        }

        var nodes = 0;
        var text = 0;
        var navigationLink = false;
        var pending = new Stack<HtmlNode>();
        pending.Push(element);
        while (pending.TryPop(out var node))
        {
            if (++nodes > NavigationBarNodes)
            {
                return false;
            }

            if (node.NodeType == HtmlNodeType.Text)
            {
                text += ((HtmlTextNode)node).Text.Length;
                if (text > NavigationBarText)
                {
                    return false;
                }

                continue;
            }

            if (HeadingLevel(node.Name) > 0 || node.Name == "pre")
            {
                return false;
            }

            navigationLink |= node.Name == "a"
                && (node.Attributes.Contains("accesskey") || node.GetAttributeValue("rel", "").Split(' ').Any(NavigationRelations.Contains));
            foreach (var child in node.ChildNodes)
            {
                pending.Push(child);
            }
        }

        return navigationLink;
    }

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

    private sealed class Walker(SectionBuilder sections, CancellationToken cancellationToken)
    {
        private readonly StringBuilder _paragraph = new();

        private SectionBuilder Sections => sections;

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

        public void Finish() => EndParagraph();

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
