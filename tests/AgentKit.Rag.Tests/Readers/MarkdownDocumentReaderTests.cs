using System.Text;
using AgentKit.Rag.Readers;

namespace AgentKit.Rag.Tests.Readers;

public sealed class MarkdownDocumentReaderTests
{
    private static readonly MarkdownDocumentReader Reader = new();

    private static Documents.RagDocument Read(string markdown) =>
        Reader.Read("/kb/guide.md", Encoding.UTF8.GetBytes(markdown), TestContext.Current.CancellationToken);

    [Fact]
    public void Read_Headings_BecomeSectionPaths()
    {
        var document = Read("""
            ---
            author: someone
            ---
            # Deployment Guide

            Intro paragraph.

            ## Linux

            Use **systemd** units.

            ### Logs

            Read them with `journalctl`.

            ## Windows

            Use a service.
            """);

        Assert.Equal("Deployment Guide", document.Title);
        Assert.Equal(
            ["Deployment Guide", "Deployment Guide > Linux", "Deployment Guide > Linux > Logs", "Deployment Guide > Windows"],
            document.Sections.Select(s => s.SectionPath));
        Assert.Equal("Use **systemd** units.", document.Sections[1].Text);
        Assert.DoesNotContain(document.Sections, s => s.Text.Contains("author", StringComparison.Ordinal));
        Assert.All(document.Sections, s => Assert.Null(s.Page));
    }

    [Fact]
    public void Read_ListsAndCode_KeepTheirMarkdownAndParagraphsAreSeparated()
    {
        var document = Read("""
            # Steps

            First do this.

            - one
            - two

            ```
            make install
            ```
            """);

        Assert.Equal("First do this.\n\n- one\n- two\n\n```\nmake install\n```", Assert.Single(document.Sections).Text);
    }

    [Fact]
    public void Read_SetextHeadingAndNoH1_TitleIsFileName()
    {
        var document = Read("Usage\n-----\n\nRun it.\n");

        Assert.Equal("guide", document.Title);
        Assert.Equal(["Usage"], Assert.Single(document.Sections).HeadingPath);
    }

    [Fact]
    public void Read_TextBeforeAnyHeading_HasAnEmptyPath()
    {
        var document = Read("Preamble.\n\n# Title\n\nBody.\n");

        Assert.Empty(document.Sections[0].HeadingPath);
        Assert.Equal("Preamble.", document.Sections[0].Text);
    }

    [Fact]
    public void Read_RawHtmlBlocks_KeepOnlyTheirText()
    {
        var document = Read("""
            # Pumps

            <p align="center">
              <img src="logo.png" alt="logo" width="200">
            </p>

            <!-- maintainers: keep this list sorted -->

            <details>
            <summary>Supported models &amp; sizes</summary>

            - P100
            - P200

            </details>

            Use the P100 for tanks under 50 litres.
            """);

        var text = Assert.Single(document.Sections).Text;
        Assert.Equal("Supported models & sizes\n\n- P100\n- P200\n\nUse the P100 for tanks under 50 litres.", text);
    }

    [Fact]
    public void Read_HeadingIdAttributes_AreNotPartOfTheSectionPath()
    {
        var document = Read("""
            # Guide {#guide}

            Intro.

            ## Install on Linux {#install-linux .tabbed}

            Steps.

            ## Templates use {name} placeholders

            Braces that are not an id stay.
            """);

        Assert.Equal(
            ["Guide", "Guide > Install on Linux", "Guide > Templates use {name} placeholders"],
            document.Sections.Select(s => s.SectionPath));
        Assert.Equal("Guide", document.Title);
    }

    [Fact]
    public void Read_ListsOfAnchorLinksOnly_AreTablesOfContents()
    {
        var document = Read("""
            # Build

            - [CPU build](#cpu-build)
              - [Static TOC-ONE](#static)
            - [CUDA TOC-TWO](#cuda)

            ## CPU build

            Run cmake. See:

            - [the CUDA notes](#cuda): what the CUDA build needs, and why it takes longer.
            - [ggml](https://github.com/ggml-org/ggml) and [the FAQ](#faq)

            Backends:

            - [CUDA](backend/CUDA.md#build)
            - [SYCL](backend/SYCL.md#build)
            """);

        var all = string.Join("\n", document.Sections.Select(s => s.Text));
        Assert.DoesNotContain("TOC-ONE", all, StringComparison.Ordinal);
        Assert.DoesNotContain("TOC-TWO", all, StringComparison.Ordinal);
        // A list with text of its own, or with a link elsewhere, is content.
        Assert.Contains("what the CUDA build needs", all, StringComparison.Ordinal);
        Assert.Contains("[ggml](https://github.com/ggml-org/ggml)", all, StringComparison.Ordinal);
        // Links to other files' anchors are references, not this file's table of contents.
        Assert.Contains("[SYCL](backend/SYCL.md#build)", all, StringComparison.Ordinal);
    }
}
