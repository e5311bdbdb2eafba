using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentKit.Abstractions.Json;

namespace AgentKit.LlamaCpp.Grammars;

/// <summary>
/// Turns one JSON schema document into GBNF rules in a shared <see cref="GbnfWriter"/>, so several schemas (one per
/// tool) can live in one grammar and share the primitive rules.
/// </summary>
internal sealed class JsonSchemaGrammarBuilder
{
    // Above this a repetition would hit llama.cpp's limit of 2000 generated rules once its group is counted.
    internal const int MaxBoundedCount = 1000;

    // Building recurses per nested schema; a schema parsed with a lifted JSON depth limit could otherwise overflow the stack.
    internal const int MaxDepth = 64;

    private static readonly HashSet<string> Supported = new(StringComparer.Ordinal)
    {
        "type", "properties", "required", "additionalProperties", "items", "prefixItems", "minItems", "maxItems",
        "enum", "const", "anyOf", "oneOf", "allOf", "$ref", "minLength", "maxLength", "format",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "$defs", "definitions",
    };

    internal static readonly HashSet<string> Annotations = new(StringComparer.Ordinal)
    {
        "title", "description", "$schema", "$id", "$comment", "examples", "default", "deprecated", "readOnly",
        "writeOnly", "$anchor", "contentEncoding", "contentMediaType",
    };

    private static readonly JsonElement AnySchema = ToElement(JsonValue.Create(true));

    private static readonly string[] ObjectKeywords = ["type", "properties", "required", "additionalProperties"];

    private readonly JsonElement _document;
    private readonly GbnfWriter _w;
    private readonly JsonSchemaGrammarOptions _options;
    private readonly string _prefix;
    private readonly Dictionary<string, string> _refs = new(StringComparer.Ordinal);
    private int _depth;

    public JsonSchemaGrammarBuilder(JsonElement document, GbnfWriter writer, JsonSchemaGrammarOptions options, string prefix)
    {
        _document = document;
        _w = writer;
        _options = options;
        _prefix = prefix;
    }

    /// <summary>Returns a GBNF expression for the whole document.</summary>
    public string Build() => Schema(_document, "#", _prefix.Length == 0 ? "root" : _prefix);

    private static LlamaGrammarException Unsupported(string pointer, string what) =>
        new($"JSON schema at '{pointer}': {what}");

    private string Schema(JsonElement s, string ptr, string hint)
    {
        if (_depth >= MaxDepth)
        {
            throw Unsupported(ptr, $"schemas nest more than {MaxDepth} levels deep");
        }

        _depth++;
        try
        {
            return SchemaAt(s, ptr, hint);
        }
        finally
        {
            _depth--;
        }
    }

    private string SchemaAt(JsonElement s, string ptr, string hint)
    {
        switch (s.ValueKind)
        {
            case JsonValueKind.True:
                return AnyValue();
            case JsonValueKind.False:
                throw Unsupported(ptr, "the schema 'false' matches nothing, so no output could satisfy it");
            case JsonValueKind.Object:
                break;
            default:
                throw Unsupported(ptr, $"a schema must be an object or a boolean, not {s.ValueKind}");
        }

        var constraints = new List<string>();
        foreach (var p in s.EnumerateObject())
        {
            if (Annotations.Contains(p.Name) || p.Name.StartsWith("x-", StringComparison.Ordinal) || p.Name is "$defs" or "definitions")
            {
                continue;
            }

            if (!Supported.Contains(p.Name))
            {
                throw Unsupported(JsonSchemaPointer.Child(ptr, p.Name), p.Name == "pattern"
                    ? "keyword 'pattern' is not supported (regular expressions cannot be turned into a grammar here); remove it or use 'enum'/'format'"
                    : $"keyword '{p.Name}' is not supported by the grammar converter");
            }

            constraints.Add(p.Name);
        }

        if (s.TryGetProperty("$ref", out var reference))
        {
            RequireAlone(ptr, "$ref", constraints);
            return Ref(reference, JsonSchemaPointer.Child(ptr, "$ref"));
        }

        if (s.TryGetProperty("const", out var constant))
        {
            return GbnfWriter.Literal(GbnfWriter.CompactJson(constant));
        }

        if (s.TryGetProperty("enum", out var values))
        {
            if (values.ValueKind != JsonValueKind.Array || values.GetArrayLength() == 0)
            {
                throw Unsupported(JsonSchemaPointer.Child(ptr, "enum"), "'enum' must be a non-empty array");
            }

            return "( " + string.Join(" | ", values.EnumerateArray().Select(v => GbnfWriter.Literal(GbnfWriter.CompactJson(v))).Distinct()) + " )";
        }

        foreach (var keyword in (string[])["anyOf", "oneOf"])
        {
            if (s.TryGetProperty(keyword, out var options))
            {
                RequireAlone(ptr, keyword, constraints);
                var options2 = NonEmptyArray(options, JsonSchemaPointer.Child(ptr, keyword), keyword);
                var alternatives = options2.Select((o, i) => Schema(o, JsonSchemaPointer.Child(JsonSchemaPointer.Child(ptr, keyword), i), hint)).Distinct();
                return _w.Add(hint, string.Join(" | ", alternatives));
            }
        }

        if (s.TryGetProperty("allOf", out _))
        {
            return Object(MergeAllOf(s, ptr), JsonSchemaPointer.Child(ptr, "allOf"), hint);
        }

        var types = Types(s, ptr);
        if (types.Count == 1)
        {
            return Typed(s, ptr, hint, types[0]);
        }

        return "( " + string.Join(" | ", types.Select(t => Typed(s, ptr, hint, t))) + " )";
    }

    private static void RequireAlone(string ptr, string keyword, List<string> constraints)
    {
        var others = constraints.Where(c => c != keyword).ToList();
        if (others.Count > 0)
        {
            throw Unsupported(ptr, $"'{keyword}' combined with '{string.Join("', '", others)}' is not supported; move those keywords into each alternative or the referenced schema");
        }
    }

    private static List<JsonElement> NonEmptyArray(JsonElement value, string ptr, string keyword)
    {
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0)
        {
            throw Unsupported(ptr, $"'{keyword}' must be a non-empty array of schemas");
        }

        return [.. value.EnumerateArray()];
    }

    private static List<string> Types(JsonElement s, string ptr)
    {
        if (s.TryGetProperty("type", out var type))
        {
            var names = type.ValueKind switch
            {
                JsonValueKind.String => [type.GetString()!],
                JsonValueKind.Array when type.GetArrayLength() > 0 && type.EnumerateArray().All(t => t.ValueKind == JsonValueKind.String) =>
                    type.EnumerateArray().Select(t => t.GetString()!).Distinct().ToList(),
                _ => throw Unsupported(JsonSchemaPointer.Child(ptr, "type"), "'type' must be a type name or a non-empty array of type names"),
            };
            foreach (var name in names)
            {
                if (name is not ("object" or "array" or "string" or "number" or "integer" or "boolean" or "null"))
                {
                    throw Unsupported(JsonSchemaPointer.Child(ptr, "type"), $"unknown type '{name}'");
                }
            }

            return names;
        }

        // Without 'type', the keywords present say what is meant; none at all means any value.
        if (s.TryGetProperty("properties", out _) || s.TryGetProperty("required", out _) || s.TryGetProperty("additionalProperties", out _))
        {
            return ["object"];
        }

        if (s.TryGetProperty("items", out _) || s.TryGetProperty("prefixItems", out _) || s.TryGetProperty("minItems", out _) || s.TryGetProperty("maxItems", out _))
        {
            return ["array"];
        }

        if (s.TryGetProperty("minLength", out _) || s.TryGetProperty("maxLength", out _) || s.TryGetProperty("format", out _))
        {
            return ["string"];
        }

        if (s.TryGetProperty("minimum", out _) || s.TryGetProperty("maximum", out _) || s.TryGetProperty("exclusiveMinimum", out _) || s.TryGetProperty("exclusiveMaximum", out _))
        {
            return ["number"];
        }

        return ["any"];
    }

    private string Typed(JsonElement s, string ptr, string hint, string type) => type switch
    {
        "object" => Object(s, ptr, hint),
        "array" => Array(s, ptr, hint),
        "string" => String(s, ptr),
        "number" => NonNegative(s) ? Number(nonNegative: true) : Number(nonNegative: false),
        "integer" => Integer(NonNegative(s)),
        "boolean" => "( \"true\" | \"false\" )",
        "null" => "\"null\"",
        _ => AnyValue(),
    };

    private string Ref(JsonElement reference, string ptr)
    {
        if (reference.ValueKind != JsonValueKind.String)
        {
            throw Unsupported(ptr, "'$ref' must be a string");
        }

        var target = reference.GetString()!;
        if (_refs.TryGetValue(target, out var existing))
        {
            return existing;
        }

        if (!JsonSchemaPointer.TryResolve(_document, target, out var resolved))
        {
            throw Unsupported(ptr, $"'$ref' '{target}' does not resolve; only local references such as '#/$defs/name' or '#/definitions/name' are supported");
        }

        var segments = target.Split('/');
        var name = _w.Reserve((_prefix.Length == 0 ? string.Empty : _prefix + "-") + (segments.Length > 1 ? segments[^1] : "self"));
        _refs[target] = name;
        _w.Define(name, Schema(resolved, target, name));
        return name;
    }

    private static bool NonNegative(JsonElement s) =>
        (s.TryGetProperty("minimum", out var min) && min.ValueKind == JsonValueKind.Number && min.GetDouble() >= 0)
        || (s.TryGetProperty("exclusiveMinimum", out var exMin) && exMin.ValueKind == JsonValueKind.Number && exMin.GetDouble() >= 0);

    private string Object(JsonElement s, string ptr, string hint)
    {
        var properties = new List<(string Name, JsonElement Schema, string Pointer, bool Required)>();
        var required = new HashSet<string>(StringComparer.Ordinal);
        if (s.TryGetProperty("required", out var req))
        {
            if (req.ValueKind != JsonValueKind.Array || req.EnumerateArray().Any(r => r.ValueKind != JsonValueKind.String))
            {
                throw Unsupported(JsonSchemaPointer.Child(ptr, "required"), "'required' must be an array of property names");
            }

            foreach (var r in req.EnumerateArray())
            {
                required.Add(r.GetString()!);
            }
        }

        var hasProperties = false;
        if (s.TryGetProperty("properties", out var props))
        {
            if (props.ValueKind != JsonValueKind.Object)
            {
                throw Unsupported(JsonSchemaPointer.Child(ptr, "properties"), "'properties' must be an object");
            }

            foreach (var p in props.EnumerateObject())
            {
                hasProperties = true;
                properties.Add((p.Name, p.Value, JsonSchemaPointer.Child(JsonSchemaPointer.Child(ptr, "properties"), p.Name), required.Contains(p.Name)));
            }
        }

        // A required name without a declared schema may hold any value, as in llama.cpp's converter.
        foreach (var name in required.Where(r => !properties.Any(p => p.Name == r)).Order(StringComparer.Ordinal))
        {
            properties.Add((name, AnySchema, JsonSchemaPointer.Child(JsonSchemaPointer.Child(ptr, "required"), name), true));
        }

        string? extra = null;
        if (s.TryGetProperty("additionalProperties", out var additional))
        {
            if (additional.ValueKind is JsonValueKind.True or JsonValueKind.Object)
            {
                var value = Schema(additional, JsonSchemaPointer.Child(ptr, "additionalProperties"), hint + "-extra");
                extra = _w.Add(hint + "-extra-kv", $"{JsonString()} \":\" {_w.Ws} {value}");
            }
            else if (additional.ValueKind != JsonValueKind.False)
            {
                throw Unsupported(JsonSchemaPointer.Child(ptr, "additionalProperties"), "'additionalProperties' must be a boolean or a schema");
            }
        }
        else if (!hasProperties && properties.Count == 0)
        {
            return AnyObject();
        }

        var kvs = properties.Select(p =>
        {
            var value = Schema(p.Schema, p.Pointer, hint + "-" + p.Name);
            return _w.Add(hint + "-" + p.Name + "-kv", $"{GbnfWriter.Literal(GbnfWriter.QuoteJson(p.Name) + ":")} {_w.Ws} {value}");
        }).ToList();

        var n = properties.Count;
        var tailAfter = extra is null ? string.Empty : $"( \",\" {_w.Ws} {extra} )*";
        var tailFirst = extra is null ? string.Empty : $"( {extra} ( \",\" {_w.Ws} {extra} )* )?";

        // after[i]: properties i.. when one was already written (each needs a leading comma);
        // first[i]: properties i.. when none was written yet.
        var after = new string[n + 1];
        after[n] = tailAfter;
        for (var i = n - 1; i >= 0; i--)
        {
            var item = $"\",\" {_w.Ws} {kvs[i]}";
            after[i] = properties[i].Required ? $"{item} {after[i + 1]}" : $"( {item} )? {after[i + 1]}";
        }

        var first = tailFirst;
        for (var i = n - 1; i >= 0; i--)
        {
            var withThis = $"{kvs[i]} {after[i + 1]}";
            if (properties[i].Required)
            {
                first = withThis;
            }
            else
            {
                // Inline rather than a rule per property: each level embeds the next once, so the text grows quadratically at worst.
                first = first.Trim().Length == 0 ? $"( {withThis} )?" : $"( {withThis} | {first} )";
            }
        }

        return _w.Add(hint, Squash($"\"{{\" {_w.Ws} {first} \"}}\""));
    }

    private static string Squash(string body) => string.Join(' ', body.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    private JsonElement MergeAllOf(JsonElement s, string ptr)
    {
        var members = new List<(JsonElement Schema, string Pointer)>();
        var own = new JsonObject();
        foreach (var p in s.EnumerateObject().Where(p => p.Name != "allOf"))
        {
            own[p.Name] = JsonNode.Parse(p.Value.GetRawText());
        }

        members.Add((ToElement(own), ptr));
        var list = NonEmptyArray(s.GetProperty("allOf"), JsonSchemaPointer.Child(ptr, "allOf"), "allOf");
        for (var i = 0; i < list.Count; i++)
        {
            var member = list[i];
            var memberPtr = JsonSchemaPointer.Child(JsonSchemaPointer.Child(ptr, "allOf"), i);
            for (var depth = 0; member.ValueKind == JsonValueKind.Object && member.TryGetProperty("$ref", out var r) && r.ValueKind == JsonValueKind.String; depth++)
            {
                if (depth > 32 || !JsonSchemaPointer.TryResolve(_document, r.GetString()!, out member))
                {
                    throw Unsupported(memberPtr, $"'$ref' '{r.GetString()}' does not resolve to a schema");
                }

                memberPtr = r.GetString()!;
            }

            members.Add((member, memberPtr));
        }

        var properties = new JsonObject();
        var required = new JsonArray();
        JsonNode? additional = null;
        foreach (var (member, memberPtr) in members)
        {
            if (member.ValueKind != JsonValueKind.Object)
            {
                throw Unsupported(memberPtr, "'allOf' is supported only for object schemas");
            }

            foreach (var p in member.EnumerateObject())
            {
                if (Annotations.Contains(p.Name) || p.Name is "$defs" or "definitions")
                {
                    continue;
                }

                if (!ObjectKeywords.Contains(p.Name) || (p.Name == "type" && p.Value.ValueKind == JsonValueKind.String && p.Value.GetString() != "object"))
                {
                    throw Unsupported(JsonSchemaPointer.Child(memberPtr, p.Name), $"'allOf' is supported only for object schemas with properties, required and additionalProperties, not '{p.Name}'");
                }
            }

            if (member.TryGetProperty("properties", out var props) && props.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in props.EnumerateObject())
                {
                    if (properties.ContainsKey(p.Name))
                    {
                        throw Unsupported(JsonSchemaPointer.Child(JsonSchemaPointer.Child(memberPtr, "properties"), p.Name), $"property '{p.Name}' is declared by more than one 'allOf' member");
                    }

                    properties[p.Name] = JsonNode.Parse(p.Value.GetRawText());
                }
            }

            if (member.TryGetProperty("required", out var req) && req.ValueKind == JsonValueKind.Array)
            {
                foreach (var r in req.EnumerateArray())
                {
                    required.Add(JsonNode.Parse(r.GetRawText()));
                }
            }

            if (member.TryGetProperty("additionalProperties", out var add))
            {
                if (add.ValueKind == JsonValueKind.Object)
                {
                    throw Unsupported(JsonSchemaPointer.Child(memberPtr, "additionalProperties"), "an 'additionalProperties' schema inside 'allOf' is not supported");
                }

                if (additional is null || add.ValueKind == JsonValueKind.False)
                {
                    additional = JsonValue.Create(add.ValueKind == JsonValueKind.True);
                }
            }
        }

        var merged = new JsonObject { ["type"] = "object", ["properties"] = properties, ["required"] = required };
        if (additional is not null)
        {
            merged["additionalProperties"] = additional;
        }

        return ToElement(merged);
    }

    private static JsonElement ToElement(JsonNode node) => JsonElement.Parse(node.ToJsonString());

    private string Array(JsonElement s, string ptr, string hint)
    {
        var min = Count(s, ptr, "minItems") ?? 0;
        var max = Count(s, ptr, "maxItems");
        if (min > MaxBoundedCount)
        {
            throw Unsupported(JsonSchemaPointer.Child(ptr, "minItems"), string.Create(CultureInfo.InvariantCulture, $"'minItems' above {MaxBoundedCount} is not supported by llama.cpp grammars"));
        }

        if (max < min)
        {
            throw Unsupported(JsonSchemaPointer.Child(ptr, "maxItems"), "'maxItems' is below 'minItems', so no array could satisfy it");
        }

        // llama.cpp would reject the expansion; beyond this the bound is left to the validator.
        if (max > MaxBoundedCount)
        {
            max = null;
        }

        var prefix = new List<string>();
        if (s.TryGetProperty("prefixItems", out var prefixItems))
        {
            var list = NonEmptyArray(prefixItems, JsonSchemaPointer.Child(ptr, "prefixItems"), "prefixItems");
            for (var i = 0; i < list.Count; i++)
            {
                prefix.Add(Schema(list[i], JsonSchemaPointer.Child(JsonSchemaPointer.Child(ptr, "prefixItems"), i), string.Create(CultureInfo.InvariantCulture, $"{hint}-{i}")));
            }
        }

        string? item;
        if (s.TryGetProperty("items", out var items))
        {
            item = items.ValueKind == JsonValueKind.False ? null : Schema(items, JsonSchemaPointer.Child(ptr, "items"), hint + "-item");
        }
        else
        {
            // A tuple without 'items' gets exactly its prefix: a model should not invent extra elements.
            item = prefix.Count > 0 ? null : AnyValue();
        }

        if (prefix.Count > 0)
        {
            if (max < prefix.Count)
            {
                throw Unsupported(JsonSchemaPointer.Child(ptr, "maxItems"), "'maxItems' is below the number of 'prefixItems', which the grammar always writes");
            }

            var head = string.Join($" \",\" {_w.Ws} ", prefix);
            var restMin = Math.Max(0, min - prefix.Count);
            var restMax = max - prefix.Count;
            if (item is null || restMax == 0)
            {
                if (restMin > 0)
                {
                    throw Unsupported(ptr, "'minItems' asks for more elements than 'prefixItems' allows");
                }

                return _w.Add(hint, Squash($"\"[\" {_w.Ws} {head} \"]\""));
            }

            var sepItem = _w.Add(hint + "-next", $"\",\" {_w.Ws} {item}");
            return _w.Add(hint, Squash($"\"[\" {_w.Ws} {head} {Repeat(sepItem, restMin, restMax)} \"]\""));
        }

        if (item is null || max == 0)
        {
            return Squash($"\"[\" {_w.Ws} \"]\"");
        }

        var next = _w.Add(hint + "-next", $"\",\" {_w.Ws} {item}");
        var listRule = _w.Add(hint + "-items", $"{item} {Repeat(next, Math.Max(0, min - 1), max - 1)}".Trim());
        return _w.Add(hint, Squash(min == 0 ? $"\"[\" {_w.Ws} {listRule}? \"]\"" : $"\"[\" {_w.Ws} {listRule} \"]\""));
    }

    private static string Repeat(string rule, int min, int? max) => (min, max) switch
    {
        (0, null) => rule + "*",
        (_, null) => string.Create(CultureInfo.InvariantCulture, $"{rule}{{{min},}}"),
        (0, 0) => string.Empty,
        _ when min == max => string.Create(CultureInfo.InvariantCulture, $"{rule}{{{min}}}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{rule}{{{min},{max}}}"),
    };

    private static int? Count(JsonElement s, string ptr, string keyword)
    {
        if (!s.TryGetProperty(keyword, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var d) || d < 0 || d != Math.Floor(d))
        {
            throw Unsupported(JsonSchemaPointer.Child(ptr, keyword), $"'{keyword}' must be a non-negative integer");
        }

        return d > int.MaxValue ? int.MaxValue : (int)d;
    }

    private string String(JsonElement s, string ptr)
    {
        if (s.TryGetProperty("format", out var format) && format.ValueKind == JsonValueKind.String)
        {
            var formatted = Format(format.GetString()!);
            if (formatted is not null)
            {
                return formatted;
            }
        }

        var min = Count(s, ptr, "minLength") ?? 0;
        var max = Count(s, ptr, "maxLength") ?? _options.MaxStringLength;
        if (min > GbnfParser.MaxRepetitionThreshold)
        {
            throw Unsupported(JsonSchemaPointer.Child(ptr, "minLength"), string.Create(CultureInfo.InvariantCulture, $"'minLength' above {GbnfParser.MaxRepetitionThreshold} is not supported by llama.cpp grammars"));
        }

        if (max < min)
        {
            throw Unsupported(JsonSchemaPointer.Child(ptr, "maxLength"), "'maxLength' is below 'minLength', so no string could satisfy it");
        }

        if (max > GbnfParser.MaxRepetitionThreshold)
        {
            max = null;
        }

        if (min == 0 && max is null)
        {
            return JsonString();
        }

        var ch = JsonChar();
        var key = string.Create(CultureInfo.InvariantCulture, $"string-{min}-{max?.ToString(CultureInfo.InvariantCulture) ?? "inf"}");
        return _w.Shared(key, () => $"\"\\\"\" {Repeat(ch, min, max)} \"\\\"\"");
    }

    private string? Format(string format)
    {
        const string date = "[0-9]{4} \"-\" ( \"0\" [1-9] | \"1\" [0-2] ) \"-\" ( \"0\" [1-9] | [12] [0-9] | \"3\" [01] )";
        const string time = "( [01] [0-9] | \"2\" [0-3] ) \":\" [0-5] [0-9] \":\" [0-5] [0-9] ( \".\" [0-9]{1,9} )? ( \"Z\" | [+\\-] ( [01] [0-9] | \"2\" [0-3] ) \":\" [0-5] [0-9] )";
        return format switch
        {
            "date" => _w.Shared("string-date", () => $"\"\\\"\" {date} \"\\\"\""),
            "time" => _w.Shared("string-time", () => $"\"\\\"\" {time} \"\\\"\""),
            "date-time" => _w.Shared("string-date-time", () => $"\"\\\"\" {date} [Tt] {time} \"\\\"\""),
            "uuid" => _w.Shared("string-uuid", () => "\"\\\"\" [0-9a-fA-F]{8} \"-\" [0-9a-fA-F]{4} \"-\" [0-9a-fA-F]{4} \"-\" [0-9a-fA-F]{4} \"-\" [0-9a-fA-F]{12} \"\\\"\""),

            // Other formats are annotations in JSON Schema: the value is still a string.
            _ => null,
        };
    }

    private string JsonChar() => _w.Shared("char", () => "[^\"\\\\\\x7F\\x00-\\x1F] | \"\\\\\" ( [\"\\\\/bfnrt] | \"u\" [0-9a-fA-F]{4} )");

    private string JsonString()
    {
        var ch = JsonChar();
        if (_options.MaxStringLength is { } max && max <= GbnfParser.MaxRepetitionThreshold)
        {
            return _w.Shared("string", () => string.Create(CultureInfo.InvariantCulture, $"\"\\\"\" {Repeat(ch, 0, max)} \"\\\"\""));
        }

        return _w.Shared("string", () => $"\"\\\"\" {ch}* \"\\\"\"");
    }

    private string Integer(bool nonNegative) => nonNegative
        ? _w.Shared("natural", () => "( \"0\" | [1-9] [0-9]{0,15} )")
        : _w.Shared("integer", () => "\"-\"? ( \"0\" | [1-9] [0-9]{0,15} )");

    private string Number(bool nonNegative) => nonNegative
        ? _w.Shared("nonnegative-number", () => $"{Integer(true)} ( \".\" [0-9]{{1,16}} )? ( [eE] [-+]? [0-9]{{1,4}} )?")
        : _w.Shared("number", () => $"{Integer(false)} ( \".\" [0-9]{{1,16}} )? ( [eE] [-+]? [0-9]{{1,4}} )?");

    private string AnyValue()
    {
        if (_w.SharedName("value") is { } existing)
        {
            return existing;
        }

        var value = _w.Reserve("value");
        _w.RegisterShared("value", value);
        var str = JsonString();
        var member = _w.Shared("member", () => $"{str} \":\" {_w.Ws} {value}");
        var obj = _w.Shared("object", () => Squash($"\"{{\" {_w.Ws} ( {member} ( \",\" {_w.Ws} {member} )* )? \"}}\""));
        var arr = _w.Shared("array", () => Squash($"\"[\" {_w.Ws} ( {value} ( \",\" {_w.Ws} {value} )* )? \"]\""));
        _w.Define(value, $"{obj} | {arr} | {str} | {Number(false)} | \"true\" | \"false\" | \"null\"");
        return value;
    }

    private string AnyObject()
    {
        AnyValue();
        return _w.SharedName("object")!;
    }
}
