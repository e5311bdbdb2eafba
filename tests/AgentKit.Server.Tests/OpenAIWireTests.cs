using System.Net;
using System.Text;
using System.Text.Json;
using AgentKit.LlamaCpp;
using AgentKit.Testing;
using AgentKit.Testing.Http;
using Microsoft.Extensions.AI;

namespace AgentKit.Server.Tests;

/// <summary>What a real OpenAI client meets at the edges of <c>/v1/chat/completions</c>: every field honoured or refused by name.</summary>
public sealed class OpenAIWireTests
{
    private static readonly Uri Completions = new("v1/chat/completions", UriKind.Relative);

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(TestServer server, string json, string contentType = "application/json")
    {
        using var http = server.CreateHttpClient();
        using var content = new StringContent(json, Encoding.UTF8);
        content.Headers.ContentType = new(contentType);
        using var response = await http.PostAsync(Completions, content, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    private static void AssertError(JsonElement body, string code, string? param)
    {
        var error = body.GetProperty("error");
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Equal(param, error.GetProperty("param").GetString());
    }

    private static ChatResponse Answer(string text, ChatFinishReason finish) => new(new ChatMessage(ChatRole.Assistant, text)) { FinishReason = finish };

    [Fact]
    public async Task NAboveOne_ForAModelWithOneSequence_Is400NamingN()
    {
        await using var server = await TestServer.StartAsync();

        var (status, body) = await PostAsync(server, """{"model":"echo","n":3,"messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertError(body, "invalid_request", "n");
        Assert.Empty(server.Model.Requests);
    }

    [Fact]
    public async Task NAboveOne_ForAMultiSequenceModel_ReturnsNChoices()
    {
        var model = new ScriptedMultiSequenceChatClient((messages, options) => Answer($"answer {options?.Seed}", ChatFinishReason.Stop), maxSequences: 4);
        await using var server = await TestServer.StartAsync(pipeline: _ => model);

        var (status, body) = await PostAsync(server, """{"model":"echo","n":3,"seed":10,"messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.OK, status);
        var choices = body.GetProperty("choices").EnumerateArray().ToList();
        Assert.Equal([0, 1, 2], choices.Select(c => c.GetProperty("index").GetInt32()));
        Assert.Equal(["answer 10", "answer 11", "answer 12"], choices.Select(c => c.GetProperty("message").GetProperty("content").GetString()));
        Assert.Single(model.Batches);
    }

    [Theory]
    [InlineData("""{"model":"echo","n":5,"messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("""{"model":"echo","n":2,"stream":true,"messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("""{"model":"echo","n":0,"messages":[{"role":"user","content":"hi"}]}""")]
    public async Task NBeyondWhatTheModelOffers_Is400NamingN(string json)
    {
        var model = new ScriptedMultiSequenceChatClient((_, _) => Answer("x", ChatFinishReason.Stop), maxSequences: 4);
        await using var server = await TestServer.StartAsync(pipeline: _ => model);

        var (status, body) = await PostAsync(server, json);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertError(body, "invalid_request", "n");
    }

    [Theory]
    [InlineData("""{"model":"echo","max_tokens":"lots","messages":[{"role":"user","content":"hi"}]}""", "max_tokens", "an integer")]
    [InlineData("""{"model":"echo","stream":"yes","messages":[{"role":"user","content":"hi"}]}""", "stream", "true or false")]
    [InlineData("""{"model":"echo","messages":"hi"}""", "messages", "an array")]
    [InlineData("""{"model":"echo","messages":[{"role":7,"content":"hi"}]}""", "messages[0].role", "a string")]
    [InlineData("""[1,2,3]""", null, "an object")]
    public async Task WrongJsonType_NamesTheFieldAndTheJsonType_NotDotNetTypes(string json, string? param, string expected)
    {
        await using var server = await TestServer.StartAsync();

        var (status, body) = await PostAsync(server, json);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertError(body, "invalid_json", param);
        var message = body.GetProperty("error").GetProperty("message").GetString()!;
        Assert.Contains(expected, message, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", message, StringComparison.Ordinal);
        Assert.DoesNotContain("`1", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongContentType_Is415InvalidRequestError()
    {
        await using var server = await TestServer.StartAsync();

        var (status, body) = await PostAsync(server, """{"model":"echo","messages":[{"role":"user","content":"hi"}]}""", "text/plain");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.Equal("invalid_request_error", body.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal("unsupported_media_type", body.GetProperty("error").GetProperty("code").GetString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ToolSchemaTheEngineRefuses_NamesTheTool(bool streaming)
    {
        // The local engine refuses a schema it cannot turn into a grammar, naming the tool.
        var model = new ScriptedChatClient((_, options) => throw new LlamaGrammarException("Tool 'lookup': 'pattern' is not supported.") { ToolName = "lookup" });
        await using var server = await TestServer.StartAsync(pipeline: _ => model);

        var (status, body) = await PostAsync(server, """
            {"model":"echo","stream":STREAM,"messages":[{"role":"user","content":"hi"}],
             "tools":[{"type":"function","function":{"name":"first","parameters":{"type":"object"}}},
                      {"type":"function","function":{"name":"lookup","parameters":{"type":"object","properties":{"q":{"type":"string","pattern":"^a"}}}}}]}
            """.Replace("STREAM", streaming ? "true" : "false", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertError(body, "invalid_schema", "tools[1].function.parameters");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task LocalEngineContextOverflow_IsContextLengthExceeded(bool streaming)
    {
        var model = new ScriptedChatClient((_, _) => throw new LlamaContextOverflowException(5000, 4096, "The prompt"));
        await using var server = await TestServer.StartAsync(pipeline: _ => model);

        var (status, body) = await PostAsync(server, $$"""{"model":"echo","stream":{{(streaming ? "true" : "false")}},"messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertError(body, "context_length_exceeded", "messages");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RemoteModelContextOverflow_IsContextLengthExceeded(bool streaming)
    {
        await using var upstream = new LoopbackHttpServer(_ => new LoopbackResponse(
            400,
            """{"error":{"message":"This model's maximum context length is 4096 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}"""u8.ToArray())
        {
            Headers = { ["Content-Type"] = "application/json" },
        });
        await using var server = await TestServer.StartAsync(new()
        {
            ["AgentKit:Models:remote:Provider"] = "OpenAI",
            ["AgentKit:Models:remote:Endpoint"] = new Uri(upstream.BaseAddress, "v1").ToString(),
            ["AgentKit:Models:remote:ApiKey"] = "upstream-key",
            ["AgentKit:Models:remote:Model"] = "big",
        });

        var (status, body) = await PostAsync(server, $$"""{"model":"remote","stream":{{(streaming ? "true" : "false")}},"messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertError(body, "context_length_exceeded", "messages");
        var message = body.GetProperty("error").GetProperty("message").GetString()!;
        Assert.Contains("maximum context length is 4096", message, StringComparison.Ordinal);
        Assert.DoesNotContain(upstream.BaseAddress.Authority, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequiredToolCallCutOffByMaxTokens_Is400NamingMaxTokens_NotInternalText()
    {
        // What the engine answers when the limit ends a required call: no text, finish reason length.
        var model = new ScriptedChatClient((_, _) => Answer(string.Empty, ChatFinishReason.Length));
        await using var server = await TestServer.StartAsync(pipeline: _ => model);

        var (status, body) = await PostAsync(server, """
            {"model":"echo","max_tokens":3,"tool_choice":"required","messages":[{"role":"user","content":"hi"}],
             "tools":[{"type":"function","function":{"name":"lookup","parameters":{"type":"object"}}}]}
            """);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertError(body, "max_tokens_too_small", "max_tokens");
    }
}
