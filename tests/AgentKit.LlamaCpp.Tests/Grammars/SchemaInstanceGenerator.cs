using System.Globalization;
using System.Text;
using System.Text.Json;
using AgentKit.LlamaCpp.Grammars;
using AgentKit.Abstractions.Json;

namespace AgentKit.LlamaCpp.Tests.Grammars;

/// <summary>Writes random JSON text that conforms to a schema, in the compact layout the converter's grammars produce.</summary>
internal sealed class SchemaInstanceGenerator(JsonElement document, int seed, bool spaces = true)
{
    private static readonly string[] Pieces = ["a", "Z", "9", " ", "é", "😀", "\\n", "\\\"", "\\\\", "\\u00e9", "/", "-", "\\t"];
    private readonly Random _random = new(seed);

    public string Generate() => Value(document, 0);

    private string Ws() => spaces && _random.Next(2) == 0 ? " " : string.Empty;

    private string Value(JsonElement s, int depth)
    {
        if (s.ValueKind == JsonValueKind.True)
        {
            return Any(depth);
        }

        if (s.TryGetProperty("$ref", out var reference))
        {
            JsonSchemaPointer.TryResolve(document, reference.GetString()!, out var target);
            return Value(target, depth + 1);
        }

        if (s.TryGetProperty("const", out var constant))
        {
            return GbnfWriter.CompactJson(constant);
        }

        if (s.TryGetProperty("enum", out var values))
        {
            return GbnfWriter.CompactJson(values[_random.Next(values.GetArrayLength())]);
        }

        foreach (var keyword in (string[])["anyOf", "oneOf"])
        {
            if (s.TryGetProperty(keyword, out var options))
            {
                // Deep recursion picks the first alternative, which tests put last-to-recurse.
                var index = depth > 4 ? 0 : _random.Next(options.GetArrayLength());
                return Value(options[index], depth + 1);
            }
        }

        var type = "any";
        if (s.TryGetProperty("type", out var t))
        {
            type = t.ValueKind == JsonValueKind.String ? t.GetString()! : t[_random.Next(t.GetArrayLength())].GetString()!;
        }
        else if (s.TryGetProperty("properties", out _))
        {
            type = "object";
        }

        return type switch
        {
            "object" => Object(s, depth),
            "array" => Array(s, depth),
            "string" => String(s),
            "integer" => Integer(s),
            "number" => Integer(s) + (_random.Next(2) == 0 ? "." + _random.Next(1000).ToString(CultureInfo.InvariantCulture) : string.Empty) + (_random.Next(4) == 0 ? "e-3" : string.Empty),
            "boolean" => _random.Next(2) == 0 ? "true" : "false",
            "null" => "null",
            _ => Any(depth),
        };
    }

    private string Object(JsonElement s, int depth)
    {
        var required = s.TryGetProperty("required", out var r) ? r.EnumerateArray().Select(x => x.GetString()!).ToHashSet() : [];
        var parts = new List<string>();
        if (s.TryGetProperty("properties", out var properties))
        {
            foreach (var p in properties.EnumerateObject())
            {
                if (required.Contains(p.Name) || (depth < 5 && _random.Next(2) == 0))
                {
                    parts.Add(GbnfWriter.QuoteJson(p.Name) + ":" + Ws() + Value(p.Value, depth + 1));
                }
            }
        }

        if (s.TryGetProperty("additionalProperties", out var additional) && additional.ValueKind != JsonValueKind.False)
        {
            for (var i = _random.Next(3); i > 0; i--)
            {
                parts.Add(GbnfWriter.QuoteJson("extra" + i.ToString(CultureInfo.InvariantCulture)) + ":" + Ws() + Value(additional, depth + 1));
            }
        }

        return "{" + Ws() + string.Join("," + Ws(), parts) + "}";
    }

    private string Array(JsonElement s, int depth)
    {
        var parts = new List<string>();
        if (s.TryGetProperty("prefixItems", out var prefix))
        {
            parts.AddRange(prefix.EnumerateArray().Select(p => Value(p, depth + 1)));
        }

        var min = s.TryGetProperty("minItems", out var mi) ? mi.GetInt32() : 0;
        var max = s.TryGetProperty("maxItems", out var ma) ? ma.GetInt32() : min + 3;
        if (s.TryGetProperty("items", out var items) && items.ValueKind != JsonValueKind.False)
        {
            var count = depth > 4 ? Math.Max(min, parts.Count) : _random.Next(Math.Max(min, parts.Count), max + 1);
            while (parts.Count < count)
            {
                parts.Add(Value(items, depth + 1));
            }
        }

        return "[" + Ws() + string.Join("," + Ws(), parts) + "]";
    }

    private string String(JsonElement s)
    {
        if (s.TryGetProperty("format", out var format))
        {
            var day = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddDays(_random.Next(20_000)).AddSeconds(_random.Next(86_400));
            switch (format.GetString())
            {
                case "date": return "\"" + day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "\"";
                case "date-time": return "\"" + day.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + (_random.Next(2) == 0 ? "Z" : "+02:00") + "\"";
                case "uuid": return "\"" + new Guid(_random.Next(), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10).ToString() + "\"";
            }
        }

        var min = s.TryGetProperty("minLength", out var mi) ? mi.GetInt32() : 0;
        var max = s.TryGetProperty("maxLength", out var ma) ? ma.GetInt32() : min + 8;
        var length = _random.Next(min, max + 1);
        var sb = new StringBuilder("\"");
        for (var i = 0; i < length; i++)
        {
            sb.Append(Pieces[_random.Next(Pieces.Length)]);
        }

        return sb.Append('"').ToString();
    }

    private string Integer(JsonElement s)
    {
        var min = s.TryGetProperty("minimum", out var mi) ? mi.GetInt32() : -1000;
        var max = s.TryGetProperty("maximum", out var ma) ? ma.GetInt32() : 1000;
        return _random.Next(min, max + 1).ToString(CultureInfo.InvariantCulture);
    }

    private string Any(int depth) => (depth > 3 ? _random.Next(4) : _random.Next(6)) switch
    {
        0 => "null",
        1 => "true",
        2 => "-12.5",
        3 => "\"x\"",
        4 => "[" + Ws() + Any(depth + 1) + "," + Ws() + Any(depth + 1) + "]",
        _ => "{\"k\":" + Ws() + Any(depth + 1) + "}",
    };
}
