using System.Text.Json;
using AgentKit.LlamaCpp.Grammars;
using AgentKit.Abstractions.Json;

namespace AgentKit.LlamaCpp.Tests.Grammars;

public sealed class JsonSchemaGrammarConverterTests
{
    public static TheoryData<string> Schemas => new()
    {
        """{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer","minimum":0,"maximum":150}},"required":["name"]}""",
        """{"type":"object","properties":{"a":{"type":"boolean"},"b":{"type":"null"},"c":{"type":"number"}}}""",
        """{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"},"c":{"type":"string"}},"required":["b"]}""",
        """{"type":"object","properties":{"id":{"type":"integer"}},"required":["id"],"additionalProperties":true}""",
        """{"type":"object","properties":{"id":{"type":"integer"}},"additionalProperties":{"type":"string","maxLength":3}}""",
        """{"type":"object","additionalProperties":false}""",
        """{"type":"object"}""",
        """{"type":"array","items":{"type":"integer"},"minItems":2,"maxItems":4}""",
        """{"type":"array","items":{"type":"string","enum":["x","y"]},"maxItems":1}""",
        """{"type":"array","items":{"type":"boolean"}}""",
        """{"type":"array","prefixItems":[{"type":"string"},{"type":"integer"}]}""",
        """{"type":"array","prefixItems":[{"type":"string"}],"items":{"type":"integer"},"maxItems":3}""",
        """{"enum":["red","green",1,null,{"k":[1,2]},true]}""",
        """{"const":{"fixed":"yes"}}""",
        """{"anyOf":[{"type":"string","minLength":1,"maxLength":4},{"type":"integer","minimum":0,"maximum":9}]}""",
        """{"oneOf":[{"type":"object","properties":{"kind":{"const":"a"},"x":{"type":"integer"}},"required":["kind","x"]},{"type":"object","properties":{"kind":{"const":"b"}},"required":["kind"]}]}""",
        """{"type":["string","null"],"maxLength":5}""",
        """{"type":"string","format":"date"}""",
        """{"type":"string","format":"date-time"}""",
        """{"type":"string","format":"uuid"}""",
        """{"type":"string","format":"email","minLength":2,"maxLength":6}""",
        """{"$ref":"#/$defs/node","$defs":{"node":{"type":"object","properties":{"value":{"type":"integer"},"children":{"type":"array","items":{"$ref":"#/$defs/node"}}},"required":["value"]}}}""",
        """{"type":"object","properties":{"p":{"$ref":"#/definitions/point"},"q":{"$ref":"#/definitions/point"}},"required":["p"],"definitions":{"point":{"type":"object","properties":{"x":{"type":"number"},"y":{"type":"number"}},"required":["x","y"]}}}""",
        """{"type":"object","properties":{"tree":{"anyOf":[{"type":"null"},{"$ref":"#"}]}},"required":["tree"]}""",
        """{"title":"T","description":"d","type":"object","properties":{"we\"ird/key~":{"type":"string","description":"x","default":"q"}},"required":["we\"ird/key~"],"x-extension":1}""",
        """true""",
        """{}""",
    };

    [Theory]
    [MemberData(nameof(Schemas))]
    public void Convert_GeneratedValidInstances_AreAcceptedByGrammarAndValidator(string schemaJson)
    {
        var schema = JsonDocument.Parse(schemaJson).RootElement;
        var grammar = JsonSchemaGrammarConverter.FromJsonSchema(schema);

        for (var seed = 0; seed < 40; seed++)
        {
            var text = new SchemaInstanceGenerator(schema, seed).Generate();

            Assert.True(grammar.Accepts(text), $"grammar rejected {text}\n{grammar.Text}");
            var errors = JsonSchemaValidator.Validate(schema, JsonDocument.Parse(text).RootElement);
            Assert.True(errors.Count == 0, $"validator rejected {text}: {string.Join("; ", errors)}");
        }
    }

    [Theory]
    [MemberData(nameof(Schemas))]
    public void Convert_WithoutWhitespace_AcceptsCompactAndRejectsSpaced(string schemaJson)
    {
        var schema = JsonDocument.Parse(schemaJson).RootElement;
        var grammar = JsonSchemaGrammarConverter.FromJsonSchema(schema, new JsonSchemaGrammarOptions { AllowWhitespace = false });

        for (var seed = 0; seed < 10; seed++)
        {
            var text = new SchemaInstanceGenerator(schema, seed, spaces: false).Generate();
            Assert.True(grammar.Accepts(text), $"grammar rejected {text}\n{grammar.Text}");
        }

        Assert.False(grammar.Accepts("{ }"));
    }

    [Theory]
    [InlineData("""{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}""", """{}""")]
    [InlineData("""{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}""", """{"name":1}""")]
    [InlineData("""{"type":"object","properties":{"name":{"type":"string"}},"required":["name"],"additionalProperties":false}""", """{"name":"a","x":1}""")]
    [InlineData("""{"type":"array","items":{"type":"integer"},"minItems":2,"maxItems":3}""", """[1]""")]
    [InlineData("""{"type":"array","items":{"type":"integer"},"minItems":2,"maxItems":3}""", """[1,2,3,4]""")]
    [InlineData("""{"type":"array","items":{"type":"integer"}}""", """[1,2.5]""")]
    [InlineData("""{"enum":["red","green"]}""", "\"blue\"")]
    [InlineData("""{"const":3}""", "4")]
    [InlineData("""{"type":"string","minLength":2,"maxLength":3}""", "\"a\"")]
    [InlineData("""{"type":"string","minLength":2,"maxLength":3}""", "\"abcd\"")]
    [InlineData("""{"type":["string","null"]}""", "true")]
    [InlineData("""{"anyOf":[{"type":"string"},{"type":"integer"}]}""", "[]")]
    [InlineData("""{"type":"integer","minimum":0}""", "-1")]
    [InlineData("""{"$ref":"#/$defs/n","$defs":{"n":{"type":"object","properties":{"next":{"$ref":"#/$defs/n"}}}}}""", """{"next":{"next":{"next":5}}}""")]
    public void Convert_InvalidInstance_RejectedByGrammarAndValidator(string schemaJson, string instance)
    {
        var schema = JsonDocument.Parse(schemaJson).RootElement;
        var grammar = JsonSchemaGrammarConverter.FromJsonSchema(schema);

        Assert.False(grammar.Accepts(instance), grammar.Text);
        Assert.NotEmpty(JsonSchemaValidator.Validate(schema, JsonDocument.Parse(instance).RootElement));
    }

    [Fact]
    public void Convert_RequiredAndOptional_AcceptsBothAndKeepsDeclaredOrder()
    {
        var schema = JsonDocument.Parse("""{"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"integer"},"c":{"type":"integer"}},"required":["b"]}""").RootElement;
        var grammar = JsonSchemaGrammarConverter.FromJsonSchema(schema);

        Assert.True(grammar.Accepts("""{"b":1}"""));
        Assert.True(grammar.Accepts("""{"a": 1, "b": 2, "c": 3}"""));
        Assert.True(grammar.Accepts("""{"b":2,"c":3}"""));
        Assert.False(grammar.Accepts("""{"b":2,"a":1}"""));
        Assert.False(grammar.Accepts("""{,"b":2}"""));
        Assert.False(grammar.Accepts("""{"b":2,}"""));
        Assert.False(grammar.Accepts("""{"b":2}  """));
        Assert.False(grammar.Accepts("{\n\"b\":2}"));
    }

    [Fact]
    public void Convert_MaxStringLengthOption_BoundsUnboundedStrings()
    {
        var schema = JsonDocument.Parse("""{"type":"string"}""").RootElement;

        var bounded = JsonSchemaGrammarConverter.FromJsonSchema(schema, new JsonSchemaGrammarOptions { MaxStringLength = 3 });
        var unbounded = JsonSchemaGrammarConverter.FromJsonSchema(schema);

        Assert.True(bounded.Accepts("\"abc\""));
        Assert.False(bounded.Accepts("\"abcd\""));
        Assert.True(unbounded.Accepts("\"" + new string('x', 5000) + "\""));
    }

    [Fact]
    public void Convert_AllOfObjects_MergesProperties()
    {
        var schema = JsonDocument.Parse("""
            {"allOf":[{"$ref":"#/$defs/base"},{"type":"object","properties":{"extra":{"type":"boolean"}},"required":["extra"]}],
             "$defs":{"base":{"type":"object","properties":{"id":{"type":"integer"}},"required":["id"]}}}
            """).RootElement;
        var grammar = JsonSchemaGrammarConverter.FromJsonSchema(schema);

        Assert.True(grammar.Accepts("""{"id": 1, "extra": true}"""));
        Assert.False(grammar.Accepts("""{"id": 1}"""));
        Assert.Empty(JsonSchemaValidator.Validate(schema, JsonDocument.Parse("""{"id": 1, "extra": true}""").RootElement));
        Assert.NotEmpty(JsonSchemaValidator.Validate(schema, JsonDocument.Parse("""{"id": 1}""").RootElement));
    }

    [Theory]
    [InlineData("""{"type":"string","pattern":"^a+$"}""", "'#/pattern'", "pattern")]
    [InlineData("""{"type":"object","properties":{"a":{"type":"array","uniqueItems":true}}}""", "'#/properties/a/uniqueItems'", "uniqueItems")]
    [InlineData("""{"type":"object","properties":{"a":{"$ref":"#/$defs/missing"}}}""", "'#/properties/a/$ref'", "does not resolve")]
    [InlineData("""{"$ref":"https://example.com/schema.json"}""", "'#/$ref'", "only local references")]
    [InlineData("""{"type":"strin"}""", "'#/type'", "unknown type 'strin'")]
    [InlineData("""{"type":"object","properties":{"a":false}}""", "'#/properties/a'", "matches nothing")]
    [InlineData("""{"type":"array","minItems":3,"maxItems":2}""", "'#/maxItems'", "below 'minItems'")]
    [InlineData("""{"type":"array","minItems":5000}""", "'#/minItems'", "minItems")]
    [InlineData("""{"enum":[]}""", "'#/enum'", "non-empty")]
    [InlineData("""{"anyOf":[{"type":"string"}],"type":"string"}""", "'#'", "'anyOf' combined with 'type'")]
    [InlineData("""{"allOf":[{"type":"string"}]}""", "'#/allOf/0/type'", "only for object schemas")]
    [InlineData("""{"$ref":"#/$defs/a","$defs":{"a":{"$ref":"#/$defs/a"}}}""", "left recursion", "a -> a")]
    [InlineData("42", "'#'", "must be an object or a boolean")]
    public void Convert_UnsupportedOrInvalidSchema_ThrowsNamingPointer(string schemaJson, string location, string fragment)
    {
        var schema = JsonDocument.Parse(schemaJson).RootElement;

        var ex = Assert.Throws<LlamaGrammarException>(() => JsonSchemaGrammarConverter.FromJsonSchema(schema));

        Assert.Contains(location, ex.Message, StringComparison.Ordinal);
        Assert.Contains(fragment, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Convert_LargeMaxItems_StaysWithinLlamaLimits()
    {
        var schema = JsonDocument.Parse("""{"type":"array","items":{"type":"integer"},"maxItems":999}""").RootElement;

        var grammar = JsonSchemaGrammarConverter.FromJsonSchema(schema);

        Assert.True(grammar.Accepts("[" + string.Join(",", Enumerable.Repeat("1", 999)) + "]"));
        Assert.False(grammar.Accepts("[" + string.Join(",", Enumerable.Repeat("1", 1000)) + "]"));
    }
}
