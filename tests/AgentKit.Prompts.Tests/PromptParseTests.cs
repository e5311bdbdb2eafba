using System.Text.Json;

namespace AgentKit.Prompts.Tests;

public sealed class PromptParseTests
{
    internal const string Full = """
        ---
        name: Support answer
        description: Answers a customer.
        version: 1.2.0
        model:
          api: chat
          parameters:
            temperature: 0.2
            top_p: 0.9
            top_k: 40
            max_tokens: 256
            stop: ["###", "END"]
            seed: 7
        inputs:
          question:
            type: string
            required: true
            description: What the customer asks.
          tone:
            type: string
            default: friendly
          limit:
            type: integer
            default: 3
          examples:
            type: array
          vip:
            type: boolean
        outputs:
          type: object
          properties:
            answer: { type: string }
            confidence: { type: number, minimum: 0, maximum: 1 }
          required: [answer]
        sample:
          question: Where is my order?
          limit: 2
        ---
        system:
        You answer in a {{ tone }} tone{% if vip %} and thank the VIP{% endif %}.
        {% for ex in examples %}
        user:
        {{ ex.q }}
        assistant:
        {{ ex.a }}
        {% endfor %}
        user:
        {{ question | strip }}
        """;

    [Fact]
    public void Parse_FullFile_ReadsEveryFrontMatterField()
    {
        var prompt = PromptTemplate.Parse(Full, "support/answer", "/p/support/answer.prompty");

        Assert.Equal("support/answer", prompt.Name);
        Assert.Equal("Support answer", prompt.DisplayName);
        Assert.Equal("Answers a customer.", prompt.Description);
        Assert.Equal("1.2.0", prompt.Version);
        Assert.Equal("/p/support/answer.prompty", prompt.FilePath);
        Assert.Equal(0.2f, prompt.Parameters.Temperature);
        Assert.Equal(0.9f, prompt.Parameters.TopP);
        Assert.Equal(40, prompt.Parameters.TopK);
        Assert.Equal(256, prompt.Parameters.MaxTokens);
        Assert.Equal(["###", "END"], prompt.Parameters.Stop!);
        Assert.Equal(7L, prompt.Parameters.Seed);

        Assert.Equal(["examples", "limit", "question", "tone", "vip"], prompt.Inputs.Keys.Order(StringComparer.Ordinal));
        var question = prompt.Inputs["question"];
        Assert.Equal(PromptInputType.String, question.Type);
        Assert.True(question.Required);
        Assert.Equal("What the customer asks.", question.Description);
        Assert.Equal(15, question.Line);
        Assert.Equal("friendly", prompt.Inputs["tone"].Default);
        Assert.Equal(3L, prompt.Inputs["limit"].Default);
        Assert.Equal(PromptInputType.Array, prompt.Inputs["examples"].Type);
        Assert.False(prompt.Inputs["vip"].HasDefault);

        var schema = prompt.OutputSchema!.Value;
        Assert.Equal("object", schema.GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Number, schema.GetProperty("properties").GetProperty("confidence").GetProperty("maximum").ValueKind);
        Assert.Equal("answer", schema.GetProperty("required")[0].GetString());

        Assert.Equal("Where is my order?", prompt.Sample["question"]);
        Assert.Equal(2L, prompt.Sample["limit"]);
        Assert.Contains("question", prompt.TemplateVariables);
        Assert.DoesNotContain("ex", prompt.TemplateVariables);
    }

    [Fact]
    public void Parse_NoFrontMatter_WholeTextIsTheBody()
    {
        var prompt = PromptTemplate.Parse("user:\nHello there", "hello", "hello.prompty");

        var message = Assert.Single(prompt.Render(new Dictionary<string, object?>()));
        Assert.Equal("Hello there", message.Text);
        Assert.Empty(prompt.Inputs);
    }

    [Fact]
    public void Parse_InvalidYaml_ReportsFileAndLine()
    {
        var text = "---\nname: x\ninputs:\n  a: [unclosed\n---\nuser:\nhi";

        var e = Assert.Throws<PromptException>(() => PromptTemplate.Parse(text, "x", "/p/x.prompty"));

        Assert.Equal("/p/x.prompty", e.FilePath);
        Assert.InRange(e.Line, 4, 5);
        Assert.StartsWith($"/p/x.prompty:{e.Line}: the front matter is not valid YAML", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownTopLevelKey_ReportsItsLine()
    {
        var e = Assert.Throws<PromptException>(() => PromptTemplate.Parse("---\nname: x\ninput:\n  a: { type: string }\n---\nhi", "x", "x.prompty"));

        Assert.Equal(3, e.Line);
        Assert.Contains("unknown front matter key 'input'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownInputType_NamesTheInputAndLine()
    {
        var e = Assert.Throws<PromptException>(() => PromptTemplate.Parse("---\ninputs:\n  count:\n    type: int\n---\n{{ count }}", "x", "x.prompty"));

        Assert.Equal("count", e.InputName);
        Assert.Equal(4, e.Line);
        Assert.Equal("x.prompty:4: input 'count': unknown type 'int'; use string, number, integer, boolean, array or object.", e.Message);
    }

    [Fact]
    public void Parse_DefaultOfTheWrongType_IsRefused()
    {
        var e = Assert.Throws<PromptException>(() => PromptTemplate.Parse("---\ninputs:\n  n:\n    type: integer\n    default: many\n---\n{{ n }}", "x", "x.prompty"));

        Assert.Equal("n", e.InputName);
        Assert.Equal(5, e.Line);
        Assert.Contains("the default is a string, not an integer", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_InputWithoutType_IsRefused()
    {
        var e = Assert.Throws<PromptException>(() => PromptTemplate.Parse("---\ninputs:\n  n:\n    required: true\n---\n{{ n }}", "x", "x.prompty"));

        Assert.Equal("n", e.InputName);
        Assert.Contains("has no 'type'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_LiquidSyntaxError_ReportsTheFileLineAfterTheFrontMatter()
    {
        var text = "---\nname: x\ninputs:\n  a: { type: string }\n---\nsystem:\nok\nuser:\n{% if a %}\n{{ a }}\n";

        var e = Assert.Throws<PromptException>(() => PromptTemplate.Parse(text, "x", "/p/x.prompty"));

        Assert.Contains("Liquid syntax error", e.Message, StringComparison.Ordinal);
        Assert.Contains("endif", e.Message, StringComparison.Ordinal);
        Assert.True(e.Line >= 9, $"line {e.Line} should be in the body (from line 6)");
    }

    [Fact]
    public void Parse_UnknownFilterArgumentSyntax_PointsAtTheLine()
    {
        var text = "---\ninputs:\n  a: { type: string }\n---\nuser:\n\n{{ a | }}\n";

        var e = Assert.Throws<PromptException>(() => PromptTemplate.Parse(text, "x", "x.prompty"));

        Assert.Equal(7, e.Line);
        Assert.StartsWith("x.prompty:7: Liquid syntax error: An identifier was expected after the '|' sign", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnclosedFrontMatter_PointsAtLine1()
    {
        var e = Assert.Throws<PromptException>(() => PromptTemplate.Parse("---\nname: x\nuser:\nhi", "x", "x.prompty"));

        Assert.Equal(1, e.Line);
        Assert.Contains("never closed", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("temperature: 3", "'temperature' must be a number from 0 to 2")]
    [InlineData("max_tokens: 0", "'max_tokens' must be a whole number")]
    [InlineData("best_of: 2", "unknown model parameter 'best_of'")]
    [InlineData("response_format: xml", "'response_format' must be 'text' or 'json_object'")]
    public void Parse_BadModelParameter_IsRefusedWithItsLine(string parameter, string expected)
    {
        var e = Assert.Throws<PromptException>(() => PromptTemplate.Parse($"---\nmodel:\n  parameters:\n    {parameter}\n---\nhi", "x", "x.prompty"));

        Assert.Equal(4, e.Line);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_FileOverTheLimit_IsRefused()
    {
        using var folder = new PromptFolder();
        var path = folder.Write("big", "user:\n" + new string('x', PromptTemplate.DefaultMaxFileBytes));

        var e = Assert.Throws<PromptException>(() => PromptTemplate.Load(path, "big"));

        Assert.Equal(path, e.FilePath);
        Assert.Contains("over the 262144-byte limit", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingFile_IsAPromptException()
    {
        var e = Assert.Throws<PromptException>(() => PromptTemplate.Load("/nonexistent/agentkit/x.prompty", "x"));

        Assert.Contains("cannot be read", e.Message, StringComparison.Ordinal);
    }
}
