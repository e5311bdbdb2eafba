using AgentKit.LlamaCpp;
using AgentKit.LlamaCpp.Chat;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace AgentKit.Cli.Commands;

/// <summary>Creates the chat command's <see cref="IChatClient"/>: llama.cpp in-process over the loaded model.</summary>
internal static class LlamaChatClientFactory
{
    public static IChatClient Create(LlamaModel model, ChatEngineSettings settings, ILoggerFactory loggerFactory)
    {
        var contextOptions = new LlamaChatClientOptions().Context;
        if (settings.ContextSize is { } size)
        {
            contextOptions = contextOptions with { ContextSize = size };
        }

        if (settings.Threads is { } threads)
        {
            contextOptions = contextOptions with { Threads = threads, BatchThreads = threads };
        }

        return new LlamaChatClient(model, new LlamaChatClientOptions { Context = contextOptions }, loggerFactory);
    }
}
