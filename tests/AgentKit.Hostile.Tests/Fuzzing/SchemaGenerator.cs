using System.Text.Json.Nodes;

namespace AgentKit.Hostile.Tests.Fuzzing;

/// <summary>Random JSON schemas: mostly the keywords the GBNF converter supports, combined at random, plus some it refuses or that contradict themselves.</summary>
internal static class SchemaGenerator
{
    private static readonly string[] Types = ["string", "number", "integer", "boolean", "null", "object", "array"];
    private static readonly string[] Formats = ["date", "time", "date-time", "uuid", "email", "bogus"];
    private static readonly string[] Odd = ["pattern", "if", "not", "patternProperties", "$dynamicRef", "unevaluatedProperties"];

    public static JsonNode Generate(Random random)
    {
        var root = Node(random, 0);
        if (root is JsonObject obj && random.Next(4) == 0)
        {
            obj["$defs"] = new JsonObject { ["d"] = Node(random, 2) };
        }

        return root;
    }

    private static JsonNode Node(Random random, int depth)
    {
        if (random.Next(12) == 0)
        {
            return JsonValue.Create(random.Next(2) == 0);
        }

        var s = new JsonObject();
        var leaf = depth >= 4;
        switch (random.Next(leaf ? 4 : 10))
        {
            case 0:
                s["type"] = "string";
                if (random.Next(2) == 0) s["minLength"] = random.Next(-1, 5);
                if (random.Next(2) == 0) s["maxLength"] = random.Next(0, 2000);
                if (random.Next(3) == 0) s["format"] = Formats[random.Next(Formats.Length)];
                break;
            case 1:
                s["type"] = random.Next(2) == 0 ? "integer" : "number";
                if (random.Next(2) == 0) s["minimum"] = random.Next(-5, 5);
                if (random.Next(3) == 0) s["exclusiveMaximum"] = random.Next(-5, 5);
                break;
            case 2:
                s["enum"] = new JsonArray([.. Enumerable.Range(0, random.Next(0, 4)).Select(i => (JsonNode?)(random.Next(2) == 0 ? JsonValue.Create($"v{i}\"\\\n") : JsonValue.Create(i)))]);
                break;
            case 3:
                s["type"] = random.Next(3) == 0 ? new JsonArray(Types[random.Next(Types.Length)], Types[random.Next(Types.Length)]) : Types[random.Next(Types.Length)];
                break;
            case 4 or 5:
                s["type"] = "object";
                var properties = new JsonObject();
                var names = Enumerable.Range(0, random.Next(0, 4)).Select(i => random.Next(5) == 0 ? $"p \"{i}\" \\" : $"p{i}").Distinct().ToList();
                foreach (var name in names)
                {
                    properties[name] = Node(random, depth + 1);
                }

                s["properties"] = properties;
                if (names.Count > 0 && random.Next(2) == 0) s["required"] = new JsonArray([.. names.Take(random.Next(names.Count + 1)).Select(n => (JsonNode?)n)]);
                if (random.Next(3) == 0) s["additionalProperties"] = random.Next(2) == 0 ? JsonValue.Create(random.Next(2) == 0) : Node(random, depth + 1);
                break;
            case 6 or 7:
                s["type"] = "array";
                if (random.Next(4) != 0) s["items"] = Node(random, depth + 1);
                if (random.Next(3) == 0) s["prefixItems"] = new JsonArray(Node(random, depth + 1), Node(random, depth + 1));
                if (random.Next(2) == 0) s["minItems"] = random.Next(-1, 4);
                if (random.Next(2) == 0) s["maxItems"] = random.Next(0, 1500);
                break;
            case 8:
                s[random.Next(2) == 0 ? "anyOf" : "oneOf"] = new JsonArray(Node(random, depth + 1), Node(random, depth + 1));
                break;
            default:
                s["allOf"] = new JsonArray(Node(random, depth + 1), Node(random, depth + 1));
                break;
        }

        if (random.Next(15) == 0) s["$ref"] = random.Next(3) == 0 ? "#/$defs/missing" : random.Next(2) == 0 ? "#" : "#/$defs/d";
        if (random.Next(20) == 0) s[Odd[random.Next(Odd.Length)]] = "x";
        if (random.Next(10) == 0) s["const"] = random.Next(2) == 0 ? JsonValue.Create("c") : new JsonObject { ["k"] = new JsonArray(1, null, "x") };
        if (random.Next(10) == 0) s["description"] = "annotated";
        return s;
    }
}
