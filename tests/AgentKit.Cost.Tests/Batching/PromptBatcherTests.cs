using System.Text.Json;
using System.Text.RegularExpressions;
using AgentKit.Cost.Batching;
using AgentKit.Cost.Tests.Support;
using AgentKit.Testing;
using Microsoft.Extensions.AI;

namespace AgentKit.Cost.Tests.Batching;

public sealed partial class PromptBatcherTests
{
    private static readonly FewShotExample[] Shots = [new("2 + 2", "4"), new("10 - 3", "7"), new("6 * 7", "42")];

    [Fact]
    public async Task Questions_AreAnsweredInOneCall_SplitById_AndTokensSavedCounted()
    {
        var model = Arithmetic();
        var batcher = new PromptBatcher(model, RepositoryPrompts.Registry);

        var result = await batcher.AnswerAsync(["1 + 1", "3 * 3", "9 - 4", "8 + 5"], Shots, "Answer with the number only.");

        Assert.Equal(["2", "9", "5", "13"], result.Answers);
        Assert.Equal(1, result.Calls);
        Assert.Single(model.Calls);
        Assert.NotNull(model.Calls[0].Options?.ResponseFormat);
        Assert.True(result.PromptTokensSaved > 0, $"saved {result.PromptTokensSaved}");
        Assert.True(result.UnbatchedPromptTokens > 2 * result.PromptTokens, $"{result.UnbatchedPromptTokens} vs {result.PromptTokens}");
    }

    [Fact]
    public async Task QuestionsTheReplyLeavesOutOrAnswersTwice_AreAskedAlone()
    {
        var model = Arithmetic(reply => reply.Count > 2
            ? [reply[0], reply[0] with { Answer = "wrong" }, reply[2], reply[2] with { Id = 99 }]
            : reply);
        var batcher = new PromptBatcher(model, RepositoryPrompts.Registry);

        var result = await batcher.AnswerAsync(["1 + 1", "3 * 3", "9 - 4", "8 + 5"], Shots);

        // Question 1 answered twice, 2 and 4 left out: three asked alone.
        Assert.Equal(["2", "9", "5", "13"], result.Answers);
        Assert.Equal(4, result.Calls);
    }

    [Fact]
    public async Task LongLists_AreSplitIntoCallsOfTheConfiguredSize()
    {
        var model = Arithmetic();
        var batcher = new PromptBatcher(model, RepositoryPrompts.Registry, new PromptBatcherOptions { MaxQuestionsPerCall = 3 });

        var result = await batcher.AnswerAsync([.. Enumerable.Range(1, 7).Select(i => $"{i} + {i}")]);

        Assert.Equal(Enumerable.Range(1, 7).Select(i => (2 * i).ToString(System.Globalization.CultureInfo.InvariantCulture)), result.Answers);
        Assert.Equal(3, result.Calls);
    }

    [Fact]
    public async Task EmptyOrTooManyQuestions_AreRefused()
    {
        var batcher = new PromptBatcher(Arithmetic(), RepositoryPrompts.Registry, new PromptBatcherOptions { MaxQuestions = 2 });

        await Assert.ThrowsAsync<ArgumentException>(() => batcher.AnswerAsync([]));
        await Assert.ThrowsAsync<ArgumentException>(() => batcher.AnswerAsync(["1", "2", "3"]));
        var empty = await Assert.ThrowsAsync<ArgumentException>(() => batcher.AnswerAsync(["1 + 1", " "]));
        Assert.Contains("Question 1", empty.Message, StringComparison.Ordinal);
    }

    /// <summary>A scripted model that reads "[id] a op b" lines and answers them as JSON (optionally mangled by the test).</summary>
    private static ScriptedChatClient Arithmetic(Func<List<Item>, List<Item>>? mangle = null) => new((messages, _) =>
    {
        var items = QuestionLine().Matches(messages[^1].Text).Select(m =>
        {
            var (a, b) = (int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), int.Parse(m.Groups[4].Value, System.Globalization.CultureInfo.InvariantCulture));
            var value = m.Groups[3].Value switch { "+" => a + b, "-" => a - b, _ => a * b };
            return new Item(int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }).ToList();
        items = mangle?.Invoke(items) ?? items;
        var json = JsonSerializer.Serialize(new { answers = items.Select(i => new { id = i.Id, answer = i.Answer }) });
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, json));
    });

    private sealed record Item(int Id, string Answer);

    [GeneratedRegex(@"\[(\d+)\] (\d+) ([-+*]) (\d+)")]
    private static partial Regex QuestionLine();
}
