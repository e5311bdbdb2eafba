using System.ClientModel;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;

namespace AgentKit.Server.Tests;

public sealed class ChatCompletionsTests
{
    private static ChatClient OpenAIChat(TestServer server, string model = "echo", string key = TestServer.ApiKey) =>
        new(model, new ApiKeyCredential(key), new OpenAIClientOptions { Endpoint = server.OpenAIEndpoint });

    [Fact]
    public async Task OfficialClient_CompletesChat()
    {
        await using var server = await TestServer.StartAsync();

        ChatCompletion completion = await OpenAIChat(server).CompleteChatAsync(
            [new SystemChatMessage("Be brief."), new UserChatMessage("hello there")],
            new ChatCompletionOptions { Temperature = 0.5f, MaxOutputTokenCount = 100 },
            TestContext.Current.CancellationToken);

        Assert.Equal("echo: hello there", completion.Content[0].Text);
        Assert.Equal(OpenAI.Chat.ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal("echo: hello there".Length, completion.Usage.OutputTokenCount);
        var (messages, options) = Assert.Single(server.Model.Requests);
        Assert.Equal([ChatRole.System, ChatRole.User], messages.Select(m => m.Role));
        Assert.Equal(0.5f, options!.Temperature);
        Assert.Equal(100, options.MaxOutputTokens);
    }

    [Fact]
    public async Task OfficialClient_StreamsChat_WithUsage()
    {
        await using var server = await TestServer.StartAsync();
        var text = new StringBuilder();
        OpenAI.Chat.ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;
        var chunks = 0;

        await foreach (var update in OpenAIChat(server).CompleteChatStreamingAsync([new UserChatMessage("one two three")], cancellationToken: TestContext.Current.CancellationToken))
        {
            chunks++;
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            finish ??= update.FinishReason;
            usage ??= update.Usage;
        }

        Assert.Equal("echo: one two three", text.ToString());
        Assert.True(chunks >= 4, $"expected one chunk per word, got {chunks}");
        Assert.Equal(OpenAI.Chat.ChatFinishReason.Stop, finish);
        Assert.NotNull(usage);
    }

    [Fact]
    public async Task OfficialClient_ToolRoundTrip()
    {
        await using var server = await TestServer.StartAsync();
        var chat = OpenAIChat(server);
        var tool = ChatTool.CreateFunctionTool("lookup_order", "Looks an order up.", BinaryData.FromString("""{"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}"""));
        List<OpenAI.Chat.ChatMessage> conversation = [new UserChatMessage("order 42")];
        var options = new ChatCompletionOptions { Tools = { tool } };

        ChatCompletion first = await chat.CompleteChatAsync(conversation, options, TestContext.Current.CancellationToken);

        Assert.Equal(OpenAI.Chat.ChatFinishReason.ToolCalls, first.FinishReason);
        var call = Assert.Single(first.ToolCalls);
        Assert.Equal("lookup_order", call.FunctionName);
        Assert.Equal("order 42", JsonDocument.Parse(call.FunctionArguments.ToString()).RootElement.GetProperty("text").GetString());

        conversation.Add(new AssistantChatMessage(first));
        conversation.Add(new ToolChatMessage(call.Id, "shipped"));
        ChatCompletion second = await chat.CompleteChatAsync(conversation, options, TestContext.Current.CancellationToken);

        Assert.Equal("tool said shipped", second.Content[0].Text);
        var declared = server.Model.Requests[0].Options!.Tools!.Single();
        Assert.Equal("lookup_order", declared.Name);
        var replayed = server.Model.Requests[1].Messages;
        Assert.Equal("lookup_order", replayed[1].Contents.OfType<FunctionCallContent>().Single().Name);
    }

    [Fact]
    public async Task Models_ListsConfiguredChatModels()
    {
        await using var server = await TestServer.StartAsync();
        using var http = server.CreateHttpClient();

        using var document = JsonDocument.Parse(await http.GetStringAsync(new Uri("v1/models", UriKind.Relative), TestContext.Current.CancellationToken));

        Assert.Contains(document.RootElement.GetProperty("data").EnumerateArray(), m => m.GetProperty("id").GetString() == "echo");
    }

    [Fact]
    public async Task OfficialClient_WithWrongKey_GetsUnauthorized()
    {
        await using var server = await TestServer.StartAsync();

        var error = await Assert.ThrowsAsync<ClientResultException>(() => OpenAIChat(server, key: "wrong-key-0123456789").CompleteChatAsync([new UserChatMessage("hi")]));

        Assert.Equal(401, error.Status);
        Assert.Empty(server.Model.Requests);
    }

    [Theory]
    [InlineData("""{"model":"nope","messages":[{"role":"user","content":"hi"}]}""", 404, "model_not_found", "model")]
    [InlineData("""{"model":"echo","messages":[]}""", 400, "invalid_request", "messages")]
    [InlineData("""{"model":"echo","messages":[{"role":"robot","content":"hi"}]}""", 400, "invalid_request", "messages[0].role")]
    [InlineData("""{"model":"echo","max_tokens":999999,"messages":[{"role":"user","content":"hi"}]}""", 400, "invalid_request", "max_tokens")]
    [InlineData("""{"model":"echo","temperature":7,"messages":[{"role":"user","content":"hi"}]}""", 400, "invalid_request", "temperature")]
    [InlineData("""{"model":"echo","stop":["a","b","c","d","e"],"messages":[{"role":"user","content":"hi"}]}""", 400, "invalid_request", "stop")]
    [InlineData("""{"model":"echo","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"x"}}]}]}""", 400, "invalid_request", "messages[0].content[0]")]
    [InlineData("""{"model":"echo","tool_choice":{"type":"function","function":{"name":"ghost"}},"messages":[{"role":"user","content":"hi"}]}""", 400, "invalid_request", "tool_choice")]
    [InlineData("""{"model":"echo","messages":[{"role":"user","content":"hi"}""", 400, "invalid_json", null)]
    [InlineData("""{"model":"echo","messages":"not a list"}""", 400, "invalid_json", "messages")]
    public async Task BadRequests_GetProblemDetailsNamingTheField(string body, int status, string code, string? param)
    {
        await using var server = await TestServer.StartAsync();
        using var http = server.CreateHttpClient();

        using var response = await http.PostAsync(new Uri("v1/chat/completions", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(status, problem.RootElement.GetProperty("status").GetInt32());
        var error = problem.RootElement.GetProperty("error");
        Assert.Equal(code, error.GetProperty("code").GetString());
        if (param is not null)
        {
            Assert.Equal(param, error.GetProperty("param").GetString());
        }

        Assert.False(string.IsNullOrWhiteSpace(problem.RootElement.GetProperty("detail").GetString()));
        Assert.Empty(server.Model.Requests);
    }

    [Fact]
    public async Task OversizedBody_Gets413()
    {
        await using var server = await TestServer.StartAsync(new() { ["AgentKit:Server:MaxRequestBodyBytes"] = "2048" });
        using var http = server.CreateHttpClient();
        var body = JsonSerializer.Serialize(new { model = "echo", messages = new[] { new { role = "user", content = new string('x', 5000) } } });

        using var response = await http.PostAsync(new Uri("v1/chat/completions", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(server.Model.Requests);
    }

    [Fact]
    public async Task ConcurrentRunsBeyondTheLimit_Get429WithRetryAfter()
    {
        await using var server = await TestServer.StartAsync(new() { ["AgentKit:Server:MaxConcurrentRunsPerKey"] = "1" });
        server.Model.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var http = server.CreateHttpClient();
        var ct = TestContext.Current.CancellationToken;
        var request = new { model = "echo", messages = new[] { new { role = "user", content = "hi" } } };

        var first = http.PostAsJsonAsync(new Uri("v1/chat/completions", UriKind.Relative), request, ct);
        while (server.Model.Requests.Count == 0)
        {
            await Task.Delay(10, ct);
        }

        using var second = await http.PostAsJsonAsync(new Uri("v1/chat/completions", UriKind.Relative), request, ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), second.Headers.RetryAfter?.Delta);

        server.Model.Gate.SetResult();
        using var firstResponse = await first;
        Assert.Equal(HttpStatusCode.OK, firstResponse.StatusCode);

        // The slot is free again.
        using var third = await http.PostAsJsonAsync(new Uri("v1/chat/completions", UriKind.Relative), request, ct);
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
    }

    [Fact]
    public async Task RequestsBeyondTheWindow_Get429WithRetryAfter_PerCaller()
    {
        await using var server = await TestServer.StartAsync(new()
        {
            ["AgentKit:Server:MaxRequestsPerWindow"] = "2",
            ["AgentKit:Server:RequestWindow"] = "00:10:00",
            ["AgentKit:Server:ApiKeys:1"] = "other-key-0123456789abcdef",
        });
        using var http = server.CreateHttpClient();
        using var other = server.CreateHttpClient(withKey: false);
        other.DefaultRequestHeaders.Authorization = new("Bearer", "other-key-0123456789abcdef");
        var ct = TestContext.Current.CancellationToken;

        for (var i = 0; i < 2; i++)
        {
            using var ok = await http.GetAsync(new Uri("v1/models", UriKind.Relative), ct);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using var refused = await http.GetAsync(new Uri("v1/models", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.InRange(refused.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
        using var body = JsonDocument.Parse(await refused.Content.ReadAsStringAsync(ct));
        Assert.Equal("too_many_requests", body.RootElement.GetProperty("error").GetProperty("code").GetString());

        // Another caller has a window of its own.
        using var others = await other.GetAsync(new Uri("v1/models", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.OK, others.StatusCode);
    }

    [Fact]
    public async Task ExposeModelsOff_OffersOnlyAgents()
    {
        await using var server = await TestServer.StartAsync(new() { ["AgentKit:Server:ExposeModels"] = "false" });
        using var http = server.CreateHttpClient();
        var ct = TestContext.Current.CancellationToken;

        using var models = JsonDocument.Parse(await http.GetStringAsync(new Uri("v1/models", UriKind.Relative), ct));
        Assert.Equal(["helper"], models.RootElement.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()));
        using var direct = await http.PostAsJsonAsync(new Uri("v1/chat/completions", UriKind.Relative), new { model = "echo", messages = new[] { new { role = "user", content = "hi" } } }, ct);
        Assert.Equal(HttpStatusCode.NotFound, direct.StatusCode);
        Assert.Empty(server.Model.Requests);
    }

    [Fact]
    public async Task RequestTimeout_Gets504()
    {
        await using var server = await TestServer.StartAsync(new() { ["AgentKit:Server:RequestTimeout"] = "00:00:00.200" });
        server.Model.Gate = new TaskCompletionSource();
        using var http = server.CreateHttpClient();

        using var response = await http.PostAsJsonAsync(new Uri("v1/chat/completions", UriKind.Relative), new { model = "echo", messages = new[] { new { role = "user", content = "hi" } } }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
    }
}
