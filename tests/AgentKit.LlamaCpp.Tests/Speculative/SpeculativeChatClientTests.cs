using System.ComponentModel;
using System.Text.Json;
using AgentKit.Abstractions.Json;
using AgentKit.LlamaCpp.Chat;
using AgentKit.LlamaCpp.Generation;
using AgentKit.LlamaCpp.Tests.Engine;
using Microsoft.Extensions.AI;

namespace AgentKit.LlamaCpp.Tests.Speculative;

/// <summary>LlamaChatClient with speculative decoding answers exactly as without it, tools and JSON Schema included.</summary>
public sealed class SpeculativeChatClientTests
{
    private static LlamaChatClientOptions Plain { get; } = new() { Context = SharedModels.SmallContext with { MaxSequences = 2 }, MaxContexts = 1, MaxJsonStringLength = 48 };

    private static async Task<(LlamaChatClient Plain, LlamaChatClient Fast)> ClientsAsync(bool draftModel)
    {
        var model = await SharedModels.Qwen2;
        var fast = Plain with
        {
            Speculation = new LlamaSpeculationOptions { LookupMinNgram = 1 },
            DraftModel = draftModel ? await SpeculativeModels.SameWeights : null,
        };
        return (new LlamaChatClient(model, Plain), new LlamaChatClient(model, fast));
    }

    private static async Task<ChatResponse> AskAsync(IChatClient client, string prompt, ChatOptions options, bool streaming) =>
        streaming ? await client.GetStreamingResponseAsync(prompt, options).ToChatResponseAsync() : await client.GetResponseAsync(prompt, options);

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task Greedy_AnswerAndUsage_AreThePlainClients(bool draftModel, bool streaming)
    {
        var (plain, fast) = await ClientsAsync(draftModel);
        using var a = plain;
        using var b = fast;
        var options = new ChatOptions { MaxOutputTokens = 48, Temperature = 0 };

        var expected = await AskAsync(plain, SpeculativeModels.RepetitivePrompt, options, streaming);
        var actual = await AskAsync(fast, SpeculativeModels.RepetitivePrompt, options, streaming);

        Assert.Equal(expected.Text, actual.Text);
        Assert.Equal(expected.FinishReason, actual.FinishReason);
        Assert.Equal(expected.Usage!.InputTokenCount, actual.Usage!.InputTokenCount);
        Assert.Equal(expected.Usage.OutputTokenCount, actual.Usage.OutputTokenCount);
    }

    // Validity, not identity: with a seed the calls match the plain client's until a draw lands on a rounding
    // difference between the verify batch and single-token decoding (seen once in a free-text "reason" string).
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RequiredTool_WithSpeculation_IsAGrammarValidCall(bool streaming)
    {
        var (plain, fast) = await ClientsAsync(draftModel: true);
        using var a = plain;
        using var b = fast;
        var lookup = AIFunctionFactory.Create(([Description("The order number")] int orderId, string reason) => $"order {orderId}", "lookup_order", "Looks an order up.");
        var other = AIFunctionFactory.Create((string email) => email, "verify_customer", "Verifies a customer.");

        for (var seed = 1; seed <= 2; seed++)
        {
            var options = new ChatOptions { Tools = [lookup, other], ToolMode = ChatToolMode.RequireAny, Seed = seed, MaxOutputTokens = 300 };
            var actual = await AskAsync(fast, "Where is my order?", options, streaming);

            Assert.Equal(ChatFinishReason.ToolCalls, actual.FinishReason);
            var calls = actual.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
            Assert.NotEmpty(calls);
            foreach (var call in calls)
            {
                var tool = call.Name == "lookup_order" ? lookup : call.Name == "verify_customer" ? other : null;
                Assert.NotNull(tool);
                Assert.Empty(JsonSchemaValidator.Validate(tool.JsonSchema, JsonSerializer.SerializeToElement(call.Arguments, AIJsonUtilities.DefaultOptions)));
            }
        }
    }

    [Fact]
    public async Task JsonSchemaResponse_WithSpeculation_IsTheSameValidDocument()
    {
        var (plain, fast) = await ClientsAsync(draftModel: true);
        using var a = plain;
        using var b = fast;
        var schema = JsonDocument.Parse("""
            {"type":"object","properties":{"answer":{"type":"string","maxLength":12},"confidence":{"type":"integer"},"ok":{"type":"boolean"}},
             "required":["answer","confidence","ok"]}
            """).RootElement;

        for (var seed = 1; seed <= 3; seed++)
        {
            var options = new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "answer"), MaxOutputTokens = 300, Seed = seed, Temperature = 1 };
            var expected = await plain.GetResponseAsync("Answer in JSON.", options);
            var actual = await fast.GetResponseAsync("Answer in JSON.", options);

            Assert.Equal(expected.Text, actual.Text);
            Assert.Equal(ChatFinishReason.Stop, actual.FinishReason);
            using var document = JsonDocument.Parse(actual.Text);
            Assert.Empty(JsonSchemaValidator.Validate(schema, document.RootElement));
        }
    }

    [Fact]
    public async Task DraftModel_WithAnotherVocabulary_FailsWhenTheClientIsCreated()
    {
        var model = await SharedModels.Qwen2;
        var other = await SpeculativeModels.LlamaVocabulary;

        var error = Assert.Throws<LlamaVocabularyMismatchException>(() => new LlamaChatClient(model, Plain with { DraftModel = other }));

        Assert.Contains("tokens", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SpeculationWithADraftContext_IsRejected_TheClientCreatesItsOwn()
    {
        var model = await SharedModels.Qwen2;
        using var context = model.CreateContext(SharedModels.SmallContext);

        var error = Assert.Throws<ArgumentException>(() => new LlamaChatClient(model, Plain with { Speculation = new LlamaSpeculationOptions { DraftContext = context } }));

        Assert.Contains("DraftModel", error.Message, StringComparison.Ordinal);
    }
}
