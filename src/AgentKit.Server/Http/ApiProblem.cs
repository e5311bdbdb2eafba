using Microsoft.AspNetCore.Http;

namespace AgentKit.Server.Http;

/// <summary>
/// A request the API refuses, answered as RFC 7807 problem details. The body also carries OpenAI's
/// <c>error</c> object (<c>message</c>, <c>type</c>, <c>param</c>, <c>code</c>) so OpenAI clients show the message.
/// </summary>
internal sealed class ApiProblemException(int status, string code, string message, string? param = null) : Exception(message)
{
    public int Status { get; } = status;

    public string Code { get; } = code;

    public string? Param { get; } = param;

    public IResult ToResult(IReadOnlyDictionary<string, string>? headers = null) => ApiProblem.Create(Status, Code, Message, Param, headers);
}

internal static class ApiProblem
{
    public static IResult Create(int status, string code, string message, string? param = null, IReadOnlyDictionary<string, string>? headers = null)
    {
        var type = status switch
        {
            StatusCodes.Status400BadRequest => "invalid_request_error",
            StatusCodes.Status401Unauthorized => "authentication_error",
            StatusCodes.Status403Forbidden => "permission_error",
            StatusCodes.Status404NotFound => "not_found_error",
            StatusCodes.Status413PayloadTooLarge => "invalid_request_error",
            StatusCodes.Status415UnsupportedMediaType => "invalid_request_error",
            StatusCodes.Status429TooManyRequests => "rate_limit_error",
            _ => "server_error",
        };
        var result = Results.Problem(
            detail: message,
            statusCode: status,
            title: code.Replace('_', ' '),
            type: $"https://agentkit.dev/problems/{code}",
            extensions: new Dictionary<string, object?>
            {
                ["error"] = new Dictionary<string, object?> { ["message"] = message, ["type"] = type, ["param"] = param, ["code"] = code },
            });
        return headers is null || headers.Count == 0 ? result : new WithHeaders(result, headers);
    }

    /// <summary>The 400 for a JSON body whose strings hold bytes that are not UTF-8.</summary>
    public static ApiProblemException InvalidUtf8(Exception cause) =>
        new(StatusCodes.Status400BadRequest, "invalid_json", $"The request body is not valid JSON: a string holds bytes that are not UTF-8 ({cause.InnerException?.Message ?? cause.Message}). Send the body as UTF-8.");

    private sealed class WithHeaders(IResult inner, IReadOnlyDictionary<string, string> headers) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            foreach (var (name, value) in headers)
            {
                httpContext.Response.Headers[name] = value;
            }

            return inner.ExecuteAsync(httpContext);
        }
    }
}
