namespace AgentKit.Sandbox;

/// <summary>
/// Limits of <see cref="JavaScriptSandbox"/>, bound from the <c>AgentKit:Sandbox</c> configuration section by
/// <c>AddAgentKitSandbox(configuration)</c> and checked at start. The defaults suit short computations written by a
/// model (arithmetic, string and date handling, small data transformations).
/// </summary>
public sealed record SandboxOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "AgentKit:Sandbox";

    /// <summary>Wall-clock time one program may run, regular expressions and promise jobs included. Default: 2 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Statements one program may execute (at least 100). Default: 1,000,000.</summary>
    public int MaxStatements { get; set; } = 1_000_000;

    /// <summary>Bytes one program may allocate, as measured by the .NET allocator on its thread (at least 1 MiB). Default: 64 MiB.</summary>
    public long MaxMemoryBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Nested JavaScript calls (at least 8). Default: 200.</summary>
    public int MaxRecursionDepth { get; set; } = 200;

    /// <summary>Elements one array may hold (at least 16). Default: 1,000,000.</summary>
    public int MaxArrayLength { get; set; } = 1_000_000;

    /// <summary>Characters the program may print through <c>console.log</c>/<c>print</c>, in total (at least 64). Default: 16,384.</summary>
    public int MaxOutputChars { get; set; } = 16_384;

    /// <summary>Characters of the program's result as JSON (at least 64). Default: 16,384.</summary>
    public int MaxResultChars { get; set; } = 16_384;

    /// <summary>Characters of source code accepted (at least 64). Default: 32,768.</summary>
    public int MaxCodeChars { get; set; } = 32_768;

    /// <summary>Characters of the JSON input (<see cref="SandboxRequest.Input"/>) accepted (at least 64). Default: 65,536.</summary>
    public int MaxInputChars { get; set; } = 65_536;

    /// <summary>Programs running at once in this sandbox (1 to 256). Default: the processor count.</summary>
    public int MaxConcurrentRuns { get; set; } = Environment.ProcessorCount;

    /// <summary>How long a program waits for a free slot when <see cref="MaxConcurrentRuns"/> are running. Default: 5 seconds.</summary>
    public TimeSpan QueueTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The seed of <c>Math.random</c>, so a program gives the same output every run; a request may set its own. Default: 0.</summary>
    public int RandomSeed { get; set; }

    /// <summary>
    /// Whether <c>eval</c> and the <c>Function</c> constructor may compile strings. Off by default: programs do not
    /// need them, and with them off <c>constructor.constructor('return this')()</c> fails instead of reaching the
    /// global object. Turning them on keeps every limit (compiled code runs in the same sandbox).
    /// </summary>
    public bool AllowStringCompilation { get; set; }

    /// <summary>Checks the ranges; the message names the property.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Timeout, TimeSpan.Zero, nameof(Timeout));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Timeout, TimeSpan.FromMinutes(10), nameof(Timeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxStatements, 100, nameof(MaxStatements));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMemoryBytes, 1024L * 1024, nameof(MaxMemoryBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRecursionDepth, 8, nameof(MaxRecursionDepth));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxRecursionDepth, 10_000, nameof(MaxRecursionDepth));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxArrayLength, 16, nameof(MaxArrayLength));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxOutputChars, 64, nameof(MaxOutputChars));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxResultChars, 64, nameof(MaxResultChars));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxCodeChars, 64, nameof(MaxCodeChars));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxInputChars, 64, nameof(MaxInputChars));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConcurrentRuns, 1, nameof(MaxConcurrentRuns));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxConcurrentRuns, 256, nameof(MaxConcurrentRuns));
        ArgumentOutOfRangeException.ThrowIfLessThan(QueueTimeout, TimeSpan.Zero, nameof(QueueTimeout));
    }
}
