using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentKit.VectorStores.Qdrant.Tests.Contract;

/// <summary>
/// A compact OpenAPI 3.0 schema validator in strict mode: <c>$ref</c> into components/schemas, <c>type</c>,
/// <c>nullable</c>, <c>enum</c>, <c>anyOf</c>/<c>oneOf</c>/<c>allOf</c>, <c>required</c>, <c>properties</c> with
/// unknown properties rejected unless <c>additionalProperties</c> allows them, <c>items</c>, <c>minItems</c>,
/// <c>uniqueItems</c>, <c>minimum</c>/<c>maximum</c>, and the formats Qdrant uses (uint64, uint, uint32, uint8,
/// int64, int32, float, double, uuid, date-time).
/// </summary>
internal sealed class OpenApiValidator
{
    private readonly JsonObject _root;

    private OpenApiValidator(JsonObject root, string name)
    {
        _root = root;
        Name = name;
    }

    public string Name { get; }

    public static OpenApiValidator Load(string fileName)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Schemas", fileName);
        return new OpenApiValidator((JsonObject)JsonNode.Parse(File.ReadAllText(path))!, fileName);
    }

    /// <summary>The operation for a method and concrete path (templates like <c>{collection_name}</c> match one segment).</summary>
    public JsonObject? Operation(string method, string path)
    {
        var segments = path.Trim('/').Split('/');
        foreach (var (template, item) in _root["paths"]!.AsObject())
        {
            var parts = template.Trim('/').Split('/');
            if (parts.Length == segments.Length
                && parts.Zip(segments).All(p => p.First.StartsWith('{') || p.First == p.Second)
                && item![method.ToLowerInvariant()] is JsonObject operation)
            {
                return operation;
            }
        }

        return null;
    }

    /// <summary>Errors of a request against its operation: query parameters and body. Empty when valid.</summary>
    public List<string> ValidateRequest(string method, string path, string query, byte[] body)
    {
        var errors = new List<string>();
        var operation = Operation(method, path);
        if (operation is null)
        {
            errors.Add($"{Name}: no operation {method} {path}");
            return errors;
        }

        var parameters = (operation["parameters"] as JsonArray ?? []).OfType<JsonObject>().Where(p => (string?)p["in"] == "query")
            .ToDictionary(p => (string)p["name"]!, p => p["schema"]!);
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var (name, value) = pair.Split('=', 2) is [var n, var v] ? (n, v) : (pair, string.Empty);
            if (!parameters.TryGetValue(name, out var schema))
            {
                errors.Add($"{Name}: {method} {path}: unknown query parameter '{name}'");
                continue;
            }

            JsonNode? typed = (string?)Resolve(schema)["type"] switch
            {
                "boolean" => value is "true" or "false" ? JsonValue.Create(value == "true") : JsonValue.Create(value),
                "integer" => long.TryParse(value, CultureInfo.InvariantCulture, out var l) ? JsonValue.Create(l) : JsonValue.Create(value),
                _ => JsonValue.Create(value),
            };
            errors.AddRange(Validate(typed, schema, $"?{name}"));
        }

        var bodySchema = operation["requestBody"]?["content"]?["application/json"]?["schema"];
        if (bodySchema is null)
        {
            if (body.Length > 0)
            {
                errors.Add($"{Name}: {method} {path} takes no body but one was sent");
            }

            return errors;
        }

        if (body.Length == 0)
        {
            errors.Add($"{Name}: {method} {path} needs a JSON body");
            return errors;
        }

        JsonNode? instance;
        try
        {
            instance = JsonNode.Parse(body);
        }
        catch (JsonException e)
        {
            errors.Add($"{Name}: body is not JSON: {e.Message}");
            return errors;
        }

        errors.AddRange(Validate(instance, bodySchema, "$").Select(e => $"{Name}: {method} {path}: {e}"));
        return errors;
    }

    /// <summary>Errors of a response body against the operation's schema for the status (exact, then 4XX, then default).</summary>
    public List<string> ValidateResponse(string method, string path, int status, JsonNode? body)
    {
        var operation = Operation(method, path) ?? throw new InvalidOperationException($"No operation {method} {path} in {Name}");
        var responses = operation["responses"]!.AsObject();
        var response = responses[status.ToString(CultureInfo.InvariantCulture)]
            ?? responses[$"{status / 100}XX"]
            ?? responses["default"]
            ?? throw new InvalidOperationException($"{Name}: {method} {path} documents no response {status}");
        var schema = response["content"]?["application/json"]?["schema"]
            ?? throw new InvalidOperationException($"{Name}: {method} {path} response {status} has no JSON schema");
        return [.. Validate(body, schema, "$").Select(e => $"{Name}: response {status} to {method} {path}: {e}")];
    }

    /// <summary>Errors of an instance against a schema (a node of this document); empty when valid.</summary>
    public List<string> Validate(JsonNode? instance, JsonNode schemaNode, string at)
    {
        var errors = new List<string>();
        Check(instance, Resolve(schemaNode), at, errors);
        return errors;
    }

    /// <summary>A component schema by name.</summary>
    public JsonNode Component(string name) => _root["components"]!["schemas"]![name] ?? throw new KeyNotFoundException(name);

    private JsonObject Resolve(JsonNode schema)
    {
        var obj = schema.AsObject();
        while (obj["$ref"] is JsonValue reference)
        {
            var name = ((string)reference!).Replace("#/components/schemas/", string.Empty, StringComparison.Ordinal);
            obj = Component(name).AsObject();
        }

        return obj;
    }

    private void Check(JsonNode? instance, JsonObject schema, string at, List<string> errors)
    {
        if (schema["$ref"] is not null)
        {
            Check(instance, Resolve(schema), at, errors);
            return;
        }

        var nullable = schema["nullable"]?.GetValue<bool>() ?? false;
        if (instance is null)
        {
            var allowsNull = nullable || (schema["anyOf"] ?? schema["oneOf"]) is JsonArray branches && branches.Any(b => Passes(null, Resolve(b!), at));
            if (!allowsNull)
            {
                errors.Add($"{at}: null is not allowed");
            }

            return;
        }

        if (schema["allOf"] is JsonArray all)
        {
            foreach (var part in all)
            {
                Check(instance, Resolve(part!), at, errors);
            }
        }

        if (schema["anyOf"] is JsonArray any)
        {
            var failures = new List<string>();
            if (!any.Any(b => Passes(instance, Resolve(b!), at, failures)))
            {
                errors.Add($"{at}: matches none of anyOf [{string.Join(" | ", failures.Take(6))}]");
            }
        }

        if (schema["oneOf"] is JsonArray one)
        {
            var matches = one.Count(b => Passes(instance, Resolve(b!), at));
            if (matches != 1)
            {
                errors.Add($"{at}: matches {matches} branches of oneOf, exactly one required");
            }
        }

        if (schema["enum"] is JsonArray values && !values.Any(v => JsonNode.DeepEquals(v, instance)))
        {
            errors.Add($"{at}: {instance.ToJsonString()} is not one of {values.ToJsonString()}");
        }

        var type = (string?)schema["type"];
        if (type is null)
        {
            if (nullable && !schema.Any(p => p.Key is not ("nullable" or "description" or "default")))
            {
                errors.Add($"{at}: only null is allowed here, found {instance.ToJsonString()}");
            }

            return;
        }

        switch (type)
        {
            case "object":
                CheckObject(instance, schema, at, errors);
                break;
            case "array":
                CheckArray(instance, schema, at, errors);
                break;
            case "string":
                CheckString(instance, schema, at, errors);
                break;
            case "integer" or "number":
                CheckNumber(instance, schema, type, at, errors);
                break;
            case "boolean":
                if (instance.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
                {
                    errors.Add($"{at}: expected a boolean, found {instance.ToJsonString()}");
                }

                break;
            default:
                errors.Add($"{at}: unknown schema type '{type}'");
                break;
        }
    }

    private bool Passes(JsonNode? instance, JsonObject schema, string at, List<string>? failures = null)
    {
        var errors = new List<string>();
        Check(instance, schema, at, errors);
        if (errors.Count > 0)
        {
            failures?.Add(errors[0]);
        }

        return errors.Count == 0;
    }

    private void CheckObject(JsonNode instance, JsonObject schema, string at, List<string> errors)
    {
        if (instance is not JsonObject obj)
        {
            errors.Add($"{at}: expected an object, found {instance.ToJsonString()}");
            return;
        }

        foreach (var required in schema["required"] as JsonArray ?? [])
        {
            if (!obj.ContainsKey((string)required!))
            {
                errors.Add($"{at}: required property '{(string)required!}' is missing");
            }
        }

        var properties = schema["properties"] as JsonObject;
        var additional = schema["additionalProperties"];
        foreach (var (name, value) in obj)
        {
            if (properties?[name] is { } propertySchema)
            {
                Check(value, Resolve(propertySchema), $"{at}.{name}", errors);
            }
            else if (additional is JsonObject additionalSchema)
            {
                Check(value, Resolve(additionalSchema), $"{at}.{name}", errors);
            }
            else if (additional is not JsonValue allowed || !allowed.GetValue<bool>())
            {
                errors.Add($"{at}: unknown property '{name}' (strict mode)");
            }
        }
    }

    private void CheckArray(JsonNode instance, JsonObject schema, string at, List<string> errors)
    {
        if (instance is not JsonArray array)
        {
            errors.Add($"{at}: expected an array, found {instance.ToJsonString()}");
            return;
        }

        if (schema["minItems"]?.GetValue<int>() is { } min && array.Count < min)
        {
            errors.Add($"{at}: {array.Count} items, at least {min} required");
        }

        if (schema["maxItems"]?.GetValue<int>() is { } max && array.Count > max)
        {
            errors.Add($"{at}: {array.Count} items, at most {max} allowed");
        }

        if (schema["uniqueItems"]?.GetValue<bool>() == true && array.Select(i => i?.ToJsonString()).Distinct().Count() != array.Count)
        {
            errors.Add($"{at}: items must be unique");
        }

        if (schema["items"] is { } items)
        {
            var itemSchema = Resolve(items);
            for (var i = 0; i < array.Count; i++)
            {
                Check(array[i], itemSchema, $"{at}[{i}]", errors);
            }
        }
    }

    private static void CheckString(JsonNode instance, JsonObject schema, string at, List<string> errors)
    {
        if (instance.GetValueKind() != JsonValueKind.String)
        {
            errors.Add($"{at}: expected a string, found {instance.ToJsonString()}");
            return;
        }

        var text = instance.GetValue<string>();
        var ok = (string?)schema["format"] switch
        {
            "uuid" => Guid.TryParseExact(text, "D", out _),
            "date-time" => System.Text.RegularExpressions.Regex.IsMatch(text, @"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
                && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
            _ => true,
        };
        if (!ok)
        {
            errors.Add($"{at}: '{text}' is not a valid {(string?)schema["format"]}");
        }
    }

    private static void CheckNumber(JsonNode instance, JsonObject schema, string type, string at, List<string> errors)
    {
        if (instance.GetValueKind() != JsonValueKind.Number)
        {
            errors.Add($"{at}: expected {type}, found {instance.ToJsonString()}");
            return;
        }

        var raw = instance.ToJsonString();
        var value = double.Parse(raw, CultureInfo.InvariantCulture);
        var isInteger = !raw.Contains('.', StringComparison.Ordinal) && !raw.Contains('e', StringComparison.OrdinalIgnoreCase);
        if (type == "integer" && !isInteger)
        {
            errors.Add($"{at}: expected an integer, found {raw}");
            return;
        }

        var (low, high) = (string?)schema["format"] switch
        {
            "uint64" => (0m, ulong.MaxValue),
            "uint" or "uint32" => (0m, uint.MaxValue),
            "uint16" => (0m, ushort.MaxValue),
            "uint8" => (0m, byte.MaxValue),
            "int64" => (long.MinValue, long.MaxValue),
            "int32" => (int.MinValue, int.MaxValue),
            _ => (decimal.MinValue, decimal.MaxValue),
        };
        if (isInteger && (!decimal.TryParse(raw, CultureInfo.InvariantCulture, out var exact) || exact < low || exact > high))
        {
            errors.Add($"{at}: {raw} is outside {(string?)schema["format"]}");
        }

        if ((string?)schema["format"] == "float" && (double.IsInfinity(value) || Math.Abs(value) > float.MaxValue))
        {
            errors.Add($"{at}: {raw} does not fit a float");
        }

        if (schema["minimum"]?.GetValue<double>() is { } minimum && value < minimum)
        {
            errors.Add($"{at}: {raw} is below the minimum {minimum}");
        }

        if (schema["maximum"]?.GetValue<double>() is { } maximum && value > maximum)
        {
            errors.Add($"{at}: {raw} is above the maximum {maximum}");
        }
    }
}
