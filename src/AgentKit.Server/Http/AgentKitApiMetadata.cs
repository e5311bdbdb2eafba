namespace AgentKit.Server.Http;

/// <summary>Marks the endpoints <c>MapAgentKit()</c> maps, so the API's error and refusal shapes apply to them only.</summary>
internal sealed class AgentKitApiMetadata
{
    public static AgentKitApiMetadata Instance { get; } = new();
}
