using System.Text.Json.Serialization;

namespace AgentKit.AgentFramework;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(SessionState))]
internal sealed partial class AgentFrameworkJson : JsonSerializerContext;
