using System.Text.Json;
using AgentKit.Testing;
using Microsoft.Extensions.AI;

namespace AgentKit.Bench.GraphRag;

/// <summary>
/// The stand-in for the model that writes community reports and runs global search's map and reduce: a
/// <see cref="ScriptedChatClient"/> (the LLM stand-in) that reports exactly what it is given. A community report is
/// titled by its best-connected entity and summarises every fact line; a map deals its reports into at
/// most the points the prompt allows (rating 50); the reduce joins the points. So global search's answer holds what its context held, no more — an
/// oracle, as the extraction is. It counts its calls and the report text the maps read.
/// </summary>
internal sealed class ScriptedAnalyst
{
    public ScriptedAnalyst() => Client = new ScriptedChatClient((messages, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, Answer(messages)))) { RecordCalls = false };

    public ScriptedChatClient Client { get; }

    public int Summaries { get; private set; }

    public List<string> MapInputs { get; } = [];

    private string Answer(IReadOnlyList<ChatMessage> messages)
    {
        var user = messages.First(m => m.Role == ChatRole.User).Text;
        if (Between(user, "<community>\n", "\n</community>") is { } community)
        {
            Summaries++;
            var lines = community.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var facts = lines.SkipWhile(l => l != "Relations:").Skip(1).Select(l => l[(l.IndexOf(": ", StringComparison.Ordinal) + 2)..]);
            return JsonSerializer.Serialize(new { title = lines[1].Split(" (")[0], summary = string.Join(' ', facts), rating = 5 });
        }

        if (Between(user, "<reports>\n", "\n</reports>") is { } reports)
        {
            lock (MapInputs)
            {
                MapInputs.Add(reports);
            }

            // At most max_points points, as the prompt asks: the reports are dealt round-robin into them.
            var system = messages.First(m => m.Role == ChatRole.System).Text;
            var max = int.Parse(system[(system.IndexOf("List at most ", StringComparison.Ordinal) + 13)..].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            var all = reports.Split("\n\n");
            var points = all.Select((r, i) => (Text: r[(r.IndexOf(']', StringComparison.Ordinal) + 2)..], Number: i + 1))
                .GroupBy(r => (r.Number - 1) % max)
                .Select(g => new { text = string.Join(' ', g.Select(r => r.Text)), rating = 50, reports = g.Select(r => r.Number).ToArray() });
            return JsonSerializer.Serialize(new { points });
        }

        var given = Between(user, "<points>\n", "\n</points>") ?? "";
        var cited = given.Split('\n').Length;
        return JsonSerializer.Serialize(new { answer = given, cited = Enumerable.Range(1, cited) });
    }

    private static string? Between(string text, string start, string end)
    {
        var from = text.IndexOf(start, StringComparison.Ordinal);
        var to = text.LastIndexOf(end, StringComparison.Ordinal);
        return from < 0 || to < from ? null : text[(from + start.Length)..to];
    }
}
