using AgentKit.Abstractions.Text;

namespace AgentKit.Abstractions.Tests.Text;

public sealed class SentenceSplitterTests
{
    private static string[] Split(string text) => SentenceSplitter.Split(text).Select(s => text[s.Start..s.End]).ToArray();

    [Fact]
    public void Split_AtTerminalPunctuationFollowedBySpaceAndCapital()
    {
        Assert.Equal(["It works.", "Does it?", "Yes!", "\"Quoted.\"", "Done"], Split("It works. Does it? Yes! \"Quoted.\" Done"));
    }

    [Fact]
    public void Split_AbbreviationsInitialsDecimalsAndLowercaseContinuations_DoNotEnd()
    {
        Assert.Equal(
            ["Use e.g. the CLI or see Fig. 3 by J. Smith with version 2.5 today.", "Next."],
            Split("Use e.g. the CLI or see Fig. 3 by J. Smith with version 2.5 today. Next."));
        Assert.Equal(["The value is approx. three meters long."], Split("The value is approx. three meters long."));
    }

    [Fact]
    public void Split_BlankLinesAndListItems_AreBoundaries_SingleNewlinesAreNot()
    {
        Assert.Equal(["First line\ncontinues", "Para two", "- item one", "- item two", "1. numbered"], Split("First line\ncontinues\n\nPara two\n- item one\n- item two\n1. numbered"));
    }
}
