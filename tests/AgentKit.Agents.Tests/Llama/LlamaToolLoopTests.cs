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
            MaxJsonStringLength = 24,
        });
        var invocations = new List<int>();
        var lookup = AIFunctionFactory.Create((int orderId) => { invocations.Add(orderId); return $"Order {orderId}: shipped."; }, "lookup_order", "Looks an order up by number.");
        var agent = AgentHarness.Agent(tools: ["lookup_order"], limits: new AgentLimits { MaxSteps = 2 }) with
        {
            ChatOptions = new ChatOptions { ToolMode = ChatToolMode.RequireAny, Seed = 11, MaxOutputTokens = 80 },
        };
        using var harness = new AgentHarness(chat, [agent], [lookup]);
        var session = await harness.Runner.CreateSessionAsync("helper", ct);

        var events = new List<AgentEvent>();
        await foreach (var e in session.RunStreamingAsync("Where is order 455?", ct))
        {
            events.Add(e);
        }

        var call = events.OfType<ToolCallRequestedEvent>().First();
        Assert.Equal("lookup_order", call.ToolName);
        var args = JsonSerializer.SerializeToElement(call.Arguments, AIJsonUtilities.DefaultOptions);
        Assert.Empty(JsonSchemaValidator.Validate(lookup.JsonSchema, args));
        Assert.NotEmpty(invocations);
        var result = events.OfType<ToolResultEvent>().First();
        Assert.Equal(AgentKit.Agents.Tools.ToolCallStatus.Succeeded, result.Status);
        Assert.Contains("shipped", result.Result, StringComparison.Ordinal);

        // RequireAny makes the model call a tool at every step, so the run ends at its step limit, having sent the
        // tool result back to the model for a second call.
        var final = events[^1] switch { RunCompletedEvent c => c.Result, RunFailedEvent f => f.Result, _ => throw new InvalidOperationException("no final event") };
        Assert.Contains(final.Outcome, new[] { AgentRunOutcome.Completed, AgentRunOutcome.StepLimitReached });
        Assert.Equal(2, events.OfType<StepCompletedEvent>().Count(s => s.Kind == AgentStepKind.ModelCall));
        var history = await session.GetHistoryAsync(ct);
        Assert.Contains(history, m => m.Role == ChatRole.Tool && m.Contents.OfType<FunctionResultContent>().Any());
    }
}
