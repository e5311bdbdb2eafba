using System.Text.Json;
using AgentKit.Abstractions.Json;
using AgentKit.Agents.Events;
using AgentKit.LlamaCpp;
using AgentKit.LlamaCpp.Chat;
using AgentKit.Testing;
using Microsoft.Extensions.AI;

namespace AgentKit.Agents.Tests.Llama;

/// <summary>A full agent tool loop on a generated GGUF model through <see cref="LlamaChatClient"/>: random weights, so only the mechanics are checked.</summary>
public sealed class LlamaToolLoopTests
{
    [Fact]
    public async Task Agent_OnLocalModel_CallsTool_GetsResult_Completes()
    {
        var ct = TestContext.Current.CancellationToken;
        using var model = await LlamaModel.LoadAsync(TestModelFactory.GetOrCreate(TestModelFactory.TinyQwen2), cancellationToken: ct);
        using var chat = new LlamaChatClient(model, new LlamaChatClientOptions
        {
            Context = new LlamaContextOptions { ContextSize = 4096, BatchSize = 256, MicroBatchSize = 256 },
            MaxJsonStringLength = 16,
        });
        var invocations = new List<int>();
        var lookup = AIFunctionFactory.Create((int orderId) => { invocations.Add(orderId); return $"Order {orderId}: shipped."; }, "lookup_order", "Looks an order up by number.");
        var agent = AgentHarness.Agent(tools: ["lookup_order"], limits: new AgentLimits { MaxSteps = 2, Timeout = TimeSpan.FromMinutes(10) }) with
        {
            ChatOptions = new ChatOptions { ToolMode = ChatToolMode.RequireAny, Seed = 11, MaxOutputTokens = 300 },
        };
        using var harness = new AgentHarness(new AnswerAfterToolResultChatClient(chat), [agent], [lookup]);
        var session = await harness.Runner.CreateSessionAsync("helper", ct);

        var events = new List<AgentEvent>();
        await foreach (var e in session.RunStreamingAsync("Where is order 455?", ct))
        {
            events.Add(e);
        }

        Assert.True(events.OfType<ToolCallRequestedEvent>().Any(), string.Join("\n", events.Select(e => e.ToString())));
        var call = events.OfType<ToolCallRequestedEvent>().First();
        Assert.Equal("lookup_order", call.ToolName);
        var args = JsonSerializer.SerializeToElement(call.Arguments, AIJsonUtilities.DefaultOptions);
        Assert.Empty(JsonSchemaValidator.Validate(lookup.JsonSchema, args));
        Assert.NotEmpty(invocations);
        var result = events.OfType<ToolResultEvent>().First();
        Assert.Equal(AgentKit.Abstractions.Tools.ToolCallStatus.Succeeded, result.Status);
        Assert.Contains("shipped", result.Result, StringComparison.Ordinal);

        var final = Assert.IsType<RunCompletedEvent>(events[^1]).Result;
        Assert.Equal(AgentRunOutcome.Completed, final.Outcome);
        Assert.Equal(2, events.OfType<StepCompletedEvent>().Count(s => s.Kind == AgentStepKind.ModelCall));
        var history = await session.GetHistoryAsync(ct);
        Assert.Contains(history, m => m.Role == ChatRole.Tool && m.Contents.OfType<FunctionResultContent>().Any());
    }

    /// <summary>Requires a tool call until a tool result is in the request, then lets the model answer (random weights would otherwise call tools forever).</summary>
    private sealed class AnswerAfterToolResultChatClient(IChatClient inner) : DelegatingChatClient(inner)
    {
        public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            var list = messages.ToList();
            if (options is not null && list.Any(m => m.Contents.OfType<FunctionResultContent>().Any()))
            {
                options = options.Clone();
                options.ToolMode = ChatToolMode.None;
                options.MaxOutputTokens = 8;
            }

            return base.GetStreamingResponseAsync(list, options, cancellationToken);
        }
    }
}
