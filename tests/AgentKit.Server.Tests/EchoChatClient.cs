using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace AgentKit.Server.Tests;

/// <summary>
/// A test double standing in for the model: answers "echo: &lt;last user text&gt;", calls the first offered tool
/// with the user's text when tools are offered, and reports the tool's result after a tool message. Records requests.
/// </summary>
internal sealed class EchoChatClient : IChatClient
{
    public List<(List<ChatMessage> Messages, ChatOptions? Options)> Requests { get; } = [];

    /// <summary>When set, every call waits for it (to hold requests open).</summary>
    public TaskCompletionSource? Gate { get; set; }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        lock (Requests)
        {
            Requests.Add((list, options));
        }

        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        var last = list[^1];
        ChatMessage answer;
        if (last.Role == ChatRole.Tool)
        {
            var result = last.Contents.OfType<FunctionResultContent>().Single();
            answer = new ChatMessage(ChatRole.Assistant, $"tool said {result.Result}");
        }
        else if (options?.Tools is { Count: > 0 } tools && options.ToolMode != ChatToolMode.None)
        {
            answer = new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call_1", tools[0].Name, new Dictionary<string, object?> { ["text"] = last.Text })]);
        }
        else
        {
            answer = new ChatMessage(ChatRole.Assistant, $"echo: {last.Text}");
        }

        var finish = answer.Contents.OfType<FunctionCallContent>().Any() ? ChatFinishReason.ToolCalls : ChatFinishReason.Stop;
        return new ChatResponse(answer)
        {
            FinishReason = finish,
            Usage = new UsageDetails { InputTokenCount = list.Sum(m => m.Text.Length), OutputTokenCount = answer.Text.Length, TotalTokenCount = list.Sum(m => m.Text.Length) + answer.Text.Length },
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (var update in response.ToChatResponseUpdates())
        {
            // Text arrives word by word, as a model streams it.
            if (update.Contents is [TextContent text])
            {
                foreach (var word in text.Text.Split(' ').Select((w, i) => i == 0 ? w : " " + w))
                {
                    yield return new ChatResponseUpdate(ChatRole.Assistant, word);
                }

                continue;
            }

            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
