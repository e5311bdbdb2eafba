using System.Text.Json;
using AgentKit.LlamaCpp.Grammars;
using Microsoft.Extensions.AI;

namespace AgentKit.LlamaCpp.Chat;

/// <summary>The tools a request offers, after <see cref="ChatToolMode"/> is applied, with the grammar that constrains calls to them.</summary>
internal sealed class ToolSet
{
    private static readonly ToolSet None = new([], [], false, ToolCallFormat.Generic, null);

    private ToolSet(IReadOnlyList<ToolDescriptor> descriptors, IReadOnlyList<ToolSchema> tools, bool required, ToolCallFormat format, LlamaGrammar? grammar)
    {
        Descriptors = descriptors;
        Tools = tools;
        Required = required;
        Format = format;
        Grammar = grammar;
    }

    public IReadOnlyList<ToolDescriptor> Descriptors { get; }

    public IReadOnlyList<ToolSchema> Tools { get; }

    public bool Required { get; }

    public ToolCallFormat Format { get; }

    public LlamaGrammar? Grammar { get; }

    public static ToolSet From(ChatOptions? options, ToolCallFormat format, JsonSchemaGrammarOptions grammarOptions)
    {
        if (options?.Tools is not { Count: > 0 } declared || options.ToolMode is NoneChatToolMode)
        {
            return None;
        }

        var functions = declared.OfType<AIFunctionDeclaration>().ToList();
        var required = false;
        if (options.ToolMode is RequiredChatToolMode { RequiredFunctionName: var name })
        {
            required = true;
            if (name is not null)
            {
                functions = functions.Where(f => f.Name == name).ToList();
                if (functions.Count == 0)
                {
                    throw new ArgumentException($"ChatOptions.ToolMode requires the function '{name}', but no tool of that name is in ChatOptions.Tools.", nameof(options));
                }
            }
        }

        if (functions.Count == 0)
        {
            return None;
        }

        var duplicate = functions.GroupBy(f => f.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Two tools are named '{duplicate.Key}'; tool names must be unique.", nameof(options));
        }

        var tools = functions.Select(f => new ToolSchema(f.Name, f.JsonSchema)).ToArray();
        var descriptors = functions.Select(f => new ToolDescriptor(f.Name, f.Description ?? "", JsonSerializer.Serialize(f.JsonSchema, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonElement))))).ToArray();
        return new ToolSet(descriptors, tools, required, format, ToolCallGrammarBuilder.Build(tools, format, required, grammarOptions));
    }
}

/// <summary>
/// Streams plain answers as they come and holds back tool calls until they are complete. Under the tool
/// grammar a plain answer can never start like a call, so the first visible character decides.
/// </summary>
internal sealed class ToolAwareStream(ToolSet tools)
{
    private readonly System.Text.StringBuilder _held = new();
    private bool? _isCall;

    public string Push(string text)
    {
        if (tools.Tools.Count == 0)
        {
            return text;
        }

        if (_isCall is null)
        {
            _held.Append(text);
            var start = _held.ToString().TrimStart();
            if (start.Length == 0)
            {
                return "";
            }

            // Under the tool grammar a plain answer starts with neither '<' (Hermes) nor '{' (JSON formats).
            _isCall = start[0] == (tools.Format == ToolCallFormat.Hermes ? '<' : '{');
            if (_isCall == true)
            {
                return "";
            }

            var released = _held.ToString();
            _held.Clear();
            return released;
        }

        if (_isCall == true)
        {
            _held.Append(text);
            return "";
        }

        return text;
    }

    public (string Text, IReadOnlyList<FunctionCallContent> Calls) Complete()
    {
        var held = _held.ToString();
        if (_isCall != true)
        {
            return (held, []);
        }

        ToolCallParseResult parsed;
        try
        {
            parsed = ToolCallParser.Parse(held, tools.Format);
        }
        catch (LlamaToolCallParseException)
        {
            // Output cut off by the token limit mid-call: neither a call nor an answer. The caller sees no text and
            // the Length finish reason, never the engine's internal call format.
            return ("", []);
        }

        var offered = tools.Tools.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var calls = parsed.Calls
            .Where(c => offered.Contains(c.Name))
            .Select(c => new FunctionCallContent(LlamaChatClient.NewId("call_"), c.Name, ToArguments(c.Arguments)))
            .ToList();
        return calls.Count == 0 ? (held, []) : (parsed.Text?.Trim() ?? "", calls);
    }

    private static Dictionary<string, object?> ToArguments(JsonElement arguments) =>
        arguments.ValueKind == JsonValueKind.Object
            ? arguments.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone(), StringComparer.Ordinal)
            : [];
}
