using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AgentKit.Abstractions.Json;

/// <summary>
/// Checks a JSON value against a JSON schema, for the subset AgentKit.LlamaCpp's JSON Schema grammar converter supports
/// plus what grammars cannot enforce (<c>minimum</c>, <c>maximum</c>, <c>pattern</c>, exactly-one <c>oneOf</c>).
/// </summary>
/// <remarks>
/// Follows JSON Schema semantics, which are looser than the grammar converter's in one respect: properties not
/// declared are allowed unless <c>additionalProperties</c> is <see langword="false"/> or a schema. Checked
/// keywords: <c>type</c>, <c>enum</c>, <c>const</c>, <c>properties</c>, <c>required</c>,
/// <c>additionalProperties</c>, <c>items</c>, <c>prefixItems</c>, <c>minItems</c>, <c>maxItems</c>,
/// <c>anyOf</c>, <c>oneOf</c>, <c>allOf</c>, local <c>$ref</c>, <c>minLength</c>, <c>maxLength</c> (in Unicode
/// code points), <c>pattern</c>, <c>minimum</c>, <c>maximum</c>, <c>exclusiveMinimum</c>,
/// <c>exclusiveMaximum</c>. Other keywords, <c>format</c> included, are not checked.
/// </remarks>
public static class JsonSchemaValidator
{
    private const int MaxDepth = 128;
    private static readonly TimeSpan PatternTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Validates <paramref name="instance"/> against <paramref name="schema"/>.</summary>
    /// <param name="schema">The JSON schema; <c>$ref</c> resolves against it.</param>
    /// <param name="instance">The value to check.</param>
    /// <returns>
    /// The problems found, each starting with the JSON pointer of the offending value (<c>#</c> is the whole value,
    /// <c>#/items/0/name</c> a nested one); empty when the value is valid.
    /// </returns>
    public static IReadOnlyList<string> Validate(JsonElement schema, JsonElement instance)
    {
        var errors = new List<string>();
        new Run(schema, errors).Check(schema, instance, "#", 0);
        return errors;
    }

    private sealed class Run(JsonElement document, List<string> errors)
    {
        private void Error(string ptr, string message) => errors.Add($"{ptr}: {message}");

        public void Check(JsonElement schema, JsonElement value, string ptr, int depth)
        {
            if (depth > MaxDepth)
            {
                Error(ptr, "the schema nests or refers to itself too deeply to check");
                return;
            }

            if (schema.ValueKind == JsonValueKind.True)
            {
                return;
            }

            if (schema.ValueKind != JsonValueKind.Object)
            {
                Error(ptr, "no value is allowed here (the schema is 'false' or not a schema)");
                return;
            }

            if (schema.TryGetProperty("$ref", out var reference) && reference.ValueKind == JsonValueKind.String)
            {
                if (JsonSchemaPointer.TryResolve(document, reference.GetString()!, out var target))
                {
                    Check(target, value, ptr, depth + 1);
                }
                else
                {
                    Error(ptr, $"the schema's '$ref' '{reference.GetString()}' does not resolve");
                }
            }

            if (schema.TryGetProperty("type", out var type) && !MatchesType(type, value))
            {
                Error(ptr, $"expected {DescribeType(type)} but found {Describe(value)}");
                return;
            }

            if (schema.TryGetProperty("const", out var constant) && !JsonEquals(constant, value))
            {
                Error(ptr, $"expected the constant {Compact(constant)}");
            }

            if (schema.TryGetProperty("enum", out var values) && values.ValueKind == JsonValueKind.Array && !values.EnumerateArray().Any(v => JsonEquals(v, value)))
            {
                Error(ptr, $"expected one of {string.Join(", ", values.EnumerateArray().Select(Compact))}");
            }

            CheckCombinators(schema, value, ptr, depth);

            switch (value.ValueKind)
            {
                case JsonValueKind.Object:
                    CheckObject(schema, value, ptr, depth);
                    break;
                case JsonValueKind.Array:
                    CheckArray(schema, value, ptr, depth);
                    break;
                case JsonValueKind.String:
                    CheckString(schema, value.GetString()!, ptr);
                    break;
                case JsonValueKind.Number:
                    CheckNumber(schema, value, ptr);
                    break;
            }
        }

        private bool Passes(JsonElement schema, JsonElement value, string ptr, int depth)
        {
            var probe = new List<string>();
            new Run(document, probe).Check(schema, value, ptr, depth + 1);
            return probe.Count == 0;
        }

        private void CheckCombinators(JsonElement schema, JsonElement value, string ptr, int depth)
        {
            if (schema.TryGetProperty("allOf", out var allOf) && allOf.ValueKind == JsonValueKind.Array)
            {
                foreach (var member in allOf.EnumerateArray())
                {
                    Check(member, value, ptr, depth + 1);
                }
            }

            if (schema.TryGetProperty("anyOf", out var anyOf) && anyOf.ValueKind == JsonValueKind.Array
                && !anyOf.EnumerateArray().Any(member => Passes(member, value, ptr, depth)))
            {
                Error(ptr, "matches none of the 'anyOf' alternatives");
            }

            if (schema.TryGetProperty("oneOf", out var oneOf) && oneOf.ValueKind == JsonValueKind.Array)
            {
                var matches = oneOf.EnumerateArray().Count(member => Passes(member, value, ptr, depth));
                if (matches != 1)
                {
                    Error(ptr, matches == 0
                        ? "matches none of the 'oneOf' alternatives"
                        : string.Create(CultureInfo.InvariantCulture, $"matches {matches} of the 'oneOf' alternatives, but must match exactly one"));
                }
            }
        }

        private void CheckObject(JsonElement schema, JsonElement value, string ptr, int depth)
        {
            var declared = new HashSet<string>(StringComparer.Ordinal);
            if (schema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in properties.EnumerateObject())
                {
                    declared.Add(p.Name);
                    if (value.TryGetProperty(p.Name, out var v))
                    {
                        Check(p.Value, v, JsonSchemaPointer.Child(ptr, p.Name), depth + 1);
                    }
                }
            }

            if (schema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array)
            {
                foreach (var r in required.EnumerateArray())
                {
                    if (r.ValueKind == JsonValueKind.String && !value.TryGetProperty(r.GetString()!, out _))
                    {
                        Error(ptr, $"missing required property '{r.GetString()}'");
                    }
                }
            }

            if (schema.TryGetProperty("additionalProperties", out var additional))
            {
                foreach (var p in value.EnumerateObject().Where(p => !declared.Contains(p.Name)))
                {
                    if (additional.ValueKind == JsonValueKind.False)
                    {
                        Error(JsonSchemaPointer.Child(ptr, p.Name), $"property '{p.Name}' is not allowed");
                    }
                    else
                    {
                        Check(additional, p.Value, JsonSchemaPointer.Child(ptr, p.Name), depth + 1);
                    }
                }
            }
        }

        private void CheckArray(JsonElement schema, JsonElement value, string ptr, int depth)
        {
            var length = value.GetArrayLength();
            if (Number(schema, "minItems") is { } min && length < min)
            {
                Error(ptr, string.Create(CultureInfo.InvariantCulture, $"has {length} items but needs at least {min}"));
            }

            if (Number(schema, "maxItems") is { } max && length > max)
            {
                Error(ptr, string.Create(CultureInfo.InvariantCulture, $"has {length} items but allows at most {max}"));
            }

            var prefixCount = 0;
            if (schema.TryGetProperty("prefixItems", out var prefix) && prefix.ValueKind == JsonValueKind.Array)
            {
                prefixCount = prefix.GetArrayLength();
                for (var i = 0; i < Math.Min(prefixCount, length); i++)
                {
                    Check(prefix[i], value[i], JsonSchemaPointer.Child(ptr, i), depth + 1);
                }
            }

            if (schema.TryGetProperty("items", out var items))
            {
                for (var i = prefixCount; i < length; i++)
                {
                    Check(items, value[i], JsonSchemaPointer.Child(ptr, i), depth + 1);
                }
            }
        }

        private void CheckString(JsonElement schema, string text, string ptr)
        {
            var length = text.EnumerateRunes().Count();
            if (Number(schema, "minLength") is { } min && length < min)
            {
                Error(ptr, string.Create(CultureInfo.InvariantCulture, $"is {length} characters long but needs at least {min}"));
            }

            if (Number(schema, "maxLength") is { } max && length > max)
            {
                Error(ptr, string.Create(CultureInfo.InvariantCulture, $"is {length} characters long but allows at most {max}"));
            }

            if (schema.TryGetProperty("pattern", out var pattern) && pattern.ValueKind == JsonValueKind.String)
            {
                try
                {
                    if (!Regex.IsMatch(text, pattern.GetString()!, RegexOptions.CultureInvariant, PatternTimeout))
                    {
                        Error(ptr, $"does not match the pattern '{pattern.GetString()}'");
                    }
                }
                catch (ArgumentException)
                {
                    Error(ptr, $"the schema's pattern '{pattern.GetString()}' is not a valid regular expression");
                }
                catch (RegexMatchTimeoutException)
                {
                    Error(ptr, $"matching the pattern '{pattern.GetString()}' took too long");
                }
            }
        }

        private void CheckNumber(JsonElement schema, JsonElement value, string ptr)
        {
            var n = value.GetDouble();
            if (Number(schema, "minimum") is { } min && n < min)
            {
                Error(ptr, $"{value.GetRawText()} is below the minimum {Format(min)}");
            }

            if (Number(schema, "maximum") is { } max && n > max)
            {
                Error(ptr, $"{value.GetRawText()} is above the maximum {Format(max)}");
            }

            if (Number(schema, "exclusiveMinimum") is { } exMin && n <= exMin)
            {
                Error(ptr, $"{value.GetRawText()} must be greater than {Format(exMin)}");
            }

            if (Number(schema, "exclusiveMaximum") is { } exMax && n >= exMax)
            {
                Error(ptr, $"{value.GetRawText()} must be less than {Format(exMax)}");
            }
        }

        private static string Format(double d) => d.ToString("R", CultureInfo.InvariantCulture);

        private static double? Number(JsonElement schema, string keyword) =>
            schema.TryGetProperty(keyword, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
    }

    private static bool MatchesType(JsonElement type, JsonElement value) => type.ValueKind switch
    {
        JsonValueKind.String => MatchesType(type.GetString()!, value),
        JsonValueKind.Array => type.EnumerateArray().Any(t => t.ValueKind == JsonValueKind.String && MatchesType(t.GetString()!, value)),
        _ => true,
    };

    private static bool MatchesType(string type, JsonElement value) => type switch
    {
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "string" => value.ValueKind == JsonValueKind.String,
        "number" => value.ValueKind == JsonValueKind.Number && IsFinite(value),
        "integer" => value.ValueKind == JsonValueKind.Number && IsFinite(value) && IsInteger(value),
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => value.ValueKind == JsonValueKind.Null,
        _ => false,
    };

    private static bool IsInteger(JsonElement value) =>
        value.TryGetDecimal(out var d) ? d == decimal.Truncate(d) : value.TryGetDouble(out var x) && Math.Floor(x) == x;

    /// <summary>Whether the number fits a 64-bit float: <c>1e400</c> is valid JSON but no .NET number can hold it.</summary>
    private static bool IsFinite(JsonElement value) => value.TryGetDouble(out var x) && double.IsFinite(x);

    private static string Compact(JsonElement value)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            value.WriteTo(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string DescribeType(JsonElement type) =>
        type.ValueKind == JsonValueKind.Array ? string.Join(" or ", type.EnumerateArray().Select(t => t.ToString())) : type.ToString();

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => !IsFinite(value) ? "a number beyond the range of a 64-bit float" : IsInteger(value) ? "an integer" : "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

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
}
