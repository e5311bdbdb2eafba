using System.Text.Json;
using AgentKit.Evaluation.Datasets;
using AgentKit.Testing;
using Microsoft.Extensions.AI;

namespace ShopBot.Tests.Eval;

/// <summary>
/// The scripted double that plays ShopBot's model in the evaluation suite: it replays a scenario's
/// <c>x-scripted-model</c> steps in order — <c>{"call": tool, "args": {...}}</c> (an argument <c>"$rma"</c> is the
/// RMA the last tool result returned), <c>{"say": text}</c>, <c>{"relay": true}</c> (the last tool result's message) —
/// as a real model's client would produce them. It stands in for the LLM only: the tools, database, carrier and
/// mail sink it drives are real.
/// </summary>
internal static class ScriptedShopModel
{
    public const string ScriptKey = "x-scripted-model";

    public static ScriptedChatClient For(EvalCase evalCase)
    {
        if (!evalCase.Extensions.TryGetValue(ScriptKey, out var script) || script.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidOperationException($"{evalCase.Source}: scenario '{evalCase.Id}' has no '{ScriptKey}' array for the scripted model.");
        }

        var steps = new Queue<JsonElement>(script.EnumerateArray());
        var calls = 0;
        return new ScriptedChatClient((messages, options) =>
        {
            if (!steps.TryDequeue(out var step))
            {
                throw new InvalidOperationException($"{evalCase.Source}: the scripted model of '{evalCase.Id}' has no step left.");
            }

            if (step.TryGetProperty("say", out var say))
            {
                return new ChatResponse(new ChatMessage(ChatRole.Assistant, say.GetString()));
            }

            if (step.TryGetProperty("relay", out _))
            {
                return new ChatResponse(new ChatMessage(ChatRole.Assistant, LastResult(messages).GetProperty("message").GetString()));
            }

            var arguments = new Dictionary<string, object?>();
            foreach (var p in step.GetProperty("args").EnumerateObject())
            {
                arguments[p.Name] = p.Value.ValueKind == JsonValueKind.String && p.Value.GetString() == "$rma"
                    ? LastResult(messages).GetProperty("rma").GetString()
                    : p.Value.Clone();
            }

            return new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call_" + ++calls, step.GetProperty("call").GetString()!, arguments)]))
            {
                FinishReason = ChatFinishReason.ToolCalls,
            };
        });
    }

    private static JsonElement LastResult(IReadOnlyList<ChatMessage> messages)
    {
        var result = messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Last();
        return result.Result is JsonElement json ? json : JsonDocument.Parse(result.Result?.ToString() ?? "null").RootElement.Clone();
    }
}
