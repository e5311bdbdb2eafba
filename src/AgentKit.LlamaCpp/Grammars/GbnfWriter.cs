using System.Globalization;
using System.Text;
using System.Text.Json;

namespace AgentKit.LlamaCpp.Grammars;

/// <summary>
/// Accumulates generated GBNF rules with unique names. Rules are written in the order they are completed, so a
/// rule's dependencies usually come first; llama.cpp counts first-seen names towards its repetition limit.
/// </summary>
internal sealed class GbnfWriter
{
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly List<(string Name, string Body)> _rules = [];
    private readonly Dictionary<string, string> _shared = new(StringComparer.Ordinal);

    public GbnfWriter(bool allowWhitespace)
    {
        _names.Add("root");
        Ws = allowWhitespace ? Shared("ws", () => "| \" \"") : string.Empty;
    }

    /// <summary>The optional-space reference to put after <c>{ [ , :</c>, or empty when whitespace is off.</summary>
    public string Ws { get; }

    /// <summary>Reserves a unique rule name derived from <paramref name="hint"/>, to be defined later.</summary>
    public string Reserve(string hint)
    {
        var baseName = Sanitize(hint);
        var name = baseName;
        for (var i = 2; !_names.Add(name); i++)
        {
            name = string.Create(CultureInfo.InvariantCulture, $"{baseName}-{i}");
        }

        return name;
    }

    public void Define(string name, string body) => _rules.Add((name, body));

    public string Add(string hint, string body)
    {
        var name = Reserve(hint);
        Define(name, body);
        return name;
    }

    /// <summary>A rule shared by the whole grammar (e.g. the JSON string rule), created once on first use.</summary>
    public string Shared(string key, Func<string> body)
    {
        if (_shared.TryGetValue(key, out var name))
        {
            return name;
        }

        name = Reserve(key);
        _shared[key] = name;
        Define(name, body());
        return name;
    }

    /// <summary>The name of a shared rule, or null when not created yet.</summary>
    public string? SharedName(string key) => _shared.GetValueOrDefault(key);

    /// <summary>Registers a reserved name as a shared rule before its body exists, for recursive shared rules.</summary>
    public void RegisterShared(string key, string name) => _shared[key] = name;

    public string Build(string rootBody)
    {
        var sb = new StringBuilder();
        sb.Append("root ::= ").Append(rootBody).Append('\n');
        foreach (var (name, body) in _rules)
        {
            sb.Append(name).Append(" ::= ").Append(body).Append('\n');
        }

        return sb.ToString();
    }

    private static string Sanitize(string hint)
    {
        var sb = new StringBuilder();
        foreach (var c in hint)
        {
            if (c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9'))
            {
                sb.Append(c);
            }
            else if (sb.Length > 0 && sb[^1] != '-')
            {
                sb.Append('-');
            }

            if (sb.Length >= 40)
            {
                break;
            }
        }

        var name = sb.ToString().Trim('-');
        return name.Length == 0 ? "r" : name;
    }

    /// <summary>A GBNF string literal matching exactly <paramref name="text"/>.</summary>
    public static string Literal(string text)
    {
        var sb = new StringBuilder("\"");
        foreach (var rune in text.EnumerateRunes())
        {
            GbnfParser.AppendEscaped(sb, rune.Value, inClass: false);
        }

        return sb.Append('"').ToString();
    }

    /// <summary>Compact JSON text of a value, escaping only what JSON requires, as a model would write it.</summary>
    public static string CompactJson(JsonElement value)
    {
        var sb = new StringBuilder();
        WriteCompact(sb, value);
        return sb.ToString();
    }

    private static void WriteCompact(StringBuilder sb, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                sb.Append('{');
                var first = true;
                foreach (var p in value.EnumerateObject())
                {
                    if (!first)
                    {
                        sb.Append(',');
                    }

                    first = false;
                    sb.Append(QuoteJson(p.Name)).Append(':');
                    WriteCompact(sb, p.Value);
                }

                sb.Append('}');
                break;
            case JsonValueKind.Array:
                sb.Append('[');
                var firstItem = true;
                foreach (var item in value.EnumerateArray())
                {
                    if (!firstItem)
                    {
                        sb.Append(',');
                    }

                    firstItem = false;
                    WriteCompact(sb, item);
                }

                sb.Append(']');
                break;
            case JsonValueKind.String:
                sb.Append(QuoteJson(value.GetString()!));
                break;
            default:
                sb.Append(value.GetRawText());
                break;
        }
    }

    /// <summary>A JSON string literal for <paramref name="text"/>.</summary>
    public static string QuoteJson(string text)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append(@"\\"); break;
                case '\n': sb.Append(@"\n"); break;
                case '\r': sb.Append(@"\r"); break;
                case '\t': sb.Append(@"\t"); break;
                case '\b': sb.Append(@"\b"); break;
                case '\f': sb.Append(@"\f"); break;
                case < ' ' or '\x7F': sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"); break;
                default: sb.Append(c); break;
            }
        }

        return sb.Append('"').ToString();
    }
}
