using System.Collections.Concurrent;
using AgentKit.Abstractions.Tools;
using AgentKit.Agents.Checkpoints;
using AgentKit.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AgentKit.Agents.Tests.Checkpoints;

/// <summary>
/// A three-tool run (an idempotent lookup, a shipment deduplicated by idempotency key, a non-idempotent e-mail) on
/// a scripted model whose answer depends only on how many tool results the request holds, so a resumed run gets the
/// same answers. The tools count their executions; the shipment counts distinct keys as its effects.
/// </summary>
internal sealed class DurableRunFixture
{
    public const string Question = "Return order 7.";

    public ConcurrentBag<string> Lookups { get; } = [];

    public ConcurrentBag<string> Shipments { get; } = [];

    public ConcurrentBag<string?> ShipmentKeys { get; } = [];

    public ConcurrentBag<string> Emails { get; } = [];

    public static ScriptedChatClient Model() => new((messages, _) =>
    {
        var results = messages.Count(m => m.Role == ChatRole.Tool);
        return results switch
        {
            0 => Call("lookup", "c1"),
            1 => Call("ship", "c2"),
            2 => Call("email", "c3"),
            _ => new ChatResponse(new ChatMessage(ChatRole.Assistant, "Order 7 is on its way back.")),
        };
    });

    public IEnumerable<AIFunction> Tools() =>
    [
        AIFunctionFactory.Create((int order) => { Lookups.Add("x"); return $"order {order}: delivered"; }, "lookup"),
        AIFunctionFactory.Create((int order, AIFunctionArguments arguments) =>
        {
            Shipments.Add("x");
            ShipmentKeys.Add(arguments.GetIdempotencyKey());
            return $"label for {order}";
        }, "ship"),
        AIFunctionFactory.Create((int order) => { Emails.Add("x"); return "sent"; }, "email"),
    ];

    public static void Policies(ToolPipelineOptions options)
    {
        options.Policies["lookup"] = new ToolPolicy { Idempotency = ToolIdempotency.Idempotent };
        options.Policies["ship"] = new ToolPolicy { Idempotency = ToolIdempotency.IdempotencyKey };
    }

    public AgentHarness Harness(string? databasePath = null, IChatClient? model = null, Action<IServiceCollection>? configure = null) =>
        new(model ?? Model(), [AgentHarness.Agent(tools: ["lookup", "ship", "email"])], Tools(), databasePath, configure, Policies);

    private static ChatResponse Call(string tool, string callId) =>
        new(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent(callId, tool, new Dictionary<string, object?> { ["order"] = 7 })])) { FinishReason = ChatFinishReason.ToolCalls };
}

/// <summary>A process death at a chosen checkpoint write: that write and every write after it fail, as if the process had died there.</summary>
internal sealed class CrashingCheckpointStore(IRunCheckpointStore inner, int crashAtAppend) : DelegatingRunCheckpointStore(inner)
{
    private int _appends;

    public bool Crashed { get; private set; }

    public override ValueTask StartRunAsync(RunInfo run, CancellationToken cancellationToken = default) => Crashed ? throw Dead() : base.StartRunAsync(run, cancellationToken);

    public override ValueTask<long> AppendAsync(string runId, RunCheckpointData checkpoint, CancellationToken cancellationToken = default)
    {
        if (Crashed || Interlocked.Increment(ref _appends) == crashAtAppend)
        {
            Crashed = true;
            throw Dead();
        }

        return base.AppendAsync(runId, checkpoint, cancellationToken);
    }

    public override ValueTask CompleteRunAsync(string runId, string outcome, IEnumerable<ChatMessage> messages, CancellationToken cancellationToken = default) =>
        Crashed ? throw Dead() : base.CompleteRunAsync(runId, outcome, messages, cancellationToken);

    private static IOException Dead() => new("The process died here (simulated).");
}
