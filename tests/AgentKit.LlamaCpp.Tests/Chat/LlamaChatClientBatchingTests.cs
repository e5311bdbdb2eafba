using AgentKit.Abstractions;
using AgentKit.LlamaCpp.Batching;
using AgentKit.LlamaCpp.Chat;
using AgentKit.LlamaCpp.Tests.Engine;
using Microsoft.Extensions.AI;

namespace AgentKit.LlamaCpp.Tests.Chat;

/// <summary>LlamaChatClient on the continuous-batching scheduler (issue #18 §2).</summary>
public sealed class LlamaChatClientBatchingTests
{
    private static readonly string[] Questions = ["Say hello.", "Count to ten.", "Name a colour.", "What is 2 + 2?"];

    private static async Task<LlamaChatClient> ClientAsync(LlamaBatchingOptions? batching) =>
        new(await SharedModels.Qwen2, new LlamaChatClientOptions
        {
            Context = SharedModels.SmallContext with { MaxSequences = 4 },
            Batching = batching,
            MaxJsonStringLength = 48,
        });

    [Fact]
    public async Task ConcurrentChats_OnTheScheduler_AnswerAsThePooledClientDoes()
    {
        var ct = TestContext.Current.CancellationToken;
        var options = new ChatOptions { MaxOutputTokens = 12, Temperature = 0 };
        using var pooled = await ClientAsync(null);
        var expected = new List<string>();
        foreach (var question in Questions)
        {
            expected.Add((await pooled.GetResponseAsync(question, options, ct)).Text);
        }

        using var batched = await ClientAsync(new LlamaBatchingOptions { MaxSequences = 4, ContextSize = 2048 });
        Assert.NotNull(batched.BatchScheduler);
        Assert.Same(batched.BatchScheduler, batched.GetService<LlamaBatchScheduler>());
        var first = await batched.GetResponseAsync(Questions[0], options, ct);
        var streamed = await Task.WhenAll(Questions.Skip(1).Select(q => batched.GetStreamingResponseAsync(q, options, ct).ToChatResponseAsync(ct)));

        Assert.Equal(expected, streamed.Select(r => r.Text).Prepend(first.Text));
        Assert.All(streamed, r => Assert.NotNull(r.Usage?.OutputTokenCount));
        Assert.Equal(0, batched.ContextsInUse);
        // The chat template's opening, held by the first request's sequence, is copied, not decoded again, by the later requests.
        Assert.True(batched.BatchScheduler!.Statistics.PromptTokensReused > 0);
    }

    [Fact]
    public async Task SeveralCompletions_RunAsConcurrentRequestsOfTheScheduler()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = await ClientAsync(new LlamaBatchingOptions { MaxSequences = 4, ContextSize = 2048 });
        var responses = await client.GetResponsesAsync(new[] { new ChatMessage(ChatRole.System, string.Concat(Enumerable.Repeat("You pick numbers for a lottery draw and answer with the number only. ", 3))), new ChatMessage(ChatRole.User, "Pick a number.") }, 3, new ChatOptions { MaxOutputTokens = 6, Temperature = 1, Seed = 5 }, ct);

        Assert.Equal(3, responses.Count);
        Assert.All(responses, r => Assert.InRange(r.Usage!.OutputTokenCount!.Value, 1, 6));
        Assert.Equal(3, client.BatchScheduler!.Statistics.Requests);
        // The common prompt is read once and copied into the other two sequences.
        Assert.True(client.BatchScheduler.Statistics.PrefixCopies >= 2);
        Assert.True(responses.Sum(r => r.Usage!.CachedInputTokenCount ?? 0) >= responses[0].Usage!.InputTokenCount);
    }

    [Fact]
    public async Task JsonResponseFormat_OnTheScheduler_ParsesBesideAFreeTextChat()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = await ClientAsync(new LlamaBatchingOptions { MaxSequences = 4, ContextSize = 2048 });
        var json = client.GetResponseAsync("Give JSON.", new ChatOptions { MaxOutputTokens = 120, ResponseFormat = ChatResponseFormat.Json, Seed = 3 }, ct);
        var text = client.GetResponseAsync("Say hello.", new ChatOptions { MaxOutputTokens = 10, Temperature = 0 }, ct);
        await Task.WhenAll(json, text);

        if ((await json).FinishReason == ChatFinishReason.Stop)
        {
            using var document = System.Text.Json.JsonDocument.Parse((await json).Text);
            Assert.Equal(System.Text.Json.JsonValueKind.Object, document.RootElement.ValueKind);
        }
        else
        {
            Assert.StartsWith("{", (await json).Text.TrimStart(), StringComparison.Ordinal);
        }

        Assert.NotNull((await text).FinishReason);
    }
}
