using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using AgentKit.Abstractions.Json;
using Microsoft.Extensions.AI;

namespace AgentKit.Abstractions.Tests.Json;

public sealed class JsonSchemaValidatorTests
{
    [Fact]
    public void Validate_DeniedValuesParameter_RefusesDeniedValue()
    {
        var function = AIFunctionFactory.Create(([DeniedValues("root", "admin")] string user) => user, "login");
        var validator = JsonSchemaValidator.Create(function.JsonSchema);

        Assert.NotEmpty(validator.Validate(Parse("""{"user": "root"}""")));
        Assert.Empty(validator.Validate(Parse("""{"user": "alice"}""")));
    }

    [Theory]
    [InlineData("""{"type":"object","patternProperties":{"^x_":{"type":"integer"}},"additionalProperties":false}""", """{"x_a": 1}""", """{"x_a": "one"}""")]
    [InlineData("""{"if":{"properties":{"kind":{"const":"file"}}},"then":{"required":["path"]}}""", """{"kind": "file", "path": "/a"}""", """{"kind": "file"}""")]
    [InlineData("""{"type":"object","properties":{"a":{}},"unevaluatedProperties":false}""", """{"a": 1}""", """{"a": 1, "b": 2}""")]
    [InlineData("""{"prefixItems":[{"type":"string"}],"unevaluatedItems":false}""", """["a"]""", """["a", 2]""")]
    [InlineData("""{"multipleOf":0.01}""", "19.99", "19.999")]
    [InlineData("""{"not":{"enum":["root","admin"]}}""", "\"alice\"", "\"admin\"")]
    public void Validate_KeywordTheOldValidatorIgnored_IsEnforced(string schema, string valid, string invalid)
    {
        var validator = JsonSchemaValidator.Create(Parse(schema));

        Assert.Empty(validator.Validate(Parse(valid)));
        Assert.NotEmpty(validator.Validate(Parse(invalid)));
    }

    [Fact]
    public void Validate_Error_StartsWithThePointerOfTheValue()
    {
        var validator = JsonSchemaValidator.Create(Parse("""{"type":"object","properties":{"items":{"type":"array","items":{"type":"integer"}}}}"""));

        var error = Assert.Single(validator.Validate(Parse("""{"items": [1, "two"]}""")));

        Assert.StartsWith("#/items/1: ", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"type":"object","properties":{"name":{"type":"string","maxlength":3}}}""", "maxlength", "#/properties/name/maxlength")]
    [InlineData("""{"minLength":-1}""", "minLength", "#/minLength")]
    [InlineData("""{"type":"strin"}""", "type", "#/type")]
    [InlineData("""{"pattern":"(("}""", "pattern", "#/pattern")]
    [InlineData("""{"$schema":"https://example.com/my-dialect"}""", "$schema", "#/$schema")]
    public void Create_SchemaItCannotEnforce_IsRefusedNamingTheKeyword(string schema, string keyword, string location)
    {
        var error = Assert.Throws<JsonSchemaNotSupportedException>(() => JsonSchemaValidator.Create(Parse(schema)));

        Assert.Equal(keyword, error.Keyword);
        Assert.Equal(location, error.Location);
        Assert.Contains(keyword, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"$ref":"#/$defs/missing"}""")]
    [InlineData("""{"$ref":"https://example.com/remote.json"}""")]
    public void Create_ReferenceThatDoesNotResolveLocally_IsRefused(string schema)
    {
        var error = Assert.Throws<JsonSchemaNotSupportedException>(() => JsonSchemaValidator.Create(Parse(schema)));

        Assert.Equal("$ref", error.Keyword);
    }

    [Fact]
    public void Create_ExtensionKeywordAndDraft07_AreAccepted()
    {
        var validator = JsonSchemaValidator.Create(Parse("""{"$schema":"http://json-schema.org/draft-07/schema#","x-origin":"mcp","items":[{"type":"string"}],"additionalItems":false}"""));

        Assert.Empty(validator.Validate(Parse("""["a"]""")));
        Assert.NotEmpty(validator.Validate(Parse("""["a", "b"]""")));
    }

    [Fact]
    public void Create_ReferenceIntoDefinitions_AndExtensionKeyword_WorkInDraft202012()
    {
        var validator = JsonSchemaValidator.Create(Parse("""{"x-extension":1,"type":"object","properties":{"p":{"$ref":"#/definitions/point"}},"required":["p"],"definitions":{"point":{"type":"object","properties":{"x":{"type":"number"}},"required":["x"]}}}"""));

        Assert.Empty(validator.Validate(Parse("""{"p": {"x": 1}}""")));
        Assert.StartsWith("#/p/x: ", Assert.Single(validator.Validate(Parse("""{"p": {"x": "one"}}"""))), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NotFailure_NamesTheValueAndTheKeyword()
    {
        var validator = JsonSchemaValidator.Create(Parse("""{"type":"object","properties":{"user":{"type":"string","not":{"enum":["root","admin"]}}}}"""));

        var error = Assert.Single(validator.Validate(Parse("""{"user": "root"}""")));

        Assert.Equal("#/user: the value matches the schema under 'not' at #/properties/user/not, which it must not", error);
    }

    [Fact]
    public void Create_SchemaNestedPastTheLimit_IsRefused()
    {
        var schema = string.Concat(Enumerable.Repeat("""{"items":""", JsonSchemaValidator.MaxDepth + 2)) + "{}" + new string('}', JsonSchemaValidator.MaxDepth + 2);

        var error = Assert.Throws<JsonSchemaNotSupportedException>(() => JsonSchemaValidator.Create(Parse(schema)));

        Assert.Contains($"{JsonSchemaValidator.MaxDepth}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ValueNestedPastTheLimit_IsInvalid()
    {
        var value = new string('[', JsonSchemaValidator.MaxDepth + 1) + new string(']', JsonSchemaValidator.MaxDepth + 1);

        var error = Assert.Single(JsonSchemaValidator.Validate(Parse("{}"), Parse(value)));

        Assert.Contains($"{JsonSchemaValidator.MaxDepth}", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateStatic_SchemaItCannotEnforce_ReportsItAsAProblem()
    {
        var error = Assert.Single(JsonSchemaValidator.Validate(Parse("""{"maxlength":3}"""), Parse("\"abcdef\"")));

        Assert.Contains("maxlength", error, StringComparison.Ordinal);
    }

    private static JsonElement Parse(string json) => JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 256 }).RootElement.Clone();
}
