using System.Runtime.CompilerServices;
using AgentKit.Cli.Commands;
using AgentKit.Testing;
using AgentKit.Testing.Http;
using Microsoft.Extensions.AI;

namespace AgentKit.Cli.Tests;

public sealed class ChatCommandTests
{
    private static string Model => TestModelFactory.GetOrCreate(TestModelFactory.TinyQwen2);

    [Fact]
    public async Task Chat_PromptOption_StreamsOneAnswerToStdoutAndExits()
    {
        var client = new ScriptedChatClient();
        using var cli = Harness(client);

        var exit = await cli.RunAsync("chat", "--model", Model, "--prompt", "hi there");

        Assert.True(exit == 0, cli.Error);
        Assert.Equal("echo: hi there\n", cli.Out);
        var call = Assert.Single(client.Calls);
        Assert.Equal(ChatRole.User, Assert.Single(call.Messages).Role);
        Assert.True(client.Disposed);
    }

    [Fact]
    public async Task Chat_PipedStdin_IsTheSinglePrompt()
    {
        var client = new ScriptedChatClient();
        using var cli = Harness(client, input: "summarise this\nplease\n");

        var exit = await cli.RunAsync("chat", "--model", Model);

        Assert.Equal(0, exit);
        Assert.Equal("echo: summarise this\nplease\n", cli.Out);
    }

    [Fact]
    public async Task Chat_EmptyPipedStdin_Exits1AskingForPrompt()
    {
        using var cli = Harness(new ScriptedChatClient(), input: "   \n");

        var exit = await cli.RunAsync("chat", "--model", Model);

        Assert.Equal(1, exit);
        Assert.Contains("No prompt", cli.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_SystemTemperatureAndMaxTokens_ReachTheClient()
    {
        var client = new ScriptedChatClient();
        ChatEngineSettings? engine = null;
        using var cli = Harness(client, onCreate: s => engine = s);

        var exit = await cli.RunAsync(
            "chat", "--model", Model, "--prompt", "q", "--system", "be brief",
            "--temperature", "0.2", "--max-tokens", "17", "--context-size", "1024", "--threads", "1");

        Assert.Equal(0, exit);
        var (messages, options) = Assert.Single(client.Calls);
        Assert.Equal([ChatRole.System, ChatRole.User], messages.Select(m => m.Role));
        Assert.Equal("be brief", messages[0].Text);
        Assert.Equal(0.2f, options!.Temperature);
        Assert.Equal(17, options.MaxOutputTokens);
        Assert.Equal(new ChatEngineSettings(1024, 1), engine);
    }

    [Fact]
    public async Task Chat_InvalidTemperature_Exits1WithoutLoadingModel()
    {
        var client = new ScriptedChatClient();
        using var cli = Harness(client);

        var exit = await cli.RunAsync("chat", "--model", Model, "--prompt", "q", "--temperature", "9");

        Assert.Equal(1, exit);
        Assert.Contains("--temperature must be between 0 and 5", cli.Error, StringComparison.Ordinal);
        Assert.Empty(client.Calls);
    }

    [Fact]
    public async Task Chat_Interactive_KeepsHistoryAcrossTurnsAndStopsAtSlashExit()
    {
        var client = new ScriptedChatClient();
        using var cli = Harness(client, input: "first\n\nsecond\n/exit\nnever sent\n", redirected: false);

        var exit = await cli.RunAsync("chat", "--model", Model);

        Assert.Equal(0, exit);
        Assert.Equal(2, client.Calls.Count);
        Assert.Equal(
            [(ChatRole.User, "first"), (ChatRole.Assistant, "echo: first"), (ChatRole.User, "second")],
            client.Calls[1].Messages.Select(m => (m.Role, m.Text)));
        Assert.Contains("echo: second", cli.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_InteractiveSlashClear_ForgetsTheConversationButKeepsSystem()
    {
        var client = new ScriptedChatClient();
        using var cli = Harness(client, input: "one\n/clear\ntwo\n", redirected: false);

        var exit = await cli.RunAsync("chat", "--model", Model, "--system", "sys");

        Assert.Equal(0, exit);
        Assert.Equal([(ChatRole.System, "sys"), (ChatRole.User, "two")], client.Calls[1].Messages.Select(m => (m.Role, m.Text)));
    }

    [Fact]
    public async Task Chat_CtrlCDuringAnswer_StopsThatAnswerAndKeepsChatting()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var client = new ScriptedChatClient();
        client.Answer = (messages, ct) => messages[^1].Text == "long" ? Endless(started, ct) : Echo(messages[^1].Text);
        using var cli = Harness(client, input: "long\nshort\n", redirected: false);

        var run = cli.RunAsync("chat", "--model", Model);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.True(cli.CancelKey.Press());
        var exit = await run;

        Assert.Equal(0, exit);
        Assert.Contains("(answer stopped)", cli.Error, StringComparison.Ordinal);
        Assert.Equal(
            [(ChatRole.User, "long"), (ChatRole.Assistant, "partial"), (ChatRole.User, "short")],
            client.Calls[1].Messages.Select(m => (m.Role, m.Text)));
        Assert.False(cli.CancelKey.HasHandlers);
    }

    [Fact]
    public async Task Chat_ModelIsNotGguf_Exits1WithTypedError()
    {
        using var cli = Harness(new ScriptedChatClient());
        var path = Path.Combine(cli.Cache.FullName, "fake.gguf");
        await File.WriteAllTextAsync(path, "nope nope nope", TestContext.Current.CancellationToken);

        var exit = await cli.RunAsync("chat", "--model", path, "--prompt", "q");

        Assert.Equal(1, exit);
        Assert.Contains(path, cli.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", cli.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_NoModelAndHubUnreachable_Exits2WithOneLineNamingCachePathAndModelOption()
    {
        using var cli = new CliHarness(LoopbackHttpServer.ClosedAddress());

        var exit = await cli.RunAsync("chat", "--prompt", "hello");

        Assert.Equal(2, exit);
        var line = Assert.Single(cli.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("Cannot reach 127.0.0.1 to download Qwen/Qwen2.5-0.5B-Instruct-GGUF/qwen2.5-0.5b-instruct-q4_k_m.gguf: you are offline.", line, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(cli.Cache.FullName, "Qwen__Qwen2.5-0.5B-Instruct-GGUF", "qwen2.5-0.5b-instruct-q4_k_m.gguf"), line, StringComparison.Ordinal);
        Assert.EndsWith("or pass --model <path>.", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_NoModelButDefaultCached_UsesItWithoutNetwork()
    {
        var client = new ScriptedChatClient();
        using var cli = Harness(client, hub: LoopbackHttpServer.ClosedAddress());
        var cached = Path.Combine(cli.Cache.FullName, "Qwen__Qwen2.5-0.5B-Instruct-GGUF", "qwen2.5-0.5b-instruct-q4_k_m.gguf");
        Directory.CreateDirectory(Path.GetDirectoryName(cached)!);
        File.Copy(Model, cached);

        var exit = await cli.RunAsync("chat", "--prompt", "hello");

        Assert.True(exit == 0, cli.Error);
        Assert.Equal("echo: hello\n", cli.Out);
    }

    private static CliHarness Harness(
        ScriptedChatClient client, string? input = null, bool redirected = true, Action<ChatEngineSettings>? onCreate = null, Uri? hub = null)
    {
        return new CliHarness(hub, input, redirected, (_, settings, _) =>
        {
            onCreate?.Invoke(settings);
            return client;
        });
    }

    private static async IAsyncEnumerable<string> Echo(string text)
    {
        await Task.Yield();
        yield return "echo: " + text;
    }

    private static async IAsyncEnumerable<string> Endless(TaskCompletionSource started, [EnumeratorCancellation] CancellationToken ct)
    {
        yield return "partial";
        started.TrySetResult();
        await Task.Delay(Timeout.Infinite, ct);
        yield return "never";
    }
}
