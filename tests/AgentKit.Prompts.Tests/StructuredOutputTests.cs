using System.Text.Json;
using AgentKit.Testing;
using Microsoft.Extensions.AI;

namespace AgentKit.Prompts.Tests;

public sealed class StructuredOutputTests
{
    private static readonly PromptTemplate Classify = PromptTemplate.Parse("""
        ---
        inputs:
          text: { type: string, required: true }
        outputs:
          type: object
          properties:
            label: { type: string, enum: [bug, question] }
            score: { type: number, minimum: 0, maximum: 1 }
          required: [label, score]
          additionalProperties: false
        model:
          parameters:
            temperature: 0
        ---
        system:
        Classify the text.
        user:
        {{ text }}
        """, "triage/classify", "/p/triage/classify.prompty");

    private static readonly PromptTemplate Free = PromptTemplate.Parse("---\ninputs:\n  q: { type: string }\n---\nuser:\n{{ q }}", "free", "/p/free.prompty");

    private static readonly Dictionary<string, object?> Inputs = new() { ["text"] = "It crashes" };

    [Fact]
    public async Task GetStructuredAsync_ValidAnswer_ReturnsTypedValueInOneCall()
    {
        var client = new ScriptedChatClient("""{"label": "bug", "score": 0.9}""");

        var result = await client.GetStructuredAsync<Triage>(Classify, Inputs, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(new Triage("bug", 0.9), result);
        var call = Assert.Single(client.Calls);
        var format = Assert.IsType<ChatResponseFormatJson>(call.Options!.ResponseFormat);
        Assert.Equal("triage_classify", format.SchemaName);
        Assert.Equal("object", format.Schema!.Value.GetProperty("type").GetString());
        Assert.Equal(0f, call.Options.Temperature);
        Assert.Equal("It crashes", call.Messages[^1].Text);
    }

    [Fact]
    public async Task GetStructuredAsync_BadAnswerThenGood_RetriesOnceWithTheValidationError()
    {
        var client = new ScriptedChatClient("""{"label": "feature", "score": 2}""", "```json\n{\"label\": \"question\", \"score\": 0.4}\n```");

        var result = await client.GetStructuredAsync(Classify, Inputs, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("question", result.GetProperty("label").GetString());
        Assert.Equal(2, client.Calls.Count);
        var retry = client.Calls[1].Messages;
        Assert.Equal(ChatRole.Assistant, retry[^2].Role);
        Assert.Equal("""{"label": "feature", "score": 2}""", retry[^2].Text);
        Assert.Equal(ChatRole.User, retry[^1].Role);
        Assert.Contains("#/label", retry[^1].Text, StringComparison.Ordinal);
        Assert.Contains("#/score", retry[^1].Text, StringComparison.Ordinal);
        Assert.Equal(client.Calls[0].Messages.Count + 2, retry.Count);
    }

    [Fact]
    public async Task GetStructuredAsync_TwoBadAnswers_ThrowsWithTheRawAnswerAndError()
    {
        var client = new ScriptedChatClient("not json at all", """{"label": "bug"}""");

        var e = await Assert.ThrowsAsync<PromptOutputException>(() => client.GetStructuredAsync<Triage>(Classify, Inputs, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal("triage/classify", e.PromptName);
        Assert.Equal("""{"label": "bug"}""", e.RawAnswer);
        Assert.Contains("score", e.ValidationError, StringComparison.Ordinal);
        Assert.Contains("not JSON", client.Calls[1].Messages[^1].Text, StringComparison.Ordinal);
        Assert.Equal(2, client.Calls.Count);
    }

    [Fact]
    public async Task GetStructuredAsyncOfT_WithoutOutputs_UsesASchemaGeneratedFromT()
    {
        var client = new ScriptedChatClient("""{"label": 5}""", """{"label": "bug", "score": 1}""");

        var result = await client.GetStructuredAsync<Triage>(Free, new Dictionary<string, object?> { ["q"] = "x" }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(new Triage("bug", 1), result);
        var schema = Assert.IsType<ChatResponseFormatJson>(client.Calls[0].Options!.ResponseFormat).Schema!.Value;
        Assert.True(schema.GetProperty("properties").TryGetProperty("label", out _));
        Assert.Contains("#/label", client.Calls[1].Messages[^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetStructuredAsync_JsonVariantWithoutOutputs_IsAPromptException()
    {
        var client = new ScriptedChatClient();

        var e = await Assert.ThrowsAsync<PromptException>(() => client.GetStructuredAsync(Free, new Dictionary<string, object?>(), cancellationToken: TestContext.Current.CancellationToken));

        Assert.Contains("no 'outputs' schema", e.Message, StringComparison.Ordinal);
        Assert.Empty(client.Calls);
    }

    [Fact]
    public async Task GetResponseAsync_SendsRenderedMessagesAndMergedOptions()
    {
        var client = new ScriptedChatClient("hello");

        var response = await client.GetResponseAsync(Free, new Dictionary<string, object?> { ["q"] = "hi" }, new ChatOptions { MaxOutputTokens = 9 }, TestContext.Current.CancellationToken);

        Assert.Equal("hello", response.Text);
        var call = Assert.Single(client.Calls);
        Assert.Equal("hi", Assert.Single(call.Messages).Text);
        Assert.Equal(9, call.Options!.MaxOutputTokens);
        Assert.False(call.Streaming);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_StreamsTheScriptedAnswer()
    {
        var client = new ScriptedChatClient("streamed answer") { StreamChunkLength = 4 };

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(Free, new Dictionary<string, object?> { ["q"] = "hi" }, cancellationToken: TestContext.Current.CancellationToken))
        {
            updates.Add(update);
        }

        Assert.Equal("streamed answer", string.Concat(updates.Select(u => u.Text)));
        Assert.True(updates.Count >= 4);
        Assert.True(Assert.Single(client.Calls).Streaming);
    }

    [Fact]
    public async Task ScriptedChatClient_AfterTheQueue_UsesRespondAndFailsWithoutIt()
    {
        var client = new ScriptedChatClient((messages, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, "echo " + messages[^1].Text)));

        Assert.Equal("echo hi", (await client.GetResponseAsync("hi", cancellationToken: TestContext.Current.CancellationToken)).Text);
        client.Respond = null;
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetResponseAsync("again", cancellationToken: TestContext.Current.CancellationToken));
    }

    private sealed record Triage(string Label, double Score);
}
