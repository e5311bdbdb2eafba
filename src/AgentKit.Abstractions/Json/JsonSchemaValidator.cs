using System.Collections.Concurrent;
using System.Text.Json;
using Json.Schema;

namespace AgentKit.Abstractions.Json;

/// <summary>
/// Checks JSON values against a JSON schema (draft 2020-12, or draft-07 when the schema's <c>$schema</c> says so) with
/// JsonSchema.Net, which passes the official JSON-Schema-Test-Suite. A schema is compiled once by <see cref="Create"/>,
/// which refuses what cannot be enforced; <see cref="Validate(JsonElement, JsonElement)"/> is the one-off form.
/// </summary>
/// <remarks>
/// <c>format</c> is an annotation, as draft 2020-12 specifies by default: it is not asserted. Keywords whose name
/// starts with <c>x-</c> are extensions and carry no constraint. Every other keyword must be one the draft defines.
/// </remarks>
public sealed class JsonSchemaValidator
{
    /// <summary>The deepest nesting of a schema or of a checked value; deeper ones are refused instead of recursed into.</summary>
    public const int MaxDepth = 64;

    private const int CacheCapacity = 512;
    private static readonly ConcurrentDictionary<string, object> Cache = new(StringComparer.Ordinal);
    private static readonly EvaluationOptions FlagOptions = new() { OutputFormat = OutputFormat.Flag };
    private static readonly EvaluationOptions ListOptions = new() { OutputFormat = OutputFormat.List };

    private readonly JsonSchema _schema;
    private readonly JsonElement _root;

    private JsonSchemaValidator(JsonSchema schema, JsonElement root) => (_schema, _root) = (schema, root);

    /// <summary>Compiles <paramref name="schema"/> for repeated checks.</summary>
    /// <param name="schema">The JSON schema; a local <c>$ref</c> resolves against it, a remote one is never fetched.</param>
    /// <returns>The validator.</returns>
    /// <exception cref="JsonSchemaNotSupportedException">
    /// The schema cannot be enforced: an unknown keyword (a typo such as <c>maxlength</c>), a keyword with an invalid
    /// value, a <c>$ref</c> that does not resolve locally, a pattern .NET regular expressions cannot run, an
    /// unsupported <c>$schema</c>, or nesting deeper than <see cref="MaxDepth"/>.
    /// </exception>
    public static JsonSchemaValidator Create(JsonElement schema)
    {
        JsonSchemaKeywords.EnsureEnforceable(schema);
        try
        {
            // A registry of its own: a schema's $id never collides with another's, and nothing is fetched from the network.
            return new JsonSchemaValidator(JsonSchema.Build(schema, new BuildOptions { SchemaRegistry = new SchemaRegistry(), Dialect = Dialect.Draft202012 }), schema.Clone());
        }
        catch (RefResolutionException e)
        {
            throw new JsonSchemaNotSupportedException("$ref", null, $"a reference does not resolve within the schema ({e.Message}); remote schemas are never fetched", e);
        }
        catch (JsonSchemaException e)
        {
            throw new JsonSchemaNotSupportedException(null, null, e.Message, e);
        }
    }

    /// <summary>Checks <paramref name="instance"/>.</summary>
    /// <param name="instance">The value to check.</param>
    /// <returns>
    /// The problems found, each starting with the JSON pointer of the offending value (<c>#</c> is the whole value,
    /// <c>#/items/0/name</c> a nested one); empty when the value is valid.
    /// </returns>
    public IReadOnlyList<string> Validate(JsonElement instance)
    {
        if (Depth(instance, 1) > MaxDepth)
        {
            return [$"#: the value nests more than {MaxDepth} levels deep"];
        }

        if (_schema.Evaluate(instance, FlagOptions).IsValid)
        {
            return [];
        }

        var results = _schema.Evaluate(instance, ListOptions);
        var errors = new List<string>();
        Collect(results, errors);
        if (results.Details is { } details)
        {
            foreach (var detail in details)
            {
                Collect(detail, errors);
            }
        }

        if (errors.Count == 0)
        {
            // Some keywords (`not`, a `false` subschema) fail a node without a message: name the deepest failing one.
            var deepest = results.Details?.Where(d => !d.IsValid).MaxBy(d => d.EvaluationPath.ToString().Length) ?? results;
            var location = "#" + Uri.UnescapeDataString(deepest.SchemaLocation.Fragment.TrimStart('#'));
            var forbidden = JsonSchemaPointer.TryResolve(_root, location, out var node) && node.ValueKind == JsonValueKind.Object && node.TryGetProperty("not", out _);
            errors.Add(forbidden
                ? $"#{deepest.InstanceLocation}: the value matches the schema under 'not' at {location}/not, which it must not"
                : $"#{deepest.InstanceLocation}: the value does not match the schema at {location}");
        }

        return errors;
    }

    /// <summary>Validates <paramref name="instance"/> against <paramref name="schema"/>, compiling the schema once per distinct text.</summary>
    /// <param name="schema">The JSON schema.</param>
    /// <param name="instance">The value to check.</param>
    /// <returns>
    /// The problems found, as <see cref="Validate(JsonElement)"/> lists them; a schema that cannot be enforced gives
    /// one problem naming why (<see cref="Create"/> throws instead).
    /// </returns>
    public static IReadOnlyList<string> Validate(JsonElement schema, JsonElement instance)
    {
        var key = schema.GetRawText();
        if (!Cache.TryGetValue(key, out var compiled))
        {
            try
            {
                compiled = Create(schema);
            }
            catch (JsonSchemaNotSupportedException e)
            {
                compiled = e;
            }

            if (Cache.Count >= CacheCapacity)
            {
                Cache.Clear();
            }

            Cache.TryAdd(key, compiled);
        }

        return compiled is JsonSchemaValidator validator
            ? validator.Validate(instance)
            : [$"#: the schema cannot be checked: {((JsonSchemaNotSupportedException)compiled).Message}"];
    }

    /// <summary>JSON equality as JSON Schema's <c>enum</c> and <c>const</c> compare: numbers by value (<c>1</c> equals <c>1.0</c>), objects regardless of property order.</summary>
    /// <param name="a">One value.</param>
    /// <param name="b">The other.</param>
    /// <returns>Whether they are equal.</returns>
    public static bool JsonEquals(JsonElement a, JsonElement b)
    {
        if (a.ValueKind != b.ValueKind)
        {
            return false;
        }

        switch (a.ValueKind)
        {
            case JsonValueKind.Number:
                return a.TryGetDecimal(out var da) && b.TryGetDecimal(out var db) ? da == db : a.GetDouble().Equals(b.GetDouble());
            case JsonValueKind.String:
                return a.GetString() == b.GetString();
            case JsonValueKind.Array:
                return a.GetArrayLength() == b.GetArrayLength() && a.EnumerateArray().Zip(b.EnumerateArray()).All(p => JsonEquals(p.First, p.Second));
            case JsonValueKind.Object:
                var ap = a.EnumerateObject().ToList();
                var bp = b.EnumerateObject().ToList();
                return ap.Count == bp.Count && ap.All(p => b.TryGetProperty(p.Name, out var bv) && JsonEquals(p.Value, bv));
            default:
                return true;
        }
    }

    private static void Collect(EvaluationResults node, List<string> errors)
    {
        if (node.Errors is not { Count: > 0 } messages)
        {
            return;
        }

        var pointer = "#" + node.InstanceLocation;
        foreach (var message in messages.Values)
        {
            var line = $"{pointer}: {message}";
            if (!errors.Contains(line))
            {
                errors.Add(line);
            }
        }
    }

    /// <summary>How deep <paramref name="value"/> nests, counting no further than one past <see cref="MaxDepth"/>.</summary>
    private static int Depth(JsonElement value, int depth)
    {
        if (depth > MaxDepth || value.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array))
        {
            return depth;
        }

        var deepest = depth;
        var children = value.ValueKind == JsonValueKind.Object
            ? value.EnumerateObject().Select(p => p.Value)
            : value.EnumerateArray();
        foreach (var child in children)
        {
            deepest = Math.Max(deepest, Depth(child, depth + 1));
            if (deepest > MaxDepth)
            {
                break;
            }
        }

        return deepest;
    }
}
