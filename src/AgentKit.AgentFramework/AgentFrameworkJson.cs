using System.Text.Json.Serialization;
using AgentKit.AgentFramework.Context;

namespace AgentKit.AgentFramework;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(SessionState))]
[JsonSerializable(typeof(KnowledgeCitation[]))]
internal sealed partial class AgentFrameworkJson : JsonSerializerContext;
