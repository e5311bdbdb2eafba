using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace AgentKit.Server.Http;

/// <summary>
/// Turns a <see cref="JsonException"/> from reading a request body into a 400 that names the field and the JSON type
/// it needs ("'max_tokens' must be an integer"), never a .NET type name.
/// </summary>
internal static class JsonBodyError
{
    public static ApiProblemException From(JsonException exception, JsonSerializerOptions options, Type body, string what)
    {
        var path = exception.Path;
        var param = path is null or "$" ? null : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;

        // A syntax error comes wrapped around the reader's own exception and its message names no types; a value of
        // the wrong type comes bare, with a message that names the .NET type it could not become.
        if (exception.InnerException is JsonException syntax)
        {
            var where = param is null ? string.Empty : $" at '{param}'";
            return Invalid($"The request body is not valid JSON{where}: {syntax.Message}", param);
        }

        return path is not null && Expected(options, body, path) is { } expected
            ? Invalid(param is null ? $"The request body must be {expected} ({what})." : $"The request body is not a valid {what}: '{param}' must be {expected}.", param)
            : Invalid($"The request body is not a valid {what}: {(param is null ? "it" : $"'{param}'")} has the wrong JSON type.", param);
    }

    private static ApiProblemException Invalid(string message, string? param) => new(StatusCodes.Status400BadRequest, "invalid_json", message, param);

    /// <summary>The JSON type the wire model wants at a path like <c>$.messages[0].role</c>; null when the path cannot be followed.</summary>
    private static string? Expected(JsonSerializerOptions options, Type body, string path)
    {
        var type = body;
        var rest = path.AsSpan(1);
        while (!rest.IsEmpty)
        {
            var info = options.GetTypeInfo(type);
            if (rest[0] == '[')
            {
                var close = rest.IndexOf(']');
                if (close < 0 || info.ElementType is null)
                {
                    return null;
                }

                type = info.ElementType;
                rest = rest[(close + 1)..];
            }
            else if (rest[0] == '.')
            {
                var end = rest[1..].IndexOfAny('.', '[');
                var name = (end < 0 ? rest[1..] : rest.Slice(1, end)).ToString();
                var property = info.Kind == JsonTypeInfoKind.Object ? info.Properties.FirstOrDefault(p => p.Name == name) : null;
                if (property is null)
                {
                    return null;
                }

                type = property.PropertyType;
                rest = end < 0 ? [] : rest[(end + 1)..];
            }
            else
            {
                return null;
            }
        }

        type = Nullable.GetUnderlyingType(type) ?? type;
        return type == typeof(string) ? "a string"
            : type == typeof(bool) ? "true or false"
            : type == typeof(int) || type == typeof(long) ? "an integer"
            : type == typeof(float) || type == typeof(double) ? "a number"
            : type == typeof(JsonElement) ? null
            : options.GetTypeInfo(type).Kind switch
            {
                JsonTypeInfoKind.Enumerable => "an array",
                JsonTypeInfoKind.Object or JsonTypeInfoKind.Dictionary => "an object",
                _ => null,
            };
    }
}
