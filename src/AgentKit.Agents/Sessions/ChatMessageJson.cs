using System.Text.Json;
using Microsoft.Extensions.AI;

namespace AgentKit.Agents.Sessions;

/// <summary>Stores messages with Microsoft.Extensions.AI's own JSON contract, so every content type round-trips.</summary>
internal static class ChatMessageJson
{
    public static string Serialize(ChatMessage message) =>
        JsonSerializer.Serialize(message, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(ChatMessage)));

    public static ChatMessage Deserialize(string json) =>
        (ChatMessage?)JsonSerializer.Deserialize(json, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(ChatMessage)))
        ?? throw new JsonException("A stored message is JSON null.");
}
