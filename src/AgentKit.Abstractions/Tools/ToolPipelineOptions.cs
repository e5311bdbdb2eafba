using AgentKit.Abstractions.Evidence;

namespace AgentKit.Abstractions.Tools;

/// <summary>How the tool pipeline invokes tools: validation retry budget, timeouts and result size caps.</summary>
public sealed class ToolPipelineOptions
{
    private TimeSpan _defaultTimeout = TimeSpan.FromSeconds(30);
    private int _maxResultLength = 16_000;
    private int _maxInvalidArgumentRetries = 2;

    /// <summary>How long one tool invocation may run before the model gets a timeout error. Defaults to 30 seconds.</summary>
    public TimeSpan DefaultTimeout
    {
        get => _defaultTimeout;
        set => _defaultTimeout = value > TimeSpan.Zero || value == Timeout.InfiniteTimeSpan
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "The tool timeout must be positive or Timeout.InfiniteTimeSpan.");
    }

    /// <summary>The most characters of a tool result sent back to the model; longer results are cut and marked. Defaults to 16,000.</summary>
    public int MaxResultLength
    {
        get => _maxResultLength;
        set => _maxResultLength = value >= 64 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The result cap must be at least 64 characters.");
    }

    /// <summary>
    /// How many tool calls with arguments that fail schema validation the model may make in one turn (since the last
    /// user message) and still get the error back to correct itself; the next invalid call ends the turn. Defaults to 2.
    /// </summary>
    public int MaxInvalidArgumentRetries
    {
        get => _maxInvalidArgumentRetries;
        set => _maxInvalidArgumentRetries = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The retry budget cannot be negative.");
    }

    /// <summary>
    /// Whether a failing tool's exception message is shown to the model (type name and message, never the stack
    /// trace). Defaults to <see langword="true"/>; set <see langword="false"/> when tool messages may carry secrets.
    /// </summary>
    public bool ExposeExceptionMessages { get; set; } = true;

    /// <summary>
    /// How tool results that disagree within a turn are found and surfaced (<see cref="EvidenceConflictChatClient"/>);
    /// null turns it off. Default: on, with the detector's defaults.
    /// </summary>
    public EvidenceConflictOptions? EvidenceConflicts { get; set; } = new();

    /// <summary>Per-tool overrides, keyed by tool name (ordinal).</summary>
    public IDictionary<string, ToolPolicy> Policies { get; } = new Dictionary<string, ToolPolicy>(StringComparer.Ordinal);

    internal TimeSpan TimeoutFor(string tool) => Policies.TryGetValue(tool, out var p) && p.Timeout is { } t ? t : DefaultTimeout;

    internal int MaxResultLengthFor(string tool) => Policies.TryGetValue(tool, out var p) && p.MaxResultLength is { } m ? m : MaxResultLength;

    internal bool RequiresApproval(string tool) => Policies.TryGetValue(tool, out var p) && p.RequiresApproval;

    internal ToolIdempotency IdempotencyFor(string tool) => Policies.TryGetValue(tool, out var p) ? p.Idempotency : ToolIdempotency.NotIdempotent;
}
