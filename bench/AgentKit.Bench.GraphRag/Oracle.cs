using System.Text.Json;
using AgentKit.Testing;
using Microsoft.Extensions.AI;

namespace AgentKit.Bench.GraphRag;

/// <summary>One fact the oracle extraction reports for a text.</summary>
internal sealed record Fact(string Source, string SourceType, string Relation, string Target, string TargetType);

/// <summary>
/// The oracle extraction model: a <see cref="ScriptedChatClient"/> (the LLM stand-in) answering <c>graph/extract</c>
/// with the facts the corpus generator put in each text. It counts its calls.
/// </summary>
internal sealed class OracleExtraction
{
    public OracleExtraction() => Client = new ScriptedChatClient((messages, _) => Answer(messages)) { RecordCalls = false };

    public ScriptedChatClient Client { get; }

    public Dictionary<string, IReadOnlyList<Fact>> Facts { get; } = new(StringComparer.Ordinal);

    private ChatResponse Answer(IReadOnlyList<ChatMessage> messages)
    {
        var user = messages.First(m => m.Role == ChatRole.User).Text;
        var start = user.IndexOf("<text>\n", StringComparison.Ordinal) + "<text>\n".Length;
        var text = user[start..user.LastIndexOf("\n</text>", StringComparison.Ordinal)];
        var facts = Facts.TryGetValue(text.Trim(), out var known) ? known
            : Facts.FirstOrDefault(f => text.Contains(f.Key, StringComparison.Ordinal)).Value ?? [];
        var entities = facts.SelectMany(f => new[] { (f.Source, f.SourceType), (f.Target, f.TargetType) })
            .DistinctBy(e => e.Item1)
            .Select(e => new { name = e.Item1, type = e.Item2, description = $"{e.Item1} ({e.Item2})." });
        var relations = facts.Select(f => new { source = f.Source, relation = f.Relation, target = f.Target, description = $"{f.Source} {f.Relation} {f.Target}." });
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, JsonSerializer.Serialize(new { entities, relations })));
    }
}
