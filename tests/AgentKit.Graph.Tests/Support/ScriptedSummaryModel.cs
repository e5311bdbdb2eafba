using System.Text.Json;
using AgentKit.Testing;
using Microsoft.Extensions.AI;

namespace AgentKit.Graph.Tests.Support;

/// <summary>
/// The scripted stand-in for the model that writes community reports and runs global search's map and reduce: a
/// <see cref="ScriptedChatClient"/> whose answers are computed from the prompt's data, so tests see what the model
/// was given. A report's title is its first entity line; a map lists one point per report that contains
/// <see cref="MapKeyword"/> (rating 80) and no point for the others; the reduce joins the points and cites them all.
/// </summary>
internal sealed class ScriptedSummaryModel
{
    public ScriptedSummaryModel() => Client = new ScriptedChatClient((messages, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, Answer(messages))));

    public ScriptedChatClient Client { get; }

    public string MapKeyword { get; set; } = "";

    public int Summaries { get; private set; }

    public int Maps { get; private set; }

    public int Reduces { get; private set; }

    /// <summary>A map answer that wins over the computed one.</summary>
    public string? RawMapAnswer { get; set; }

    private string Answer(IReadOnlyList<ChatMessage> messages)
    {
        var user = messages.First(m => m.Role == ChatRole.User).Text;
        if (Between(user, "<community>\n", "\n</community>") is { } community)
        {
            Summaries++;
            var lines = community.Split('\n');
            return JsonSerializer.Serialize(new { title = lines[1].Split(" (")[0] + " and its relations", summary = string.Join(' ', lines), rating = 5 });
        }

        if (Between(user, "<reports>\n", "\n</reports>") is { } reports)
        {
            Maps++;
            if (RawMapAnswer is not null)
            {
                return RawMapAnswer;
            }

            var points = reports.Split("\n\n")
                .Select((report, i) => (report, number: i + 1))
                .Where(r => MapKeyword.Length > 0 && r.report.Contains(MapKeyword, StringComparison.Ordinal))
                .Select(r => new { text = "Point: " + r.report[(r.report.IndexOf(']', StringComparison.Ordinal) + 2)..], rating = 80, reports = new[] { r.number } });
            return JsonSerializer.Serialize(new { points });
        }

        if (Between(user, "<points>\n", "\n</points>") is { } given)
        {
            Reduces++;
            var lines = given.Split('\n');
            return JsonSerializer.Serialize(new { answer = "Themes: " + string.Join(" ", lines), cited = Enumerable.Range(1, lines.Length) });
        }

        throw new InvalidOperationException("The scripted summary model got a prompt it does not know.");
    }

    private static string? Between(string text, string start, string end)
    {
        var from = text.IndexOf(start, StringComparison.Ordinal);
        var to = text.LastIndexOf(end, StringComparison.Ordinal);
        return from < 0 || to < from ? null : text[(from + start.Length)..to];
    }
}
