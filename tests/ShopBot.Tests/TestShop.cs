using System.Text.Json;
using AgentKit.Agents;
using AgentKit.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using ShopBot.Data;
using ShopBot.Startup;
using ShopBot.Tools;

namespace ShopBot.Tests;

/// <summary>
/// ShopBot started for a test in its own temp folder: the real runtime, tools, database, local carrier (on a free
/// port) and SMTP sink, with a scripted model in place of the LLM.
/// </summary>
internal sealed class TestShop : IAsyncDisposable
{
    private readonly bool _keepFiles;

    private TestShop(ShopBotApp app, ModelScript model, string root, bool keepFiles)
    {
        _keepFiles = keepFiles;
        App = app;
        Model = model;
        Root = root;
    }

    public ShopBotApp App { get; }

    public ModelScript Model { get; }

    public string Root { get; }

    public AgentRunner Runner => App.Services.GetRequiredService<AgentRunner>();

    public SupportStore Support => App.Services.GetRequiredService<SupportStore>();

    public ReturnStore Returns => App.Services.GetRequiredService<ReturnStore>();

    public OrderStore Orders => App.Services.GetRequiredService<OrderStore>();

    public static async Task<TestShop> StartAsync(
        Action<string>? preparePolicies = null, IReadOnlyDictionary<string, string?>? settings = null, string? root = null, bool useModelFromConfiguration = false, bool keepFiles = false,
        Action<Microsoft.Extensions.Logging.ILoggingBuilder>? logging = null)
    {
        root ??= Path.Combine(Path.GetTempPath(), "shopbot-tests", Guid.NewGuid().ToString("N"));
        var policies = Path.Combine(root, "policies");
        Directory.CreateDirectory(policies);
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "policies"), "*.md"))
        {
            File.Copy(file, Path.Combine(policies, Path.GetFileName(file)), overwrite: true);
        }

        preparePolicies?.Invoke(policies);
        var all = ShopBot.Eval.ShopBotEvalTarget.IsolatedSettings(root, policies);
        all["ShopBot:Carrier:MaxRetries"] = "2";
        all["ShopBot:Carrier:BreakAfterFailures"] = "4";
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var model = new ModelScript();
        var app = await ShopBotApp.StartAsync(new ShopBotStartOptions
        {
            ContentRoot = root,
            Settings = all,
            ChatClient = useModelFromConfiguration ? null : model.Client,
            EmbeddingGenerator = new AgentKit.Rag.Embeddings.HashingEmbeddingGenerator(),
            ConfigureLogging = logging,
        });
        return new TestShop(app, model, root, keepFiles);
    }

    public async Task<AgentSession> NewSessionAsync() => await Runner.CreateSessionAsync(Agent.ShopBotAgent.Name, TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_keepFiles)
        {
            return;
        }

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open; the temp folder is cleaned by the OS eventually.
        }
    }
}

/// <summary>
/// The scripted model: a queue of steps, each computing the next response from the conversation so far (so a
/// step can use the RMA number an earlier tool returned). Tool calls are <see cref="FunctionCallContent"/>, exactly
/// what a real model's client produces.
/// </summary>
internal sealed class ModelScript
{
    private readonly Queue<Func<IReadOnlyList<ChatMessage>, ChatResponse>> _steps = new();
    private int _calls;

    public ModelScript() => Client = new ScriptedChatClient((messages, _) => Next(messages));

    public ScriptedChatClient Client { get; }

    public ModelScript Call(string tool, params (string Name, object? Value)[] arguments) =>
        CallWith(tool, _ => arguments);

    public ModelScript CallWith(string tool, Func<IReadOnlyList<ChatMessage>, (string Name, object? Value)[]> arguments)
    {
        _steps.Enqueue(messages => new ChatResponse(new ChatMessage(ChatRole.Assistant,
            [new FunctionCallContent("call_" + Interlocked.Increment(ref _calls), tool, arguments(messages).ToDictionary(a => a.Name, a => a.Value))]))
        {
            FinishReason = ChatFinishReason.ToolCalls,
        });
        return this;
    }

    /// <summary>The return most tests walk through: verify Emma for order SB-10421, then return its line 1 (the jeans, unused, too small).</summary>
    public ModelScript VerifyAndReturnJeans() =>
        Call(ToolNames.VerifyCustomer, ("orderNumber", "SB-10421"), ("email", "emma.larsen@example.com"))
            .Call(ToolNames.CreateReturn, ("orderNumber", "SB-10421"), ("lineNumbers", new[] { 1 }), ("condition", "unused"), ("reason", "too small"));

    /// <summary>Calls a tool with the <c>rma</c> the last tool result returned (and any further arguments).</summary>
    public ModelScript CallWithLastRma(string tool, params (string Name, object? Value)[] more) =>
        CallWith(tool, messages => [("rma", LastResult(messages).GetProperty("rma").GetString()), .. more]);

    public ModelScript Say(string text)
    {
        _steps.Enqueue(_ => new ChatResponse(new ChatMessage(ChatRole.Assistant, text)));
        return this;
    }

    /// <summary>Answers with the last tool result's <c>message</c>, as a model relaying it would.</summary>
    public ModelScript Relay()
    {
        _steps.Enqueue(messages => new ChatResponse(new ChatMessage(ChatRole.Assistant, LastResult(messages).GetProperty("message").GetString())));
        return this;
    }

    public int Pending => _steps.Count;

    /// <summary>The last tool result in the conversation, as JSON.</summary>
    public static JsonElement LastResult(IReadOnlyList<ChatMessage> messages)
    {
        var result = messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Last();
        return JsonDocument.Parse(result.Result?.ToString() ?? "null").RootElement.Clone();
    }

    private ChatResponse Next(IReadOnlyList<ChatMessage> messages) =>
        _steps.TryDequeue(out var step) ? step(messages) : throw new InvalidOperationException("The scripted model has no step left.");
}

/// <summary>Reading a run's tool results.</summary>
internal static class RunResults
{
    /// <summary>The tool results of a run, in order, with the tool names.</summary>
    public static IReadOnlyList<(string Tool, string Text)> ToolResults(this AgentRunResult result)
    {
        var names = result.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToDictionary(c => c.CallId, c => c.Name);
        return [.. result.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Select(r => (names[r.CallId], r.Result?.ToString() ?? string.Empty))];
    }

    public static JsonElement Json(this (string Tool, string Text) result) => JsonDocument.Parse(result.Text).RootElement.Clone();

    public static string Status(this (string Tool, string Text) result) => result.Json().GetProperty("status").GetString()!;
}
