using System.Text.Json;
using AgentKit.Abstractions.Json;

namespace AgentKit.LlamaCpp.Grammars;

/// <summary>
/// Builds a <see cref="LlamaGrammar"/> that only lets a model write JSON conforming to a JSON schema.
/// </summary>
/// <remarks>
/// <para>
/// Output is compact: at most one optional space after <c>{ [ , :</c> (see
/// <see cref="JsonSchemaGrammarOptions.AllowWhitespace"/>), no line breaks, properties in declared order.
/// </para>
/// <para>
/// Supported: <c>type</c> (also arrays of types such as <c>["string","null"]</c>); objects with <c>properties</c>,
/// <c>required</c> (optional properties may be left out) and <c>additionalProperties</c>, which defaults to
/// <see langword="false"/> when <c>properties</c> are declared (an object with neither is any object); extra
/// properties (when allowed) come after the declared ones and are not checked against declared names; arrays
/// with <c>items</c>, <c>prefixItems</c> (always written in full; without <c>items</c> nothing may follow them),
/// <c>minItems</c> and <c>maxItems</c> (above 1000 left unbounded); <c>enum</c> and <c>const</c> of any JSON values
/// (written compactly); <c>anyOf</c> and <c>oneOf</c> (both as alternatives: the grammar cannot ensure that exactly
/// one matches); <c>allOf</c> of object schemas (merged); strings with <c>minLength</c>/<c>maxLength</c> and the
/// formats <c>date</c>, <c>time</c>, <c>date-time</c> and <c>uuid</c> (other formats are annotations: any string);
/// <c>number</c>, <c>integer</c>, <c>boolean</c>, <c>null</c>; local <c>$ref</c> (<c>#</c>, <c>#/$defs/...</c>,
/// <c>#/definitions/...</c>), recursion included.
/// </para>
/// <para>
/// Not enforced by the grammar: <c>minimum</c>, <c>maximum</c> and their exclusive forms, except that a
/// non-negative lower bound forbids a minus sign. Numbers are limited to 16 integer digits. Strings without
/// <c>maxLength</c> are unbounded unless <see cref="JsonSchemaGrammarOptions.MaxStringLength"/> is set. Use
/// <see cref="JsonSchemaValidator"/> on the result to check what the grammar does not.
/// </para>
/// <para>
/// Rejected with a <see cref="LlamaGrammarException"/> naming the JSON pointer: <c>pattern</c> and every other
/// keyword outside this list (annotations such as <c>title</c>, <c>description</c>, <c>default</c>,
/// <c>examples</c> and <c>x-</c> extensions are ignored), remote references, and schemas no value can satisfy.
/// </para>
/// </remarks>
public static class JsonSchemaGrammarConverter
{
    /// <summary>Builds the grammar for <paramref name="schema"/>.</summary>
    /// <param name="schema">The JSON schema (an object or a boolean).</param>
    /// <param name="options">Options; defaults when null.</param>
    /// <returns>A validated grammar whose root is <c>root</c>.</returns>
    /// <exception cref="LlamaGrammarException">The schema uses an unsupported keyword or is invalid; the message names its JSON pointer.</exception>
    public static LlamaGrammar FromJsonSchema(JsonElement schema, JsonSchemaGrammarOptions? options = null)
    {
        options ??= new JsonSchemaGrammarOptions();
        var writer = new GbnfWriter(options.AllowWhitespace);
        var root = new JsonSchemaGrammarBuilder(schema, writer, options, prefix: string.Empty).Build();
        return LlamaGrammar.Parse(writer.Build(root));
    }
}
