using System.Buffers.Binary;
using System.Collections.Concurrent;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace AgentKit.VectorStores.Qdrant.Tests.Grpc;

/// <summary>A call as the loopback server received it over HTTP/2: the path (<c>/qdrant.Collections/CollectionExists</c>), the headers and the message bytes.</summary>
internal sealed record ReceivedCall(string Path, IReadOnlyDictionary<string, string> Headers, byte[] Message);

/// <summary>
/// Kestrel on 127.0.0.1 speaking gRPC over HTTP/2 without TLS, as a Qdrant server does on port 6334: each call's
/// length-prefixed message is read and recorded, and the answer the test gives for its path is sent back with
/// <c>grpc-status: 0</c> in the trailers. Real sockets, so Qdrant.Client's own channel is exercised.
/// </summary>
internal sealed class LoopbackGrpcServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedCall> _calls = new();

    public LoopbackGrpcServer(Func<string, IMessage> answer)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        _app = builder.Build();
        _app.Run(async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            var frame = body.ToArray();
            var length = BinaryPrimitives.ReadInt32BigEndian(frame.AsSpan(1, 4));
            _calls.Enqueue(new ReceivedCall(
                context.Request.Path, context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), frame[5..(5 + length)]));

            var message = answer(context.Request.Path!).ToByteArray();
            var reply = new byte[5 + message.Length];
            BinaryPrimitives.WriteInt32BigEndian(reply.AsSpan(1, 4), message.Length);
            message.CopyTo(reply, 5);
            context.Response.ContentType = "application/grpc";
            context.Response.DeclareTrailer("grpc-status");
            await context.Response.Body.WriteAsync(reply, context.RequestAborted);
            context.Response.AppendTrailer("grpc-status", "0");
        });
        _app.StartAsync().GetAwaiter().GetResult();
        Address = new Uri(_app.Urls.Single());
    }

    public Uri Address { get; }

    public IReadOnlyList<ReceivedCall> Calls => [.. _calls];

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
