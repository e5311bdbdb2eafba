using System.Diagnostics;
using System.Text.Json;
using AgentKit.Abstractions.Diagnostics;
using AgentKit.Abstractions.Json;
using AgentKit.Agents.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace AgentKit.Agents.Tools;

/// <summary>
/// The <see cref="FunctionInvokingChatClient.FunctionInvoker"/> of the tool pipeline: allowlist, schema validation
/// before the tool runs, timeout, exception capture and result cap. Every refusal or failure becomes a
/// <c>Error: …</c> text the model can act on.
/// </summary>
internal sealed class ToolInvoker(ToolPipelineOptions options, IReadOnlySet<string>? allowlist, ILogger logger, IToolCallObserver? observer = null, bool sensitiveData = false)
{
    /// <summary>How an invalid-arguments result starts; the retry budget counts results with this prefix.</summary>
    public const string InvalidArgumentsPrefix = "Error: invalid arguments for tool ";

    public async ValueTask<object?> InvokeAsync(FunctionInvocationContext context, CancellationToken cancellationToken)
    {
        var function = context.Function;
        var name = function.Name;
        var callId = context.CallContent.CallId;
        var started = Stopwatch.GetTimestamp();

        // Microsoft.Extensions.AI's function invocation opens the conventional `execute_tool {name}` span around this
        // call; it cannot see the outcome (every failure comes back as an "Error: …" text), so it gets ours too.
        var conventional = Activity.Current is { } current && Equals(current.GetTagItem(TelemetryAttributes.ToolCallId), callId) ? current : null;
        using var activity = StartActivity(context, name, callId);

        var (status, text) = await RunAsync(context, function, name, callId, cancellationToken).ConfigureAwait(false);

        var elapsed = Stopwatch.GetElapsedTime(started);
        SetOutcome(activity, status);
        SetOutcome(conventional, status);
        if (sensitiveData)
        {
            activity?.SetTag(TelemetryAttributes.ToolCallResult, text);
        }

        if (AgentTelemetry.ToolDuration.Enabled)
        {
            AgentTelemetry.ToolDuration.Record(
                elapsed.TotalSeconds,
                new KeyValuePair<string, object?>(TelemetryAttributes.ToolName, name),
                new KeyValuePair<string, object?>(TelemetryAttributes.ToolStatus, status.ToString()));
        }

        observer?.OnToolCallCompleted(new ToolCallRecord(callId, name, status, text, elapsed));
        return text;
    }

    private static void SetOutcome(Activity? activity, ToolCallStatus status)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag(TelemetryAttributes.ToolStatus, status.ToString());
        if (status != ToolCallStatus.Succeeded)
        {
            activity.SetTag(TelemetryAttributes.ErrorType, status.ToString());
            activity.SetStatus(ActivityStatusCode.Error, status.ToString());
        }
    }

    private Activity? StartActivity(FunctionInvocationContext context, string name, string callId)
    {
        var activity = AgentTelemetry.Source.StartActivity(AgentTelemetry.ToolCallActivityName, ActivityKind.Internal);
        if (activity is null)
        {
            return null;
        }

        activity.DisplayName = $"{AgentTelemetry.ToolCallActivityName} {name}";
        activity.SetTag(TelemetryAttributes.ToolName, name);
        activity.SetTag(TelemetryAttributes.ToolCallId, callId);
        if (sensitiveData)
        {
            activity.SetTag(TelemetryAttributes.ToolCallArguments, JsonSerializer.Serialize(
                (IDictionary<string, object?>)context.Arguments, AgentTelemetry.Json.GetTypeInfo(typeof(IDictionary<string, object?>))));
        }

        return activity;
    }

    private async ValueTask<(ToolCallStatus, string)> RunAsync(FunctionInvocationContext context, AIFunction function, string name, string callId, CancellationToken cancellationToken)
    {
        if (allowlist is not null && !allowlist.Contains(name))
        {
            AgentsLog.ToolNotAllowed(logger, name, callId);
            return (ToolCallStatus.NotAllowed, $"Error: the tool '{name}' is not available to this agent. Use only the tools you were given.");
        }

        var errors = ValidateArguments(function, context.Arguments);
        if (errors.Count > 0)
        {
            var joined = string.Join("; ", errors);
            AgentsLog.ToolArgumentsInvalid(logger, name, callId, joined);
            var text = $"{InvalidArgumentsPrefix}'{name}': {joined}. Call it again with arguments that match its parameter schema.";
            if (CountInvalidResultsThisTurn(context.Messages) >= options.MaxInvalidArgumentRetries)
            {
                AgentsLog.ArgumentRetryBudgetExhausted(logger, name, options.MaxInvalidArgumentRetries);
                context.Terminate = true;
                observer?.OnArgumentRetryBudgetExhausted(name);
            }

            return (ToolCallStatus.InvalidArguments, text);
        }

        var timeout = options.TimeoutFor(name);
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        object? result;
        try
        {
            // On the thread pool and awaited with the token: a tool that blocks its thread or ignores cancellation
            // is abandoned at the timeout instead of hanging the run (it keeps running until it returns on its own).
            var invocation = Task.Run(() => function.InvokeAsync(context.Arguments, timeoutSource.Token).AsTask(), timeoutSource.Token);
            _ = invocation.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            result = await invocation.WaitAsync(timeoutSource.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            AgentsLog.ToolTimedOut(logger, name, callId, timeout);
            return (ToolCallStatus.TimedOut, $"Error: the tool '{name}' did not finish within {timeout.TotalSeconds:0.###} seconds and was cancelled.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            AgentsLog.ToolFailed(logger, ex, name, callId);
            var detail = options.ExposeExceptionMessages ? $" {ex.GetType().Name}: {ex.Message}" : string.Empty;
            return (ToolCallStatus.Failed, $"Error: the tool '{name}' failed.{detail}");
        }

        var full = ToolResultFormatter.ToText(result);
        var cap = options.MaxResultLengthFor(name);
        var capped = ToolResultFormatter.Truncate(full, cap, out var truncated);
        if (truncated)
        {
            AgentsLog.ToolResultTruncated(logger, name, full.Length, cap);
        }

        return (ToolCallStatus.Succeeded, capped);
    }

    /// <summary>
    /// Checks arguments against <see cref="AIFunctionDeclaration.JsonSchema"/> (a function without a schema accepts
    /// anything), then numbers against the range of the .NET parameter they bind to (see <see cref="ParameterRanges"/>).
    /// </summary>
    internal static IReadOnlyList<string> ValidateArguments(AIFunction function, IDictionary<string, object?>? arguments)
    {
        var schema = function.JsonSchema;
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return [];
        }

        JsonElement instance;
        try
        {
            instance = JsonSerializer.SerializeToElement(
                arguments ?? new Dictionary<string, object?>(),
                AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, object?>)));
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NotSupportedException)
        {
            // Arguments nested past the serializer's depth limit (or of a type it cannot write) are refused, not thrown.
            return [$"#: the arguments could not be checked: {e.Message}"];
        }

        var errors = JsonSchemaValidator.Validate(schema, instance);
        return errors.Count > 0 ? errors : ParameterRanges.Check(function, instance);
    }

    private static int CountInvalidResultsThisTurn(IList<ChatMessage> messages)
    {
        var count = 0;
        for (var i = messages.Count - 1; i >= 0; i--)
        {
            var message = messages[i];
            if (message.Role == ChatRole.User && !message.Contents.All(c => c is ToolApprovalResponseContent))
            {
                break;
            }

            foreach (var content in message.Contents)
            {
                if (content is FunctionResultContent { Result: string text } && text.StartsWith(InvalidArgumentsPrefix, StringComparison.Ordinal))
                {
                    count++;
                }
            }
        }

        return count;
    }
}
