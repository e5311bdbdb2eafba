using System.Diagnostics;
using System.Text.Json;
using AgentKit.Abstractions.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentKit.Abstractions.Tools;

/// <summary>
/// AgentKit's one tool pipeline. Every tool call — the model loop's, a planner's, the MCP server's — runs through
/// <see cref="InvokeAsync(string, AIFunctionArguments, string?, CancellationToken)"/> (or a
/// <see cref="GovernedAIFunction"/> from <see cref="Govern"/>), which checks in this order: the allowlist, the
/// arguments against the tool's JSON schema and the .NET ranges of its parameters, approval, then runs the tool under
/// its timeout (abandoning a tool that ignores cancellation) and caps the result; each call gets an
/// <c>execute_tool</c> span, a duration measurement and a log line for every refusal or failure.
/// </summary>
public sealed class ToolGovernor
{
    private readonly Dictionary<string, GovernedAIFunction>? _tools;
    private readonly IReadOnlySet<string>? _allowlist;
    private readonly ILogger _logger;
    private readonly IToolApprovalHandler _approvals;

    /// <summary>Creates a pipeline over a fixed set of tools: the allowlist is exactly these tools.</summary>
    /// <param name="tools">The tools that may be called; a <see cref="GovernedAIFunction"/> keeps the governor it came from.</param>
    /// <param name="options">Timeouts, result caps, approval policies; defaults when <see langword="null"/>.</param>
    /// <param name="approvalHandler">Decides calls that need approval; <see langword="null"/> denies them.</param>
    /// <param name="loggerFactory">Logging.</param>
    /// <exception cref="ToolSchemaException">A tool's schema cannot be enforced.</exception>
    /// <exception cref="ArgumentException">Two tools have the same name.</exception>
    public ToolGovernor(IEnumerable<AIFunction> tools, ToolPipelineOptions? options = null, IToolApprovalHandler? approvalHandler = null, ILoggerFactory? loggerFactory = null)
        : this(options, approvalHandler, loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(tools);
        _tools = new Dictionary<string, GovernedAIFunction>(StringComparer.Ordinal);
        foreach (var tool in tools)
        {
            if (!_tools.TryAdd(tool.Name, Govern(tool)))
            {
                throw new ArgumentException($"Two tools are named '{tool.Name}'; tool names must be unique.", nameof(tools));
            }
        }

        Tools = [.. _tools.Values];
        _allowlist = _tools.Keys.ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Creates a pipeline that governs any tool handed to <see cref="Govern"/> (no allowlist of its own).</summary>
    /// <param name="options">Timeouts, result caps, approval policies; defaults when <see langword="null"/>.</param>
    /// <param name="approvalHandler">Decides calls that need approval; <see langword="null"/> denies them.</param>
    /// <param name="loggerFactory">Logging.</param>
    public ToolGovernor(ToolPipelineOptions? options = null, IToolApprovalHandler? approvalHandler = null, ILoggerFactory? loggerFactory = null)
    {
        Options = options ?? new ToolPipelineOptions();
        _approvals = approvalHandler ?? DenyingToolApprovalHandler.Instance;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<ToolGovernor>();
    }

    /// <summary>The pipeline's options.</summary>
    public ToolPipelineOptions Options { get; }

    /// <summary>The governed tools of a fixed set, in registration order; empty for an open governor.</summary>
    public IReadOnlyList<GovernedAIFunction> Tools { get; } = [];

    /// <summary>The session named in approval requests. Defaults to empty.</summary>
    public string SessionId { get; init; } = "";

    /// <summary>The agent named in approval requests. Defaults to empty.</summary>
    public string AgentName { get; init; } = "";

    /// <summary>Whether spans carry arguments and results (they may hold personal data). Defaults to <see langword="false"/>.</summary>
    public bool EnableSensitiveData { get; init; }

    /// <summary>The clock of approval requests. Defaults to the system clock.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    internal IToolCallObserver? Observer { get; init; }

    /// <summary>Only these names may be called; <see langword="null"/> allows any governed tool. Set for a tool set given per request.</summary>
    internal IReadOnlySet<string>? Allowlist
    {
        get => _allowlist;
        init => _allowlist = value;
    }

    /// <summary>Wraps <paramref name="tool"/> in this pipeline, compiling its schema once.</summary>
    /// <param name="tool">The tool; one already governed (by any governor) is returned as it is.</param>
    /// <returns>The governed tool.</returns>
    /// <exception cref="ToolSchemaException">The tool's schema cannot be enforced.</exception>
    public GovernedAIFunction Govern(AIFunction tool)
    {
        ArgumentNullException.ThrowIfNull(tool);
        if (tool is GovernedAIFunction governed)
        {
            return governed;
        }

        _ = ToolSchemas.For(tool);
        return new GovernedAIFunction(tool, this);
    }

    /// <summary>Calls the tool named <paramref name="name"/> from this governor's set through the pipeline.</summary>
    /// <param name="name">The tool's name, as the model wrote it (an exact match first, then one ignoring case).</param>
    /// <param name="arguments">The arguments.</param>
    /// <param name="callId">The caller's id for the call; one is made when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The outcome; a name outside the set is <see cref="ToolCallStatus.NotAllowed"/>.</returns>
    public ValueTask<ToolCallOutcome> InvokeAsync(string name, AIFunctionArguments arguments, string? callId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var tool = _tools is null ? null
            : _tools.TryGetValue(name, out var exact) ? exact
            : _tools.Values.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase));
        return tool is not null
            ? tool.InvokeGovernedAsync(arguments, callId, cancellationToken)
            : InvokeAsync(null, name, arguments, callId ?? NewCallId(), approved: false, cancellationToken);
    }

    /// <summary>How an invalid-arguments result starts; the model loop's retry budget counts results with this prefix.</summary>
    internal const string InvalidArgumentsPrefix = "Error: invalid arguments for tool ";

    internal static string NewCallId() => Guid.NewGuid().ToString("N");

    /// <summary>The registered tool behind <paramref name="function"/> (the loop may hand over a wrapper such as <see cref="ApprovalRequiredAIFunction"/>), whose schema is compiled already.</summary>
    internal AIFunction Registered(AIFunction function) =>
        _tools is not null && _tools.TryGetValue(function.Name, out var governed) ? governed.Inner : function;

    internal bool IsAllowed(string name) => _allowlist is null || _allowlist.Contains(name);

    internal bool RequiresApproval(AIFunction tool) => Options.RequiresApproval(tool.Name) || tool.GetService<ApprovalRequiredAIFunction>() is not null;

    // The pipeline for one call. `tool` is null for a name that matches no tool; `approved` says the caller already
    // obtained approval (Microsoft.Extensions.AI's approval round trip in the model loop).
    internal async ValueTask<ToolCallOutcome> InvokeAsync(AIFunction? tool, string name, AIFunctionArguments arguments, string callId, bool approved, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var activity = StartActivity(name, callId, arguments);
        var outcome = await RunAsync(tool, name, arguments, callId, approved, cancellationToken).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started);
        SetOutcome(activity, outcome.Status);
        if (EnableSensitiveData)
        {
            activity?.SetTag(TelemetryAttributes.ToolCallResult, outcome.Text);
        }

        if (ToolTelemetry.ToolDuration.Enabled)
        {
            ToolTelemetry.ToolDuration.Record(
                elapsed.TotalSeconds,
                new KeyValuePair<string, object?>(TelemetryAttributes.ToolName, name),
                new KeyValuePair<string, object?>(TelemetryAttributes.ToolStatus, outcome.Status.ToString()));
        }

        Observer?.OnToolCallCompleted(new ToolCallRecord(callId, name, outcome.Status, outcome.Text, elapsed));
        return outcome;
    }

    /// <summary>The schema errors, then the .NET range errors, of <paramref name="arguments"/> for <paramref name="tool"/>; empty when they fit.</summary>
    internal static IReadOnlyList<string> ValidateArguments(AIFunction tool, IDictionary<string, object?>? arguments)
    {
        if (ToolSchemas.For(tool) is not { } validator)
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

        var errors = validator.Validate(instance);
        return errors.Count > 0 ? errors : ParameterRanges.Check(tool, instance);
    }

    internal static void SetOutcome(Activity? activity, ToolCallStatus status)
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

    private Activity? StartActivity(string name, string callId, AIFunctionArguments arguments)
    {
        var activity = ToolTelemetry.Source.StartActivity(ToolTelemetry.ToolCallActivityName, ActivityKind.Internal);
        if (activity is null)
        {
            return null;
        }

        activity.DisplayName = $"{ToolTelemetry.ToolCallActivityName} {name}";
        activity.SetTag(TelemetryAttributes.ToolName, name);
        activity.SetTag(TelemetryAttributes.ToolCallId, callId);
        if (EnableSensitiveData)
        {
            activity.SetTag(TelemetryAttributes.ToolCallArguments, JsonSerializer.Serialize(
                (IDictionary<string, object?>)arguments, ToolTelemetry.Json.GetTypeInfo(typeof(IDictionary<string, object?>))));
        }

        return activity;
    }

    private async ValueTask<ToolCallOutcome> RunAsync(AIFunction? tool, string name, AIFunctionArguments arguments, string callId, bool approved, CancellationToken cancellationToken)
    {
        if (tool is null || !IsAllowed(tool.Name))
        {
            ToolsLog.ToolNotAllowed(_logger, name, callId);
            var available = _tools is { Count: > 0 } ? $" The tools are: {string.Join(", ", _tools.Keys)}." : "";
            return new(ToolCallStatus.NotAllowed, $"Error: the tool '{name}' is not available to this agent. Use only the tools you were given.{available}");
        }

        IReadOnlyList<string> errors;
        try
        {
            errors = ValidateArguments(tool, arguments);
        }
        catch (ToolSchemaException e)
        {
            // Only a tool handed over per request gets here; registered tools were refused at registration.
            ToolsLog.ToolFailed(_logger, e, name, callId);
            return new(ToolCallStatus.Failed, $"Error: {e.Message}");
        }

        if (errors.Count > 0)
        {
            var joined = string.Join("; ", errors);
            ToolsLog.ToolArgumentsInvalid(_logger, name, callId, joined);
            return new(ToolCallStatus.InvalidArguments, $"{InvalidArgumentsPrefix}'{name}': {joined}. Call it again with arguments that match its parameter schema.");
        }

        if (!approved && RequiresApproval(tool))
        {
            var request = new ToolApprovalRequest(
                NewCallId(), SessionId, AgentName, name, callId, new Dictionary<string, object?>(arguments), TimeProvider.GetUtcNow());
            var decision = await _approvals.RequestApprovalAsync(request, cancellationToken).ConfigureAwait(false);
            if (!decision.Approved)
            {
                return new(ToolCallStatus.Denied, $"Error: the call to '{name}' needs approval and was denied: {decision.Reason ?? "no reason given"}. It did not run.");
            }
        }

        var timeout = Options.TimeoutFor(name);
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        object? result;
        try
        {
            // On the thread pool and awaited with the token: a tool that blocks its thread or ignores cancellation
            // is abandoned at the timeout instead of hanging the caller (it keeps running until it returns on its own).
            var invocation = Task.Run(() => tool.InvokeAsync(arguments, timeoutSource.Token).AsTask(), timeoutSource.Token);
            _ = invocation.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            result = await invocation.WaitAsync(timeoutSource.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            ToolsLog.ToolTimedOut(_logger, name, callId, timeout);
            return new(ToolCallStatus.TimedOut, $"Error: the tool '{name}' did not finish within {timeout.TotalSeconds:0.###} seconds and was cancelled.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            ToolsLog.ToolFailed(_logger, ex, name, callId);
            var detail = Options.ExposeExceptionMessages ? $" {ex.GetType().Name}: {ex.Message}" : string.Empty;
            return new(ToolCallStatus.Failed, $"Error: the tool '{name}' failed.{detail}");
        }

        var full = ToolResultFormatter.ToText(result);
        var cap = Options.MaxResultLengthFor(name);
        var capped = ToolResultFormatter.Truncate(full, cap, out var truncated);
        if (truncated)
        {
            ToolsLog.ToolResultTruncated(_logger, name, full.Length, cap);
        }

        return new(ToolCallStatus.Succeeded, capped);
    }
}
