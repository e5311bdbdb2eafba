using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace AgentKit.Prompts.Parsing;

/// <summary>
/// Turns YAML nodes into .NET values and JSON, resolving plain scalars as YAML 1.2's core schema does
/// (<c>true</c>, <c>12</c>, <c>1.5</c>, <c>null</c>); quoted scalars stay strings.
/// </summary>
internal static partial class YamlValues
{
    public static object? ToObject(YamlNode node) => node switch
    {
        YamlScalarNode scalar => Scalar(scalar),
        YamlSequenceNode sequence => sequence.Children.Select(ToObject).ToList(),
        YamlMappingNode mapping => mapping.Children.ToDictionary(p => KeyOf(p.Key), p => ToObject(p.Value), StringComparer.Ordinal),
        _ => null,
    };

    public static JsonElement ToJson(YamlNode node)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, node);
        }

        return JsonDocument.Parse(buffer.ToArray()).RootElement.Clone();
    }

    /// <summary>The 1-based line in the file of a node in front matter that starts on the file's second line.</summary>
    public static int FileLine(YamlNode node) => FileLine(node.Start);

    public static int FileLine(Mark mark) => checked((int)mark.Line) + 1;

    public static string KeyOf(YamlNode key) => key is YamlScalarNode { Value: { } value } ? value : key.ToString();

    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } scalar && IsNullText(scalar.Value);

    private static object? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style is not (ScalarStyle.Plain or ScalarStyle.Any))
        {
            return text;
        }

        if (IsNullText(text))
        {
            return null;
        }

        if (BoolPattern().IsMatch(text))
        {
            return char.ToUpperInvariant(text[0]) == 'T';
        }

        if (IntegerPattern().IsMatch(text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return integer;
        }

        if (FloatPattern().IsMatch(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real))
        {
            return real;
        }

        return text;
    }

    private static void Write(Utf8JsonWriter writer, YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                writer.WriteStartObject();
                foreach (var (key, value) in mapping.Children)
                {
                    writer.WritePropertyName(KeyOf(key));
                    Write(writer, value);
                }

                writer.WriteEndObject();
                break;
            case YamlSequenceNode sequence:
                writer.WriteStartArray();
                foreach (var item in sequence.Children)
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            case YamlScalarNode scalar:
                switch (Scalar(scalar))
                {
                    case null: writer.WriteNullValue(); break;
                    case bool b: writer.WriteBooleanValue(b); break;
                    case long l: writer.WriteNumberValue(l); break;
                    case double d: writer.WriteNumberValue(d); break;
                    case var other: writer.WriteStringValue(Convert.ToString(other, CultureInfo.InvariantCulture)); break;
                }

                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }

    private static bool IsNullText(string? text) => text is null or "" or "~" or "null" or "Null" or "NULL";

    [GeneratedRegex("^(true|True|TRUE|false|False|FALSE)$")]
    private static partial Regex BoolPattern();

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}
