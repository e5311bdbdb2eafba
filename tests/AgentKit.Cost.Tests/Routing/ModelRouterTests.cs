using AgentKit.Cost.Routing;
using AgentKit.Cost.Tests.Support;
using AgentKit.Testing;
using Microsoft.Extensions.AI;

namespace AgentKit.Cost.Tests.Routing;

[Collection(nameof(CacheTests))]
public sealed class ModelRouterTests(MiniLMFixture miniLM)
{
    private static readonly RoutingExample[] Examples =
    [
        new("Hello there!", "small"),
        new("Hi, how are you today?", "small"),
        new("Thanks a lot, goodbye.", "small"),
        new("Good morning!", "small"),
        new("What are your opening hours?", "small"),
        new("Prove that the square root of two is irrational.", "large"),
        new("Solve the integral of x squared times sine of x.", "large"),
        new("Derive the closed form of the Fibonacci sequence.", "large"),
        new("Show that there are infinitely many prime numbers.", "large"),
        new("Find the eigenvalues of a 3 by 3 rotation matrix.", "large"),
    ];

    [Theory]
    [InlineData("Hey, good evening!", "small")]
    [InlineData("Prove that the sum of two even numbers is even.", "large")]
    [InlineData("Compute the derivative of x cubed times cosine of x.", "large")]
    public async Task Route_PicksTheModelOfTheNearestExamples(string request, string expected)
    {
        var router = await ModelRouter.TrainAsync(miniLM.Generator, Examples, new ModelRouterOptions { Neighbours = 3, MinConfidence = 0.6 });

        var decision = await router.RouteAsync(request);

        Assert.Equal(expected, decision.Model);
        Assert.True(decision.Confident);
        Assert.InRange(decision.Confidence, 0.6, 1);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RoutingChatClient_SendsToChosenModel_OrFallbackWhenNotConfident(bool streaming)
    {
        var small = new ScriptedChatClient((_, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, "small")));
        var large = new ScriptedChatClient((_, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, "large")));
        var fallback = new ScriptedChatClient((_, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, "fallback")));
        var router = await ModelRouter.TrainAsync(miniLM.Generator, Examples, new ModelRouterOptions { Neighbours = 3, MinConfidence = 0.6 });
        using var client = new ModelRoutingChatClient(router, new Dictionary<string, IChatClient> { ["small"] = small, ["large"] = large }, fallback);

        Assert.Equal("small", (await Ask(client, streaming, "Hi! Nice to meet you.")).Text);
        Assert.Equal("large", (await Ask(client, streaming, "Prove that every bounded monotone sequence converges.")).Text);

        var unsure = await ModelRouter.TrainAsync(miniLM.Generator, Examples, new ModelRouterOptions { Neighbours = 10, MinConfidence = 0.95 });
        using var cautious = new ModelRoutingChatClient(unsure, new Dictionary<string, IChatClient> { ["small"] = small, ["large"] = large }, fallback);
        var answer = await Ask(cautious, streaming, "Hello, can you prove a theorem?");
        Assert.Equal("fallback", answer.Text);
        var decision = (RoutingDecision)answer.AdditionalProperties![ModelRoutingChatClient.DecisionPropertyKey]!;
        Assert.False(decision.Confident);
        Assert.True(decision.Confidence < 0.95);
    }

    [Fact]
    public async Task BadExamplesOrMissingModel_AreRefusedByName()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => ModelRouter.TrainAsync(miniLM.Generator, []));
        var empty = await Assert.ThrowsAsync<ArgumentException>(() => ModelRouter.TrainAsync(miniLM.Generator, [new("hi", "small"), new(" ", "large")]));
        Assert.Contains("example 1", empty.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => ModelRouter.TrainAsync(miniLM.Generator, Examples, new ModelRouterOptions { MaxExamples = 3 }));

        var router = await ModelRouter.TrainAsync(miniLM.Generator, Examples);
        var missing = Assert.Throws<ArgumentException>(() => new ModelRoutingChatClient(router, new Dictionary<string, IChatClient> { ["small"] = new ScriptedChatClient() }, new ScriptedChatClient()));
        Assert.Contains("'large'", missing.Message, StringComparison.Ordinal);
    }

    private static async Task<ChatResponse> Ask(IChatClient client, bool streaming, string question)
    {
        if (!streaming)
        {
            return await client.GetResponseAsync(question);
        }

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(question))
        {
            updates.Add(update);
        }

        var response = updates.ToChatResponse();
        (response.AdditionalProperties ??= [])[ModelRoutingChatClient.DecisionPropertyKey] = updates[0].AdditionalProperties![ModelRoutingChatClient.DecisionPropertyKey];
        return response;
    }
}
