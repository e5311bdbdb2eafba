using System.Text;
using System.Text.Json;

namespace AgentKit.LlamaCpp.Grammars;

/// <summary>A tool as the tool-call grammar sees it: its name and the JSON schema of its arguments.</summary>
internal readonly record struct ToolSchema(string Name, JsonElement Parameters);

/// <summary>
/// Builds the grammar that lets a model either answer in plain text or call the given tools with arguments that
/// match their schemas, in a <see cref="ToolCallFormat"/>.
/// </summary>
/// <remarks>
/// The plain-text branch cannot start with whitespace or with what starts a call (<c>&lt;tool_call&gt;</c> for
/// Hermes, <c>{</c> for the JSON formats), so the first characters decide the branch and a call is always fully
/// constrained. Tool names come first in each call so the grammar stays deterministic.
/// </remarks>
internal static class ToolCallGrammarBuilder
{
    internal const string HermesOpen = "<tool_call>";
    internal const string HermesClose = "</tool_call>";

    public static LlamaGrammar Build(IReadOnlyList<ToolSchema> tools, ToolCallFormat format, bool requireToolCall, JsonSchemaGrammarOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(tools);
        if (tools.Count == 0)
        {
            throw new LlamaGrammarException("A tool-call grammar needs at least one tool.");
        }

        var duplicate = tools.GroupBy(t => t.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new LlamaGrammarException($"Tool '{duplicate.Key}' is defined more than once.");
        }

        options ??= new JsonSchemaGrammarOptions();
        var w = new GbnfWriter(options.AllowWhitespace);
        var argsKey = format == ToolCallFormat.Llama3Json ? "parameters" : "arguments";
        var bodies = new List<string>();
        foreach (var tool in tools)
        {
            if (string.IsNullOrEmpty(tool.Name))
            {
                throw new LlamaGrammarException("A tool has an empty name.");
            }

            string args;
            try
            {
                args = new JsonSchemaGrammarBuilder(tool.Parameters, w, options, "tool-" + tool.Name).Build();
            }
            catch (LlamaGrammarException ex)
            {
                throw new LlamaGrammarException($"Tool '{tool.Name}': {ex.Message}", ex) { ToolName = tool.Name };
            }

            // {"name": "x", "arguments": {...}} with the name fixed for this branch.
            bodies.Add(w.Add("tool-" + tool.Name + "-call",
                $"{GbnfWriter.Literal(GbnfWriter.QuoteJson(tool.Name) + ",")} {w.Ws} {GbnfWriter.Literal(GbnfWriter.QuoteJson(argsKey) + ":")} {w.Ws} {args} \"}}\""));
        }

        var call = w.Add("call", $"\"{{\\\"name\\\":\" {w.Ws} ( {string.Join(" | ", bodies)} )");
        string calls;
        string plain;
        switch (format)
        {
            case ToolCallFormat.Hermes:
                var block = w.Add("tool-call-block", $"{GbnfWriter.Literal(HermesOpen + "\n")} {call} {GbnfWriter.Literal("\n" + HermesClose)}");
                calls = w.Add("tool-calls", $"{block} ( \"\\n\" {block} )*");
                plain = w.Add("plain", "[^<\\x20\\t\\r\\n] .* | " + NotPrefixedBy(HermesOpen));
                break;
            case ToolCallFormat.Llama3Json:
                calls = call;
                plain = w.Add("plain", "[^{\\x20\\t\\r\\n] .*");
                break;
            case ToolCallFormat.Generic:
                calls = w.Add("tool-calls", $"\"{{\\\"tool_calls\\\":\" {w.Ws} \"[\" {w.Ws} {call} ( \",\" {w.Ws} {call} )* \"]}}\"");
                plain = w.Add("plain", "[^{\\x20\\t\\r\\n] .*");
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown tool-call format.");
        }

        return LlamaGrammar.Parse(w.Build(requireToolCall ? calls : $"{plain} | {calls}"));
    }

    // Text that starts with the first character of `prefix` but is not `prefix` followed by anything:
    // after each matched character, either stop, differ from the next one, or match it and continue.
    private static string NotPrefixedBy(string prefix)
    {
        var runes = prefix.EnumerateRunes().Select(r => r.Value).ToList();
        var inner = string.Empty;
        for (var k = runes.Count - 1; k >= 1; k--)
        {
            var sb = new StringBuilder("[^");
            GbnfParser.AppendEscaped(sb, runes[k], inClass: true);
            sb.Append("] .*");
            var differ = sb.ToString();
            inner = inner.Length == 0
                ? $"( {differ} )?"
                : $"( {differ} | {GbnfWriter.Literal(char.ConvertFromUtf32(runes[k]))} {inner} )?";
        }

        return $"{GbnfWriter.Literal(char.ConvertFromUtf32(runes[0]))} {inner}";
    }
}
