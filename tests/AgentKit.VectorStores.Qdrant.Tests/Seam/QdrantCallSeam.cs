using System.Collections.Concurrent;
using Google.Protobuf;
using Grpc.Core;
using Qdrant.Client;
using Qdrant.Client.Grpc;

namespace AgentKit.VectorStores.Qdrant.Tests.Seam;

/// <summary>A call as it reached the seam: the RPC (<c>Points/Upsert</c>) and the request, decoded from its wire bytes.</summary>
internal sealed record QdrantCall(string Rpc, IMessage Request)
{
    public T As<T>() where T : IMessage => (T)Request;
}

/// <summary>
/// Qdrant.Client's own <see cref="QdrantClient"/> on a <see cref="CallInvoker"/> that answers in process: every
/// request is serialized to its wire bytes and parsed back before it is recorded, and every answer goes the
/// same way, so tests see exactly the protobuf messages that would cross the wire. Handlers answer by RPC name
/// (<c>Collections/Create</c>, <c>Points/Query</c>, …) or throw an <see cref="RpcException"/>; an RPC without a
/// handler fails with <c>Unimplemented</c>.
/// </summary>
internal sealed class QdrantCallSeam : CallInvoker
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Func<IMessage, IMessage>>> _once = new();
    private readonly ConcurrentDictionary<string, Func<IMessage, IMessage>> _handlers = new();
    private readonly ConcurrentQueue<QdrantCall> _calls = new();

    public IReadOnlyList<QdrantCall> Calls => [.. _calls];

    /// <summary>How long each answer waits (cancellable by the call's token).</summary>
    public TimeSpan Delay { get; set; }

    public IReadOnlyList<T> Requests<T>(string rpc) where T : IMessage => [.. _calls.Where(c => c.Rpc == rpc).Select(c => c.As<T>())];

    /// <summary>Answers every <paramref name="rpc"/> call.</summary>
    public QdrantCallSeam On<TRequest>(string rpc, Func<TRequest, IMessage> handler) where TRequest : IMessage
    {
        _handlers[rpc] = request => handler((TRequest)request);
        return this;
    }

    /// <summary>Answers the next <paramref name="rpc"/> call only; one-shot answers are used in order before <see cref="On{TRequest}"/>.</summary>
    public QdrantCallSeam Once<TRequest>(string rpc, Func<TRequest, IMessage> handler) where TRequest : IMessage
    {
        _once.GetOrAdd(rpc, _ => new()).Enqueue(request => handler((TRequest)request));
        return this;
    }

    public QdrantVectorStore CreateStore(Action<QdrantVectorStoreOptions>? configure = null)
    {
        var options = new QdrantVectorStoreOptions { RetryBaseDelay = TimeSpan.FromMilliseconds(10) };
        configure?.Invoke(options);
        return new QdrantVectorStore(new QdrantClient(new QdrantGrpcClient(this)), options);
    }

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        var rpc = $"{method.ServiceName.Replace("qdrant.", string.Empty, StringComparison.Ordinal)}/{method.Name}";
        var message = (IMessage)request;
        var decoded = message.Descriptor.Parser.ParseFrom(message.ToByteArray());
        _calls.Enqueue(new QdrantCall(rpc, decoded));
        var response = AnswerAsync(method, rpc, decoded, options.CancellationToken);
        return new AsyncUnaryCall<TResponse>(response, Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [], () => { });
    }

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        throw new NotSupportedException("Qdrant.Client makes asynchronous calls only.");

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        throw new NotSupportedException("Qdrant has no streaming RPCs.");

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        throw new NotSupportedException("Qdrant has no streaming RPCs.");

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        throw new NotSupportedException("Qdrant has no streaming RPCs.");

    private async Task<TResponse> AnswerAsync<TRequest, TResponse>(Method<TRequest, TResponse> method, string rpc, IMessage request, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Delay, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // What Grpc.Net.Client raises for a cancelled call.
            throw new RpcException(new Status(StatusCode.Cancelled, "Call canceled by the client."));
        }

        var handler = _once.TryGetValue(rpc, out var queue) && queue.TryDequeue(out var once) ? once
            : _handlers.TryGetValue(rpc, out var always) ? always
            : throw new RpcException(new Status(StatusCode.Unimplemented, $"No answer set up for {rpc}."));
        var answer = handler(request);
        return answer is TResponse
            ? (TResponse)answer.Descriptor.Parser.ParseFrom(answer.ToByteArray())
            : throw new InvalidOperationException($"{rpc} answers {typeof(TResponse).Name}; the test gave {answer.GetType().Name}.");
    }
}

/// <summary>Answers and failures as Qdrant sends them.</summary>
internal static class QdrantAnswers
{
    public static PointsOperationResponse Completed() => new() { Result = new UpdateResult { OperationId = 7, Status = UpdateStatus.Completed } };

    public static CollectionOperationResponse Collection(bool result = true) => new() { Result = result };

    public static CollectionExistsResponse Exists(bool exists) => new() { Result = new CollectionExists { Exists = exists } };

    public static RpcException Failure(StatusCode code, string detail, params (string Key, string Value)[] trailers)
    {
        var metadata = new Metadata();
        foreach (var (key, value) in trailers)
        {
            metadata.Add(key, value);
        }

        return new RpcException(new Status(code, detail), metadata);
    }

    public static Func<T, IMessage> Throw<T>(RpcException failure) => _ => throw failure;
}
