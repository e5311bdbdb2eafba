using System.Globalization;
using AgentKit.Abstractions.Models;
using AgentKit.Hosting.Models;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentKit.Server.Http;

/// <summary>
/// Turns a failed AgentKit API request into problem details with OpenAI's <c>error</c> object: the request's own
/// faults (<see cref="ApiProblemException"/>), model failures by <see cref="ModelException.Kind"/> whatever the
/// provider, an oversized body, and anything else as a 500 naming only the exception type (never a stack trace on
/// the wire). Other endpoints of the application are left to the next handler.
/// </summary>
internal sealed partial class ApiExceptionHandler(IOptions<AgentKitServerOptions> options, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var feature = httpContext.Features.Get<IExceptionHandlerFeature>();
        if (feature?.Endpoint?.Metadata.GetMetadata<AgentKitApiMetadata>() is null)
        {
            return false;
        }

        var route = (feature.Endpoint as RouteEndpoint)?.RoutePattern.RawText;
        var result = exception switch
        {
            ApiProblemException problem => problem.ToResult(),
            ModelException model => FromModel(model, route, feature.Path),
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => TooLarge(route),
            BadHttpRequestException bad => ApiProblem.Create(bad.StatusCode, "invalid_request", $"The request could not be read: {bad.Message}"),
            _ => Unexpected(exception, feature.Path),
        };
        await result.ExecuteAsync(httpContext).ConfigureAwait(false);
        return true;
    }

    /// <summary>What a model failure says to the caller: a remote endpoint's reason without its address.</summary>
    public static string Describe(ModelException exception) =>
        exception is ModelEndpointException { Reason: { } reason } ? $"The model '{exception.ModelName}' failed: {reason}." : exception.Message;

    private IResult FromModel(ModelException exception, string? route, string path)
    {
        switch (exception.Kind)
        {
            case ModelFailureKind.ContextLengthExceeded:
                return ApiProblem.Create(StatusCodes.Status400BadRequest, "context_length_exceeded", Describe(exception), "messages");
            case ModelFailureKind.InvalidSchema:
                return ApiProblem.Create(StatusCodes.Status400BadRequest, "invalid_schema", exception.Message, exception.ToolName is null ? "response_format" : "tools");
            case ModelFailureKind.Busy:
                ServerTelemetry.Reject(route, "model_busy");
                var seconds = Math.Max(1, (int)Math.Ceiling((exception.RetryAfter ?? TimeSpan.FromSeconds(1)).TotalSeconds));
                return ApiProblem.Create(
                    StatusCodes.Status429TooManyRequests,
                    "model_busy",
                    exception.Message,
                    headers: new Dictionary<string, string> { ["Retry-After"] = seconds.ToString(CultureInfo.InvariantCulture) });
            case ModelFailureKind.Timeout or ModelFailureKind.Unavailable or ModelFailureKind.InvalidResponse:
                // The model failed, not this server: 504 when it timed out, else 502.
                Log.Failed(logger, path, exception);
                var status = exception.Kind == ModelFailureKind.Timeout ? StatusCodes.Status504GatewayTimeout : StatusCodes.Status502BadGateway;
                return ApiProblem.Create(status, "model_unavailable", Describe(exception));
            default:
                return Unexpected(exception, path);
        }
    }

    private IResult TooLarge(string? route)
    {
        ServerTelemetry.Reject(route, "too_large");
        return ApiProblem.Create(StatusCodes.Status413PayloadTooLarge, "request_too_large", $"The request body is larger than the limit of {options.Value.MaxRequestBodyBytes} bytes.");
    }

    private IResult Unexpected(Exception exception, string path)
    {
        Log.Failed(logger, path, exception);
        return ApiProblem.Create(StatusCodes.Status500InternalServerError, "internal_error", $"The request failed: {exception.GetType().Name}. The server log has the details.");
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "Request {Path} failed")]
        public static partial void Failed(ILogger logger, string path, Exception exception);
    }
}
