using System.Runtime.CompilerServices;
using AgentKit.Abstractions;
using AgentKit.LlamaCpp;
using AgentKit.LlamaCpp.Chat;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace AgentKit.Hosting.Models;

/// <summary>
/// A <see cref="LlamaChatClient"/> over a model that may still be loading: the first request waits for the load,
/// so the host starts at once and warms the model up in the background. Offers <see cref="IMultiSequenceChatClient"/>
/// from the start, because its sequence count comes from configuration, not from the loaded model.
/// </summary>
internal sealed class DeferredLlamaChatClient : IChatClient, IMultiSequenceChatClient
{
    private readonly LlamaModelHost _host;
    private readonly LlamaModelHost? _draftHost;
    private readonly LlamaChatClientOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly Lock _gate = new();
    private LlamaChatClient? _client;
    private bool _disposed;

    public DeferredLlamaChatClient(LlamaModelHost host, LlamaChatClientOptions options, ILoggerFactory loggerFactory, LlamaModelHost? draftHost = null)
    {
        _host = host;
        _draftHost = draftHost;
        _options = options;
        _loggerFactory = loggerFactory;
        Metadata = new ChatClientMetadata("llama.cpp", null, options.ModelId ?? host.Name);
    }

    public ChatClientMetadata Metadata { get; }

    public int MaxSequences => _options.Batching?.MaxSequences ?? _options.Context.MaxSequences;

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var client = await GetClientAsync(cancellationToken).ConfigureAwait(false);
        return await client.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var client = await GetClientAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var update in client.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }
    }

    public async Task<IReadOnlyList<ChatResponse>> GetResponsesAsync(IEnumerable<ChatMessage> messages, int count, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var client = await GetClientAsync(cancellationToken).ConfigureAwait(false);
        return await client.GetResponsesAsync(messages, count, options, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ChatResponse>> GetResponsesAsync(IReadOnlyList<IEnumerable<ChatMessage>> conversations, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var client = await GetClientAsync(cancellationToken).ConfigureAwait(false);
        return await client.GetResponsesAsync(conversations, options, cancellationToken).ConfigureAwait(false);
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(ChatClientMetadata))
        {
            return Metadata;
        }

        // Anything only the loaded engine knows (the model, its tokenizer, the context pool) is there once it is loaded.
        var loaded = (Volatile.Read(ref _client) ?? CreateIfLoaded())?.GetService(serviceType, serviceKey);
        return loaded ?? (serviceType.IsInstanceOfType(this) ? this : null);
    }

    private LlamaChatClient? CreateIfLoaded()
    {
        if (_host.Loaded is not { } model)
        {
            return null;
        }

        lock (_gate)
        {
            return _disposed ? null : _client ??= new LlamaChatClient(model, _options, _loggerFactory);
        }
    }

    private async ValueTask<LlamaChatClient> GetClientAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _client) is { } ready)
        {
            return ready;
        }

        var model = await _host.GetModelAsync(cancellationToken).ConfigureAwait(false);
        // The speculative draft model (its own catalog entry) loads alongside; a vocabulary mismatch fails here, typed.
        var draft = _draftHost is null ? null : await _draftHost.GetModelAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _client ??= new LlamaChatClient(model, _options with { DraftModel = draft }, _loggerFactory);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _client?.Dispose();
            _client = null;
        }
    }
}
