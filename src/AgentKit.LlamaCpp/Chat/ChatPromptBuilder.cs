using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using AgentKit.LlamaCpp.Grammars;
using Microsoft.Extensions.AI;

namespace AgentKit.LlamaCpp.Chat;

/// <summary>
/// Renders a Microsoft.Extensions.AI conversation into a prompt with the model's own chat template: tools are
/// described from the prompt files in the model family's syntax, earlier tool calls and results are written
/// back in that syntax, and control-token text inside messages is defused so that user or tool content cannot
/// forge turns.
/// </summary>
internal sealed class ChatPromptBuilder
{
    private static readonly ConditionalWeakTable<LlamaModel, string[]> ControlTokenTexts = new();
    private static readonly string[] HermesTags = ["<tool_call>", "</tool_call>", "<tool_response>", "</tool_response>"];
    private readonly LlamaModel _model;
    private readonly LlamaChatClientOptions _options;
    private readonly ToolPromptTemplates _templates;

    public ChatPromptBuilder(LlamaModel model, LlamaChatClientOptions options, ToolPromptTemplates templates)
    {
        _model = model;
        _options = options;
        _templates = templates;
        Format = options.ToolCallFormat ?? DetectFormat(options.ChatTemplateOverride ?? model.Metadata.ChatTemplate);
    }

    public ToolCallFormat Format { get; }

    internal static ToolCallFormat DetectFormat(string? template)
    {
        if (template is null)
        {
            return ToolCallFormat.Generic;
        }

        if (template.Contains("<tool_call>", StringComparison.Ordinal))
        {
            return ToolCallFormat.Hermes;
        }

        if (template.Contains("<|start_header_id|>", StringComparison.Ordinal) && template.Contains("ipython", StringComparison.Ordinal))
        {
            return ToolCallFormat.Llama3Json;
        }

        return ToolCallFormat.Generic;
    }

    public string Build(IEnumerable<ChatMessage> messages, IReadOnlyList<ToolDescriptor> tools, bool toolsRequired)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        var callNames = list.SelectMany(m => m.Contents.OfType<FunctionCallContent>())
            .GroupBy(c => c.CallId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Name, StringComparer.Ordinal);
        var rendered = new List<LlamaChatMessage>();
        var index = 0;
        foreach (var message in list)
        {
            rendered.AddRange(Render(message, index++, callNames));
        }

        if (tools.Count > 0)
        {
            var block = _templates.RenderToolList(Format, tools, toolsRequired);
            if (rendered.Count > 0 && rendered[0].Role == "system")
            {
                rendered[0] = rendered[0] with { Content = rendered[0].Content + "\n\n" + block };
            }
            else
            {
                rendered.Insert(0, new LlamaChatMessage("system", block));
            }
        }

        if (rendered.Count == 0)
        {
            throw new ArgumentException("The conversation has no messages.", nameof(messages));
        }

        var template = _options.ChatTemplateOverride ?? _model.Metadata.ChatTemplate;
        if (template is not null)
        {
            try
            {
                return _model.ApplyChatTemplate(rendered, addAssistantPrompt: true, template);
            }
            catch (LlamaException) when (_options.ChatTemplateOverride is null)
            {
                // The model's template is not one llama.cpp recognises: fall back to the configured one.
            }
        }

        return _model.ApplyChatTemplate(rendered, addAssistantPrompt: true, _options.FallbackChatTemplate);
    }

    private IEnumerable<LlamaChatMessage> Render(ChatMessage message, int index, Dictionary<string, string> callNames)
    {
        var role = message.Role.Value.ToLowerInvariant();
        var text = new StringBuilder();
        var calls = new List<FunctionCallContent>();
        var results = new List<LlamaChatMessage>();
        foreach (var content in message.Contents)
        {
            switch (content)
            {
                case TextContent t:
                    text.Append(role == "system" ? t.Text : Defuse(DefuseFences(t.Text)));
                    break;
                case FunctionCallContent call:
                    calls.Add(call);
                    break;
                case FunctionResultContent result:
                    results.Add(new LlamaChatMessage(ResultRole, Defuse(_templates.RenderResult(Format, callNames.GetValueOrDefault(result.CallId) ?? "", result.CallId, DefuseFences(ResultText(result))))));
                    break;
                case TextReasoningContent or UsageContent:
                    break;
                default:
                    throw new LlamaException($"Message {index} ({role}) holds {content.GetType().Name}; this local model takes text, tool calls and tool results only.");
            }
        }

        if (calls.Count > 0)
        {
            if (text.Length > 0)
            {
                text.Append('\n');
            }

            text.Append(FormatCalls(calls));
        }

        if (text.Length > 0 || results.Count == 0)
        {
            yield return new LlamaChatMessage(role == "tool" ? ResultRole : role, text.ToString());
        }

        foreach (var result in results)
        {
            yield return result;
        }
    }

    private string ResultRole => Format switch
    {
        ToolCallFormat.Hermes => "user",
        ToolCallFormat.Llama3Json => "ipython",
        _ => "tool",
    };

    internal string FormatCalls(IReadOnlyList<FunctionCallContent> calls)
    {
        string Args(FunctionCallContent call) => JsonSerializer.Serialize(call.Arguments ?? new Dictionary<string, object?>(), AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, object?>)));
        string Name(FunctionCallContent call) => JsonSerializer.Serialize(call.Name, JsonContext.Default.String);
        return Format switch
        {
            ToolCallFormat.Hermes => string.Join("\n", calls.Select(c => $"<tool_call>\n{{\"name\": {Name(c)}, \"arguments\": {Args(c)}}}\n</tool_call>")),
            ToolCallFormat.Llama3Json => string.Join("\n", calls.Select(c => $"{{\"name\": {Name(c)}, \"parameters\": {Args(c)}}}")),
            _ => $"{{\"tool_calls\": [{string.Join(", ", calls.Select(c => $"{{\"name\": {Name(c)}, \"arguments\": {Args(c)}}}"))}]}}",
        };
    }

    private static string ResultText(FunctionResultContent result) => result switch
    {
        { Exception: { } ex } => $"Error: {ex.Message}",
        { Result: string s } => s,
        { Result: null } => "",
        { Result: var value } => JsonSerializer.Serialize(value, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(object))),
    };

    /// <summary>
    /// Breaks up the tool-call format's own tags inside content (Hermes: <c>&lt;tool_call&gt;</c>,
    /// <c>&lt;tool_response&gt;</c> and their closing tags, which are plain text to the tokenizer, not control tokens),
    /// so a tool result cannot close its <c>&lt;tool_response&gt;</c> fence and a user message cannot pose as a tool
    /// result or a tool call. The tags stay readable (a zero-width space after <c>&lt;</c>).
    /// </summary>
    internal string DefuseFences(string text)
    {
        if (Format != ToolCallFormat.Hermes || text.IndexOf('<') < 0)
        {
            return text;
        }

        foreach (var tag in HermesTags)
        {
            if (text.Contains(tag, StringComparison.OrdinalIgnoreCase))
            {
                text = text.Replace(tag, "<\u200B" + tag[1..], StringComparison.OrdinalIgnoreCase);
            }
        }

        return text;
    }

    /// <summary>Breaks up control-token text (e.g. <c>&lt;|im_start|&gt;</c>) so it tokenizes as plain text.</summary>
    internal string Defuse(string text)
    {
        if (text.IndexOf('<') < 0 && text.IndexOf('[') < 0)
        {
            return text;
        }

        foreach (var control in ControlTokenTexts.GetValue(_model, ReadControlTokenTexts))
        {
            if (text.Contains(control, StringComparison.Ordinal))
            {
                text = text.Replace(control, control[0] + "\u200B" + control[1..], StringComparison.Ordinal);
            }
        }

        return text;
    }

    private static string[] ReadControlTokenTexts(LlamaModel model)
    {
        var vocabulary = model.Vocabulary;
        var texts = new List<string>();
        for (var i = 0; i < vocabulary.Count; i++)
        {
            var token = new LlamaToken(i);
            if (vocabulary.IsControl(token))
            {
                var text = vocabulary.GetTokenText(token);
                if (text.Length > 1 && (text[0] == '<' || text[0] == '['))
                {
                    texts.Add(text);
                }
            }
        }

        return [.. texts.OrderByDescending(t => t.Length)];
    }
}
