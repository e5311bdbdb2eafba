using System.Text.Json;
using AgentKit.Abstractions.Json;
using AgentKit.LlamaCpp;
using AgentKit.LlamaCpp.Grammars;
using AgentKit.Prompts;
using AgentKit.Testing;
using Microsoft.Extensions.AI;

namespace AgentKit.Hostile.Tests.Json;

/// <summary>
/// Deeply nested JSON where AgentKit reads JSON from outside: JSON-schema validation (instances and schemas), the
/// JSON-Schema → GBNF converter, and structured output from a model. Each either answers (errors listed, grammar
/// refused with its typed exception) or raises its documented exception; none overflows the stack or hangs.
/// (Server bodies: <see cref="Server.HttpBodyHostileTests"/>; tool arguments: <see cref="Agents.ToolArgumentHostileTests"/>.)
/// </summary>
public sealed class DeepJsonTests
{
    [Theory]
    [InlineData("arrays", 10_000)]
    [InlineData("objects", 10_000)]
    public async Task Validator_DeepInstance_IsInvalid_NotAStackOverflow(string kind, int depth)
    {
        var instance = DeepJson.Parse(kind == "arrays" ? DeepJson.Arrays(depth) : DeepJson.Objects(depth));
        var schema = DeepJson.Parse("""{"$defs":{"any":{"anyOf":[{"type":"array","items":{"$ref":"#/$defs/any"}},{"type":"object","additionalProperties":{"$ref":"#/$defs/any"}},{"type":"integer"}]}},"$ref":"#/$defs/any"}""");
        IReadOnlyList<string>? errors = null;

        var error = await Bounded.CatchAsync(() => errors = JsonSchemaValidator.Validate(schema, instance), $"{kind} {depth} deep");

        Assert.Null(error);
        Assert.NotEmpty(errors!);
    }

    [Theory]
    [InlineData("array", 5_000)]
    [InlineData("object", 5_000)]
    public async Task Validator_DeepSchema_ReportsDepth_NotAStackOverflow(string kind, int depth)
    {
        var schema = DeepJson.Parse(kind == "array" ? DeepJson.ArraySchema(depth) : DeepJson.ObjectSchema(depth));
        var instance = DeepJson.Parse(kind == "array" ? DeepJson.Arrays(depth) : DeepJson.Objects(depth));

        var error = await Bounded.CatchAsync(() => JsonSchemaValidator.Validate(schema, instance), $"{kind} schema {depth} deep");

        Assert.Null(error);
    }

    [Theory]
    [InlineData("array", 5_000)]
    [InlineData("object", 5_000)]
    public async Task GrammarConverter_DeepSchema_IsLlamaGrammarException(string kind, int depth)
    {
        var schema = DeepJson.Parse(kind == "array" ? DeepJson.ArraySchema(depth) : DeepJson.ObjectSchema(depth));

        var error = await Bounded.ThrowsAsync<LlamaGrammarException>(() => JsonSchemaGrammarConverter.FromJsonSchema(schema), $"{kind} schema {depth} deep");

        Assert.Contains($"{JsonSchemaGrammarBuilder.MaxDepth}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GrammarConverter_SchemaAtTheDepthLimit_Converts()
    {
        var grammar = JsonSchemaGrammarConverter.FromJsonSchema(DeepJson.Parse(DeepJson.ArraySchema(JsonSchemaGrammarBuilder.MaxDepth - 1)));

        Assert.NotEmpty(GbnfParser.Parse(grammar.Text, "root"));
    }

    /// <summary>A model that answers with JSON nested 10,000 deep, twice: the structured call fails with PromptOutputException naming the prompt.</summary>
    [Fact]
    public async Task StructuredOutput_DeepAnswer_IsPromptOutputException()
    {
        var prompt = PromptTemplate.Parse(
            "---\nname: Extract\noutputs:\n  type: object\n  properties:\n    a: {type: string}\n---\nuser:\nExtract.\n", "extract", "/hostile/extract.prompty");
        using var model = new ScriptedChatClient(DeepJson.Objects(10_000), DeepJson.Arrays(10_000));

        var task = model.GetStructuredAsync(prompt, new Dictionary<string, object?>(), cancellationToken: TestContext.Current.CancellationToken);
        var error = await Assert.ThrowsAsync<PromptOutputException>(() => task.WaitAsync(Bounded.PerInput, TestContext.Current.CancellationToken));

        Assert.Contains("extract", error.Message, StringComparison.Ordinal);
        Assert.Contains("not JSON", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, model.Calls.Count);
    }
}
