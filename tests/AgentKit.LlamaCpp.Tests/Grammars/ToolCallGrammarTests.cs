using System.Text.Json;
using AgentKit.LlamaCpp.Grammars;
using AgentKit.Abstractions.Json;

namespace AgentKit.LlamaCpp.Tests.Grammars;

public sealed class ToolCallGrammarTests
{
    private static readonly ToolSchema[] Tools =
    [
        new("get_weather", JsonDocument.Parse("""{"type":"object","properties":{"city":{"type":"string"},"unit":{"enum":["c","f"]}},"required":["city"]}""").RootElement),
        new("add", JsonDocument.Parse("""{"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"integer"}},"required":["a","b"]}""").RootElement),
        new("now", JsonDocument.Parse("""{"type":"object","properties":{}}""").RootElement),
    ];

    [Theory]
    [InlineData("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>")]
    [InlineData("<tool_call>\n{\"name\":\"add\",\"arguments\":{\"a\":1,\"b\":-2}}\n</tool_call>\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\", \"unit\": \"c\"}}\n</tool_call>")]
    [InlineData("<tool_call>\n{\"name\": \"now\", \"arguments\": {}}\n</tool_call>")]
    [InlineData("It is sunny.")]
    [InlineData("<b>bold</b> answer")]
    [InlineData("<tool_cal")]
    public void Hermes_AcceptsCallsAndPlainText(string output)
    {
        var grammar = ToolCallGrammarBuilder.Build(Tools, ToolCallFormat.Hermes, requireToolCall: false);

        Assert.True(grammar.Accepts(output), grammar.Text);
    }

    [Theory]
    [InlineData("<tool_call>\n{\"name\": \"delete_all\", \"arguments\": {}}\n</tool_call>")]
    [InlineData("<tool_call>\n{\"name\": \"add\", \"arguments\": {\"a\": 1}}\n</tool_call>")]
    [InlineData("<tool_call>\n{\"name\": \"add\", \"arguments\": {\"a\": \"1\", \"b\": 2}}\n</tool_call>")]
    [InlineData("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}")]
    [InlineData("<tool_call>anything")]
    [InlineData(" leading space")]
    [InlineData("")]
    public void Hermes_RejectsBadCalls(string output)
    {
        var grammar = ToolCallGrammarBuilder.Build(Tools, ToolCallFormat.Hermes, requireToolCall: false);

        Assert.False(grammar.Accepts(output));
    }

    [Fact]
    public void Hermes_RequiredCall_RejectsPlainText()
    {
        var grammar = ToolCallGrammarBuilder.Build(Tools, ToolCallFormat.Hermes, requireToolCall: true);

        Assert.False(grammar.Accepts("Sure."));
        Assert.True(grammar.Accepts("<tool_call>\n{\"name\": \"now\", \"arguments\": {}}\n</tool_call>"));
    }

    [Theory]
    [InlineData("{\"name\": \"add\", \"parameters\": {\"a\": 1, \"b\": 2}}", true)]
    [InlineData("{\"name\":\"get_weather\",\"parameters\":{\"city\":\"Rome\",\"unit\":\"f\"}}", true)]
    [InlineData("The answer is 3.", true)]
    [InlineData("{\"name\": \"add\", \"arguments\": {\"a\": 1, \"b\": 2}}", false)]
    [InlineData("{\"name\": \"mul\", \"parameters\": {\"a\": 1, \"b\": 2}}", false)]
    [InlineData("{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Rome\", \"unit\": \"k\"}}", false)]
    [InlineData("{\"name\": \"add\", \"parameters\": {\"a\": 1, \"b\": 2}}{\"name\": \"now\", \"parameters\": {}}", false)]
    [InlineData("{not a call", false)]
    public void Llama3Json_AcceptsOneCallOrPlainText(string output, bool expected)
    {
        var grammar = ToolCallGrammarBuilder.Build(Tools, ToolCallFormat.Llama3Json, requireToolCall: false);

        Assert.Equal(expected, grammar.Accepts(output));
    }

    [Theory]
    [InlineData("{\"tool_calls\": [{\"name\": \"add\", \"arguments\": {\"a\": 1, \"b\": 2}}]}", true)]
    [InlineData("{\"tool_calls\":[{\"name\":\"now\",\"arguments\":{}},{\"name\":\"get_weather\",\"arguments\":{\"city\":\"x\"}}]}", true)]
    [InlineData("Plain answer", true)]
    [InlineData("{\"tool_calls\": []}", false)]
    [InlineData("{\"tool_calls\": [{\"name\": \"nope\", \"arguments\": {}}]}", false)]
    [InlineData("{\"tool_calls\": [{\"name\": \"add\", \"arguments\": {\"a\": 1, \"b\": 2, \"c\": 3}}]}", false)]
    public void Generic_AcceptsCallListOrPlainText(string output, bool expected)
    {
        var grammar = ToolCallGrammarBuilder.Build(Tools, ToolCallFormat.Generic, requireToolCall: false);

        Assert.Equal(expected, grammar.Accepts(output));
    }

    [Fact]
    public void Build_BadToolSchema_ThrowsNamingToolAndPointer()
    {
        ToolSchema[] tools = [new("search", JsonDocument.Parse("""{"type":"object","properties":{"q":{"type":"string","pattern":"x"}}}""").RootElement)];

        var ex = Assert.Throws<LlamaGrammarException>(() => ToolCallGrammarBuilder.Build(tools, ToolCallFormat.Hermes, requireToolCall: false));

        Assert.Contains("Tool 'search'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("#/properties/q/pattern", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_DuplicateOrNoTools_Throws()
    {
        Assert.Throws<LlamaGrammarException>(() => ToolCallGrammarBuilder.Build([], ToolCallFormat.Hermes, requireToolCall: false));
        Assert.Throws<LlamaGrammarException>(() => ToolCallGrammarBuilder.Build([Tools[0], Tools[0]], ToolCallFormat.Hermes, requireToolCall: false));
    }

    [Theory]
    [InlineData(ToolCallFormat.Hermes)]
    [InlineData(ToolCallFormat.Llama3Json)]
    [InlineData(ToolCallFormat.Generic)]
    public void Build_GeneratedArguments_RoundTripThroughParser(ToolCallFormat format)
    {
        var grammar = ToolCallGrammarBuilder.Build(Tools, format, requireToolCall: true);
        for (var seed = 0; seed < 20; seed++)
        {
            var tool = Tools[seed % Tools.Length];
            var args = new SchemaInstanceGenerator(tool.Parameters, seed).Generate();
            var output = format switch
            {
                ToolCallFormat.Hermes => $"<tool_call>\n{{\"name\": \"{tool.Name}\", \"arguments\": {args}}}\n</tool_call>",
                ToolCallFormat.Llama3Json => $"{{\"name\": \"{tool.Name}\", \"parameters\": {args}}}",
                _ => $"{{\"tool_calls\": [{{\"name\": \"{tool.Name}\", \"arguments\": {args}}}]}}",
            };

            Assert.True(grammar.Accepts(output), output);
            var parsed = ToolCallParser.Parse(output, format);
            var call = Assert.Single(parsed.Calls);
            Assert.Equal(tool.Name, call.Name);
            Assert.True(JsonSchemaValidator.JsonEquals(JsonDocument.Parse(args).RootElement, call.Arguments));
            Assert.Empty(JsonSchemaValidator.Validate(tool.Parameters, call.Arguments));
        }
    }
}

public sealed class ToolCallParserTests
{
    [Fact]
    public void Parse_HermesWithTextAndTwoCalls_ReturnsBoth()
    {
        var output = "<think>plan</think>\n<tool_call>\n{\"name\": \"a\", \"arguments\": {\"x\": 1}}\n</tool_call>\n<tool_call>\n{\"name\": \"b\", \"arguments\": \"{\\\"y\\\": 2}\"}\n</tool_call>\n";

        var result = ToolCallParser.Parse(output, ToolCallFormat.Hermes);

        Assert.Equal("<think>plan</think>", result.Text);
        Assert.Equal(["a", "b"], result.Calls.Select(c => c.Name));
        Assert.Equal(2, result.Calls[1].Arguments.GetProperty("y").GetInt32());
    }

    [Theory]
    [InlineData(ToolCallFormat.Hermes, "Just text.")]
    [InlineData(ToolCallFormat.Llama3Json, "Just text.")]
    [InlineData(ToolCallFormat.Generic, "  Just text.")]
    public void Parse_PlainText_ReturnsTextOnly(ToolCallFormat format, string output)
    {
        var result = ToolCallParser.Parse(output, format);

        Assert.Equal(output, result.Text);
        Assert.Empty(result.Calls);
    }

    [Fact]
    public void Parse_Llama3PythonTagAndMissingParameters_IsLenient()
    {
        var result = ToolCallParser.Parse("<|python_tag|>{\"name\": \"now\"}", ToolCallFormat.Llama3Json);

        var call = Assert.Single(result.Calls);
        Assert.Equal("now", call.Name);
        Assert.Equal(JsonValueKind.Object, call.Arguments.ValueKind);
    }

    [Theory]
    [InlineData(ToolCallFormat.Hermes, "<tool_call>\n{\"name\": \"a\", \"arguments\": {}}", "no closing </tool_call>")]
    [InlineData(ToolCallFormat.Hermes, "<tool_call>\n{\"name\": \"a\", \"arguments\": {\n</tool_call>", "not valid JSON")]
    [InlineData(ToolCallFormat.Hermes, "<tool_call>\n{\"arguments\": {}}\n</tool_call>", "\"name\" is missing")]
    [InlineData(ToolCallFormat.Llama3Json, "{\"name\": \"a\", \"parameters\": [1]}", "must be a JSON object")]
    [InlineData(ToolCallFormat.Llama3Json, "{\"name\": \"a\", \"parameters\": \"not json\"}", "string that is not JSON")]
    [InlineData(ToolCallFormat.Generic, "{\"calls\": []}", "no \"tool_calls\" array")]
    [InlineData(ToolCallFormat.Generic, "{\"tool_calls\": []}", "is empty")]
    [InlineData(ToolCallFormat.Generic, "{\"tool_calls\": [{\"name\": 5}]}", "tool_calls[0]")]
    public void Parse_Malformed_ThrowsTypedError(ToolCallFormat format, string output, string fragment)
    {
        var ex = Assert.Throws<LlamaToolCallParseException>(() => ToolCallParser.Parse(output, format));

        Assert.Contains(fragment, ex.Message, StringComparison.Ordinal);
    }
}
