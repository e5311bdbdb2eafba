using System.Globalization;
using System.Text.Json;

namespace AgentKit.LlamaCpp.Grammars;

/// <summary>One tool call read from model output.</summary>
internal sealed record ParsedToolCall(string Name, JsonElement Arguments);

/// <summary>Model output split into plain text (null when there is none) and tool calls (empty when there are none).</summary>
internal sealed record ToolCallParseResult(string? Text, IReadOnlyList<ParsedToolCall> Calls);

/// <summary>Reads tool calls out of model output written in a <see cref="ToolCallFormat"/>.</summary>
/// <remarks>
/// Lenient where models commonly drift from the format (surrounding whitespace, <c>arguments</c> given as a JSON
/// string, text before Hermes calls, Llama's <c>&lt;|python_tag|&gt;</c>), strict where the intent is clear but
/// the content is broken: that throws <see cref="LlamaToolCallParseException"/> with the offset and the problem.
/// Tool names are not checked against the offered tools; the caller knows them.
/// </remarks>
internal static class ToolCallParser
{
    private const string PythonTag = "<|python_tag|>";
    private static readonly JsonElement EmptyArguments = JsonElement.Parse("{}");

    public static ToolCallParseResult Parse(string output, ToolCallFormat format)
    {
        ArgumentNullException.ThrowIfNull(output);
        return format switch
        {
            ToolCallFormat.Hermes => ParseHermes(output),
            ToolCallFormat.Llama3Json => ParseJson(output, "parameters", envelope: false),
            ToolCallFormat.Generic => ParseJson(output, "arguments", envelope: true),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown tool-call format."),
        };
    }

    private static ToolCallParseResult ParseHermes(string output)
    {
        var start = output.IndexOf(ToolCallGrammarBuilder.HermesOpen, StringComparison.Ordinal);
        if (start < 0)
        {
            return new ToolCallParseResult(output, []);
        }

        var texts = new List<string>();
        AddText(texts, output[..start]);
        var calls = new List<ParsedToolCall>();
        var pos = start;
        while (pos < output.Length)
        {
            var open = output.IndexOf(ToolCallGrammarBuilder.HermesOpen, pos, StringComparison.Ordinal);
            if (open < 0)
            {
                AddText(texts, output[pos..]);
                break;
            }

            AddText(texts, output[pos..open]);
            var bodyStart = open + ToolCallGrammarBuilder.HermesOpen.Length;
            var close = output.IndexOf(ToolCallGrammarBuilder.HermesClose, bodyStart, StringComparison.Ordinal);
            if (close < 0)
            {
                throw new LlamaToolCallParseException(string.Create(CultureInfo.InvariantCulture,
                    $"The <tool_call> at offset {open} has no closing </tool_call>; the output may have been cut off by a token limit."));
            }

            calls.Add(ReadCall(output[bodyStart..close], "arguments", bodyStart));
            pos = close + ToolCallGrammarBuilder.HermesClose.Length;
        }

        return new ToolCallParseResult(texts.Count == 0 ? null : string.Join("\n", texts), calls);
    }

    private static void AddText(List<string> texts, string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length > 0)
        {
            texts.Add(trimmed);
        }
    }

    private static ToolCallParseResult ParseJson(string output, string argumentsKey, bool envelope)
    {
        var trimmed = output.Trim();
        var offset = output.Length - output.TrimStart().Length;
        if (trimmed.StartsWith(PythonTag, StringComparison.Ordinal))
        {
            offset += PythonTag.Length;
            trimmed = trimmed[PythonTag.Length..].TrimStart();
        }

        if (!trimmed.StartsWith('{'))
        {
            return new ToolCallParseResult(output, []);
        }

        if (!envelope)
        {
            return new ToolCallParseResult(null, [ReadCall(trimmed, argumentsKey, offset)]);
        }

        using var document = ParseDocument(trimmed, offset);
        if (document.RootElement.ValueKind != JsonValueKind.Object
            || !document.RootElement.TryGetProperty("tool_calls", out var list)
            || list.ValueKind != JsonValueKind.Array)
        {
            throw new LlamaToolCallParseException("The output is a JSON object but has no \"tool_calls\" array.");
        }

        var calls = new List<ParsedToolCall>();
        var index = 0;
        foreach (var item in list.EnumerateArray())
        {
            calls.Add(ReadCall(item, argumentsKey, $"tool_calls[{index.ToString(CultureInfo.InvariantCulture)}]"));
            index++;
        }

        if (calls.Count == 0)
        {
            throw new LlamaToolCallParseException("The \"tool_calls\" array is empty.");
        }

        return new ToolCallParseResult(null, calls);
    }

    private static JsonDocument ParseDocument(string json, int offset)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new LlamaToolCallParseException(string.Create(CultureInfo.InvariantCulture,
                $"The tool call at offset {offset} is not valid JSON ({ex.Message}); the output may have been cut off by a token limit."), ex);
        }
    }

    private static ParsedToolCall ReadCall(string json, string argumentsKey, int offset)
    {
        using var document = ParseDocument(json.Trim(), offset);
        return ReadCall(document.RootElement, argumentsKey, string.Create(CultureInfo.InvariantCulture, $"the tool call at offset {offset}"));
    }

    private static ParsedToolCall ReadCall(JsonElement call, string argumentsKey, string where)
    {
        if (call.ValueKind != JsonValueKind.Object)
        {
            throw new LlamaToolCallParseException($"In {where}: a tool call must be a JSON object.");
        }

        if (!call.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(name.GetString()))
        {
            throw new LlamaToolCallParseException($"In {where}: the \"name\" is missing or not a non-empty string.");
        }

        // Models trained on one format sometimes use the other's key.
        if (!call.TryGetProperty(argumentsKey, out var arguments) && !call.TryGetProperty(argumentsKey == "arguments" ? "parameters" : "arguments", out arguments))
        {
            return new ParsedToolCall(name.GetString()!, EmptyArguments);
        }

        if (arguments.ValueKind == JsonValueKind.String)
        {
            try
            {
                using var inner = JsonDocument.Parse(arguments.GetString()!);
                arguments = inner.RootElement.Clone();
            }
            catch (JsonException ex)
            {
                throw new LlamaToolCallParseException($"In {where}: \"{argumentsKey}\" is a string that is not JSON.", ex);
            }
        }

        if (arguments.ValueKind != JsonValueKind.Object)
        {
            throw new LlamaToolCallParseException($"In {where}: \"{argumentsKey}\" must be a JSON object, not {arguments.ValueKind}.");
        }

        return new ParsedToolCall(name.GetString()!, arguments.Clone());
    }
}
