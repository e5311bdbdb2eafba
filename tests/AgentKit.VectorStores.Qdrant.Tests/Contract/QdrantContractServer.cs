using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using AgentKit.Testing.Http;

namespace AgentKit.VectorStores.Qdrant.Tests.Contract;

/// <summary>What the contract server answers: a JSON envelope or plain text, a status and headers.</summary>
internal sealed record QdrantReply(int Status, JsonNode? Json, string? Text = null)
{
    public Dictionary<string, string> Headers { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    public TimeSpan Delay { get; init; }

    public QdrantReply WithHeader(string name, string value)
    {
        var copy = this with { Headers = new Dictionary<string, string>(Headers, StringComparer.OrdinalIgnoreCase) };
        copy.Headers[name] = value;
        return copy;
    }

    /// <summary><c>{"result": …, "status": "ok", "time": …}</c>.</summary>
    public static QdrantReply Ok(JsonNode? result) =>
        new(200, new JsonObject { ["result"] = result, ["status"] = "ok", ["time"] = 0.0012 });

    /// <summary>Qdrant's error envelope <c>{"status": {"error": …}, "time": …}</c>.</summary>
    public static QdrantReply Error(int status, string message) =>
        new(status, new JsonObject { ["status"] = new JsonObject { ["error"] = message }, ["time"] = 0.0004 });

    /// <summary>A plain-text body, as Qdrant answers 401.</summary>
    public static QdrantReply Plain(int status, string text) => new(status, null, text);

    public static QdrantReply Updated() => Ok(new JsonObject { ["operation_id"] = 7, ["status"] = "completed" });
}

/// <summary>
/// A loopback Qdrant stand-in: every request is validated against Qdrant's OpenAPI v1.19 schema (strict) and the
/// v1.10 schema (the oldest supported server); every canned answer against v1.19's response schema. A request
/// that breaks a schema is answered 422 and recorded, so <see cref="AssertNoViolations"/> fails the test.
/// </summary>
internal sealed class QdrantContractServer : IAsyncDisposable
{
    internal static readonly OpenApiValidator V119 = OpenApiValidator.Load("openapi-v1.19.json");
    internal static readonly OpenApiValidator V110 = OpenApiValidator.Load("openapi-v1.10.json");

    private readonly LoopbackHttpServer _server;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<QdrantReply>> _once = new();
    private readonly ConcurrentDictionary<string, Func<LoopbackRequest, QdrantReply>> _handlers = new();
    private readonly ConcurrentQueue<string> _violations = new();

    public QdrantContractServer() => _server = new LoopbackHttpServer(Serve);

    public Uri BaseAddress => _server.BaseAddress;

    public IReadOnlyList<LoopbackRequest> Requests => _server.Requests;

    public IReadOnlyList<string> Violations => [.. _violations];

    /// <summary>Answers every <paramref name="method"/> <paramref name="path"/> request with <paramref name="handler"/>.</summary>
    public QdrantContractServer On(string method, string path, Func<LoopbackRequest, QdrantReply> handler)
    {
        _handlers[$"{method} {path}"] = handler;
        return this;
    }

    public QdrantContractServer On(string method, string path, QdrantReply reply) => On(method, path, _ => reply);

    /// <summary>Answers the next request to the route with <paramref name="reply"/>, before any handler.</summary>
    public QdrantContractServer Once(string method, string path, QdrantReply reply)
    {
        _once.GetOrAdd($"{method} {path}", _ => new ConcurrentQueue<QdrantReply>()).Enqueue(reply);
        return this;
    }

    /// <summary>The requests to a route, in order.</summary>
    public List<LoopbackRequest> RequestsTo(string method, string path) =>
        [.. Requests.Where(r => r.Method == method && r.PathOnly == path)];

    public static JsonNode Body(LoopbackRequest request) => JsonNode.Parse(request.Body)!;

    public QdrantVectorStore CreateStore(Action<QdrantVectorStoreOptions>? configure = null)
    {
        var options = new QdrantVectorStoreOptions { Endpoint = BaseAddress, RetryBaseDelay = TimeSpan.FromMilliseconds(5), Timeout = TimeSpan.FromSeconds(20) };
        configure?.Invoke(options);
        return new QdrantVectorStore(new HttpClient(), options);
    }

    public void AssertNoViolations() => Assert.True(_violations.IsEmpty, string.Join(Environment.NewLine, _violations));

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private LoopbackResponse Serve(LoopbackRequest request)
    {
        var route = $"{request.Method} {request.PathOnly}";
        var requestErrors = V119.ValidateRequest(request.Method, request.PathOnly, request.Query, request.Body)
            .Concat(V110.ValidateRequest(request.Method, request.PathOnly, request.Query, request.Body)).ToList();
        if (requestErrors.Count > 0)
        {
            foreach (var error in requestErrors)
            {
                _violations.Enqueue(error);
            }

            return Send(request, QdrantReply.Error(422, "Contract violation: " + requestErrors[0]));
        }

        QdrantReply reply;
        if (_once.TryGetValue(route, out var queue) && queue.TryDequeue(out var next))
        {
            reply = next;
        }
        else if (_handlers.TryGetValue(route, out var handler))
        {
            reply = handler(request);
        }
        else
        {
            _violations.Enqueue($"unexpected request {route}");
            reply = QdrantReply.Error(404, $"Not found: {route}");
        }

        return Send(request, reply);
    }

    private LoopbackResponse Send(LoopbackRequest request, QdrantReply reply)
    {
        byte[] body;
        var headers = new Dictionary<string, string>(reply.Headers, StringComparer.OrdinalIgnoreCase);
        if (reply.Json is not null)
        {
            if (V119.Operation(request.Method, request.PathOnly) is not null)
            {
                foreach (var error in V119.ValidateResponse(request.Method, request.PathOnly, reply.Status, reply.Json))
                {
                    _violations.Enqueue("canned " + error);
                }
            }

            body = Encoding.UTF8.GetBytes(reply.Json.ToJsonString());
            headers["Content-Type"] = "application/json";
        }
        else
        {
            body = Encoding.UTF8.GetBytes(reply.Text ?? string.Empty);
            headers["Content-Type"] = "text/plain; charset=utf-8";
        }

        return new LoopbackResponse(reply.Status, body) { Headers = headers, Delay = reply.Delay };
    }
}

/// <summary>Points and results in the shapes Qdrant answers with.</summary>
internal static class QdrantJson
{
    public static JsonObject Record(JsonNode id, JsonObject payload, JsonNode? vector = null)
    {
        var record = new JsonObject { ["id"] = id, ["payload"] = payload };
        if (vector is not null)
        {
            record["vector"] = vector;
        }

        return record;
    }

    public static JsonObject Scored(JsonNode id, double score, JsonObject payload, JsonNode? vector = null)
    {
        var point = Record(id, payload, vector);
        point["score"] = score;
        point["version"] = 3;
        return point;
    }

    public static JsonArray Floats(params float[] values) => [.. values.Select(v => (JsonNode)JsonValue.Create(v))];

    public static string Invariant(double value) => value.ToString(CultureInfo.InvariantCulture);
}
