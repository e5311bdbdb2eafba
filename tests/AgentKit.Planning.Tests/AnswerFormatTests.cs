using System.Text.Json;

namespace AgentKit.Planning.Tests;

public sealed class AnswerFormatTests
{
    [Theory]
    [InlineData("1,000", "1000")]
    [InlineData("$1000.00", "1000")]
    [InlineData("12.50 dollars", "12.5")]
    [InlineData("-3", "-3")]
    [InlineData("6/8", "0.75")]
    [InlineData("none", null)]
    public void Number_NormalisesByValue(string raw, string? expected) => Assert.Equal(expected, AnswerFormat.Number.Normalize(raw));

    [Fact]
    public void Number_TryParse_PrefersTheStatedAnswer_ElseTheLastNumber()
    {
        Assert.Equal("8", AnswerFormat.Number.TryParse("4 groups of 2 is 8. The answer is 8. (Checked 3 times.)"));
        Assert.Equal("42", AnswerFormat.Number.TryParse("6 times 7 gives 42"));
    }

    [Theory]
    [InlineData("(b)", "B")]
    [InlineData("B) Paris", "B")]
    [InlineData("c.", "C")]
    [InlineData("E", null)]
    public void Choice_NormalisesToALetter(string raw, string? expected) => Assert.Equal(expected, AnswerFormat.Choice(4).Normalize(raw));

    [Fact]
    public void Choice_TryParse_FindsTheLastMarkedChoice() =>
        Assert.Equal("C", AnswerFormat.Choice(4).TryParse("(A) is wrong because… so the answer is (C)."));

    [Fact]
    public void Json_ComparesCanonically_AndRejectsSchemaViolations()
    {
        using var schema = JsonDocument.Parse("""{"type":"object","properties":{"x":{"type":"integer"}},"required":["x"]}""");
        var format = AnswerFormat.Json(schema.RootElement);
        Assert.Equal(format.Normalize("""{ "x": 1, "y": [1, 2] }"""), format.Normalize("""{"y":[1,2],"x":1}"""));
        Assert.Null(format.Normalize("""{"x": "one"}"""));
        Assert.Equal("""{"x":3}""", format.TryParse("""First {"x": 2} then, finally, {"x": 3}."""));
    }

    [Fact]
    public void Regex_UsesTheAnswerGroup()
    {
        var format = AnswerFormat.Regex(@"ID-(?<answer>\d{4})");
        Assert.Equal("0042", format.TryParse("tried ID-0001, the right one is ID-0042"));
        Assert.Throws<ArgumentException>(() => AnswerFormat.Regex("("));
    }

    [Fact]
    public void Text_NormalisesCaseArticlesAndPunctuation()
    {
        Assert.Equal("eiffel tower", AnswerFormat.Text().Normalize("  The Eiffel   Tower. "));
        Assert.Equal("paris", AnswerFormat.Text().TryParse("Thinking…\nThe answer is: Paris!"));
        Assert.Equal("PARIS", AnswerFormat.Text(s => s.Trim().ToUpperInvariant()).Normalize(" paris "));
    }
}
