using System.Text.Json;
using System.Text.Json.Nodes;
using AgentKit.Abstractions.Tools;
using Microsoft.Extensions.AI;

namespace AgentKit.Agents.Checkpoints;

/// <summary>The payloads of <see cref="RunCheckpointKind"/>s, written and read in one place.</summary>
internal static class CheckpointJson
{
    public static string Response(ChatResponse response) =>
        JsonSerializer.Serialize(response, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(ChatResponse)));

    public static string Arguments(IDictionary<string, object?>? arguments) =>
        JsonSerializer.Serialize(arguments ?? new Dictionary<string, object?>(), AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, object?>)));

    public static string Result(ToolCallOutcome outcome) =>
        new JsonObject { ["status"] = outcome.Status.ToString(), ["text"] = outcome.Text }.ToJsonString();

    public static string ApprovalRequest(string approvalId, string? reason) =>
        new JsonObject { ["approvalId"] = approvalId, ["reason"] = reason }.ToJsonString();

    public static string Decision(ToolApprovalDecision decision, string approvalId) =>
        new JsonObject { ["approved"] = decision.Approved, ["reason"] = decision.Reason, ["approvalId"] = approvalId }.ToJsonString();

    public static string Outcome(string outcome) => new JsonObject { ["outcome"] = outcome }.ToJsonString();

    public static ChatResponse ReadResponse(RunCheckpoint checkpoint) => Read(checkpoint, payload =>
        (ChatResponse?)JsonSerializer.Deserialize(payload, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(ChatResponse))) ?? throw new JsonException("The response is JSON null."));

    public static ToolCallOutcome ReadResult(RunCheckpoint checkpoint) => Read(checkpoint, payload =>
    {
        var node = JsonNode.Parse(payload) ?? throw new JsonException("The result is JSON null.");
        return new ToolCallOutcome(Enum.Parse<ToolCallStatus>(Text(node, "status")), Text(node, "text"));
    });

    public static string ReadApprovalId(RunCheckpoint checkpoint) => Read(checkpoint, payload => Text(JsonNode.Parse(payload)!, "approvalId"));

    public static ToolApprovalDecision ReadDecision(RunCheckpoint checkpoint) => Read(checkpoint, payload =>
    {
        var node = JsonNode.Parse(payload) ?? throw new JsonException("The decision is JSON null.");
        return new ToolApprovalDecision(node["approved"]?.GetValue<bool>() ?? throw new JsonException("'approved' is missing."), node["reason"]?.GetValue<string>());
    });

    /// <summary>The id the decision answered; <see langword="null"/> in checkpoints written before it was recorded.</summary>
    public static string? ReadAnsweredApprovalId(RunCheckpoint checkpoint) => Read(checkpoint, payload => JsonNode.Parse(payload)?["approvalId"]?.GetValue<string>());

    public static string ReadOutcome(RunCheckpoint checkpoint) => Read(checkpoint, payload => Text(JsonNode.Parse(payload) ?? throw new JsonException("The outcome is JSON null."), "outcome"));

    private static string Text(JsonNode node, string name) => node[name]?.GetValue<string>() ?? throw new JsonException($"'{name}' is missing.");

    private static T Read<T>(RunCheckpoint checkpoint, Func<string, T> read)
    {
        try
        {
            return read(checkpoint.Payload);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException or FormatException)
        {
            throw RunCheckpointException.Unreadable(checkpoint, e as JsonException ?? new JsonException(e.Message, e));
        }
    }
}
