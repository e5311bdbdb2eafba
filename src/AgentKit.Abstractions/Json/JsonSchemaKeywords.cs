using System.Text.Json;
using System.Text.RegularExpressions;
using Json.Schema;

namespace AgentKit.Abstractions.Json;

/// <summary>
/// Finds what a schema says that cannot be enforced, before JsonSchema.Net builds it: keywords the draft does not
/// define (JsonSchema.Net's draft dialects keep those as annotations, so a typo would pass unchecked), patterns .NET
/// cannot run, keyword values the draft's meta-schema refuses, and nesting past <see cref="JsonSchemaValidator.MaxDepth"/>.
/// </summary>
internal static class JsonSchemaKeywords
{
    private const string Draft07 = "http://json-schema.org/draft-07/schema";

    private static readonly HashSet<string> Annotations = ["title", "description", "default", "examples", "readOnly", "writeOnly", "$comment", "format", "contentEncoding", "contentMediaType"];

    private static readonly HashSet<string> Draft202012Keywords =
    [
        .. Annotations,
        "$schema", "$id", "$ref", "$anchor", "$dynamicRef", "$dynamicAnchor", "$vocabulary", "$defs", "deprecated", "contentSchema",

        // The draft-07 container, still common in hand-written schemas: it holds subschemas for `$ref` and constrains nothing itself.
        "definitions",
        "allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependentSchemas", "prefixItems", "items", "contains",
        "properties", "patternProperties", "additionalProperties", "propertyNames", "unevaluatedItems", "unevaluatedProperties",
        "type", "enum", "const", "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum", "maxLength", "minLength",
        "pattern", "maxItems", "minItems", "uniqueItems", "maxContains", "minContains", "maxProperties", "minProperties", "required", "dependentRequired",
    ];

    private static readonly HashSet<string> Draft07Keywords =
    [
        .. Annotations,
        "$schema", "$id", "$ref", "definitions", "allOf", "anyOf", "oneOf", "not", "if", "then", "else", "items", "additionalItems", "contains",
        "properties", "patternProperties", "additionalProperties", "propertyNames", "dependencies",
        "type", "enum", "const", "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum", "maxLength", "minLength",
        "pattern", "maxItems", "minItems", "uniqueItems", "maxProperties", "minProperties", "required",
    ];

    private static readonly HashSet<string> SingleSchema = ["not", "if", "then", "else", "contains", "additionalProperties", "propertyNames", "unevaluatedItems", "unevaluatedProperties", "additionalItems", "contentSchema", "items"];

    private static readonly HashSet<string> SchemaArray = ["allOf", "anyOf", "oneOf", "prefixItems", "items"];

    private static readonly HashSet<string> SchemaMap = ["properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "dependencies"];

    public static void EnsureEnforceable(JsonElement schema)
    {
        var keywords = Draft202012Keywords;
        var metaSchema = MetaSchemas.Draft202012;
        if (schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("$schema", out var declared))
        {
            var uri = declared.ValueKind == JsonValueKind.String ? declared.GetString()!.TrimEnd('#') : null;
            if (uri == Draft07 || uri == Draft07.Replace("http:", "https:", StringComparison.Ordinal))
            {
                (keywords, metaSchema) = (Draft07Keywords, MetaSchemas.Draft7);
            }
            else if (uri != MetaSchemas.Draft202012Id.OriginalString.TrimEnd('#'))
            {
                throw new JsonSchemaNotSupportedException("$schema", "#/$schema", $"'{declared}' is not a supported dialect; use draft 2020-12 ({MetaSchemas.Draft202012Id}) or draft-07 ({Draft07}#)");
            }
        }

        var references = new References();
        Walk(schema, "#", 0, keywords, references.Root, references);
        references.EnsureResolved();
        var results = metaSchema.Evaluate(schema, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (!results.IsValid)
        {
            var failure = results.Details?.LastOrDefault(d => d.Errors is { Count: > 0 }) ?? results;
            var location = failure.InstanceLocation.ToString();
            var keyword = location.Length == 0 ? null : location[(location.LastIndexOf('/') + 1)..].Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            var message = failure.Errors?.Values.FirstOrDefault() ?? "the value is not valid for this keyword";
            throw new JsonSchemaNotSupportedException(keyword, "#" + location, $"the schema is not valid against its meta-schema: {message}");
        }
    }

    private static void Walk(JsonElement schema, string pointer, int depth, HashSet<string> keywords, Uri baseUri, References references)
    {
        if (depth > JsonSchemaValidator.MaxDepth)
        {
            throw new JsonSchemaNotSupportedException(null, pointer, $"the schema nests more than {JsonSchemaValidator.MaxDepth} levels deep");
        }

        if (schema.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        baseUri = references.Enter(schema, baseUri, pointer);
        foreach (var property in schema.EnumerateObject())
        {
            var name = property.Name;
            var at = JsonSchemaPointer.Child(pointer, name);
            if (!keywords.Contains(name))
            {
                if (name.StartsWith("x-", StringComparison.Ordinal))
                {
                    continue;
                }

                throw new JsonSchemaNotSupportedException(name, at, "the keyword is not defined by the schema's draft, so it could not be enforced (check its spelling; extensions start with 'x-')");
            }

            var value = property.Value;
            if (name == "pattern" && value.ValueKind == JsonValueKind.String)
            {
                EnsurePattern(value.GetString()!, name, at);
            }

            if (SingleSchema.Contains(name) && value.ValueKind is JsonValueKind.Object)
            {
                Walk(value, at, depth + 1, keywords, baseUri, references);
            }
            else if (SchemaArray.Contains(name) && value.ValueKind == JsonValueKind.Array)
            {
                var i = 0;
                foreach (var item in value.EnumerateArray())
                {
                    Walk(item, JsonSchemaPointer.Child(at, i++), depth + 1, keywords, baseUri, references);
                }
            }
            else if (SchemaMap.Contains(name) && value.ValueKind == JsonValueKind.Object)
            {
                foreach (var entry in value.EnumerateObject())
                {
                    var entryPointer = JsonSchemaPointer.Child(at, entry.Name);
                    if (name == "patternProperties")
                    {
                        EnsurePattern(entry.Name, name, entryPointer);
                    }

                    Walk(entry.Value, entryPointer, depth + 1, keywords, baseUri, references);
                }
            }
        }
    }

    private static void EnsurePattern(string pattern, string keyword, string pointer)
    {
        try
        {
            _ = new Regex(pattern, RegexOptions.None, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException e)
        {
            throw new JsonSchemaNotSupportedException(keyword, pointer, $"the pattern '{pattern}' is not one .NET regular expressions can run: {e.Message}", e);
        }
    }

    /// <summary>
    /// JsonSchema.Net resolves a <c>$ref</c> only when evaluation reaches it; this checks every reference up front
    /// against the resources (<c>$id</c>), pointers and anchors of the schema itself. Nothing is fetched.
    /// </summary>
    private sealed class References
    {
        private readonly Dictionary<Uri, JsonElement> _resources = [];
        private readonly HashSet<string> _anchors = new(StringComparer.Ordinal);
        private readonly List<(string Keyword, string Pointer, Uri Target)> _references = [];

        public Uri Root { get; } = new("https://agentkit.invalid/schema.json");

        public Uri Enter(JsonElement schema, Uri baseUri, string pointer)
        {
            if (schema.TryGetProperty("$id", out var id) && id.ValueKind == JsonValueKind.String && Uri.TryCreate(baseUri, id.GetString(), out var resolved))
            {
                baseUri = WithoutFragment(resolved);
            }

            if (pointer == "#" || !_resources.ContainsKey(baseUri))
            {
                _resources[baseUri] = schema;
            }

            foreach (var anchor in (ReadOnlySpan<string>)["$anchor", "$dynamicAnchor"])
            {
                if (schema.TryGetProperty(anchor, out var name) && name.ValueKind == JsonValueKind.String)
                {
                    _anchors.Add(baseUri + "#" + name.GetString());
                }
            }

            foreach (var keyword in (ReadOnlySpan<string>)["$ref", "$dynamicRef"])
            {
                if (schema.TryGetProperty(keyword, out var reference) && reference.ValueKind == JsonValueKind.String)
                {
                    var at = JsonSchemaPointer.Child(pointer, keyword);
                    if (!Uri.TryCreate(baseUri, reference.GetString(), out var target))
                    {
                        throw new JsonSchemaNotSupportedException(keyword, at, $"'{reference.GetString()}' is not a URI reference");
                    }

                    _references.Add((keyword, at, target));
                }
            }

            return baseUri;
        }

        public void EnsureResolved()
        {
            foreach (var (keyword, pointer, target) in _references)
            {
                var document = WithoutFragment(target);
                var fragment = Uri.UnescapeDataString(target.Fragment.TrimStart('#'));
                var resolves = _resources.TryGetValue(document, out var resource)
                    ? fragment.Length == 0 || (fragment[0] == '/' ? JsonSchemaPointer.TryResolve(resource, "#" + target.Fragment.TrimStart('#'), out _) : _anchors.Contains(document + "#" + fragment))
                    : IsMetaSchema(document);
                if (!resolves)
                {
                    throw new JsonSchemaNotSupportedException(keyword, pointer, $"'{target}' does not resolve within the schema; remote schemas are never fetched");
                }
            }
        }

        private static bool IsMetaSchema(Uri document) =>
            document.AbsoluteUri.StartsWith("https://json-schema.org/draft/2020-12/", StringComparison.Ordinal) || document.AbsoluteUri.StartsWith(Draft07, StringComparison.Ordinal);

        private static Uri WithoutFragment(Uri uri) => new(uri.GetLeftPart(UriPartial.Query));
    }
}
