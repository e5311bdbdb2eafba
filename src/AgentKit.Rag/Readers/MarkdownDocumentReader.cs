using System.Text;
using AgentKit.Rag.Documents;
using Markdig;
using Markdig.Extensions.Yaml;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace AgentKit.Rag.Readers;

/// <summary>
/// Reads Markdown with Markdig: headings (ATX and setext) become the section paths; every other top-level block
/// (paragraphs, lists, quotes, code, tables) is kept as its Markdown source, so code and list structure survive.
/// YAML front matter is skipped. The title is the first level-1 heading, else the file name.
/// </summary>
public sealed class MarkdownDocumentReader : IDocumentReader
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
                    sections.Heading(heading.Level, InlineText(heading.Inline));
                    break;
                default:
                    sections.Paragraph(markdown.Substring(block.Span.Start, Math.Min(block.Span.Length, markdown.Length - block.Span.Start)));
                    break;
            }
        }

        var built = sections.Build();
        return new RagDocument(sourcePath, sections.FirstTopHeading ?? Path.GetFileNameWithoutExtension(sourcePath), built);
    }

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
