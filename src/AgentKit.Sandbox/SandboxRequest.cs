using System.Text.Json;

namespace AgentKit.Sandbox;

/// <summary>A program to run in <see cref="IJavaScriptSandbox"/>.</summary>
public sealed record SandboxRequest
{
    /// <summary>Creates a request.</summary>
    /// <param name="code">JavaScript source, run as a strict-mode script; the value of its last expression statement is the result.</param>
    public SandboxRequest(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        Code = code;
    }

    /// <summary>The source.</summary>
    public string Code { get; }

    /// <summary>
    /// A JSON value the program reads as the frozen global <c>input</c> (parsed by the interpreter's <c>JSON.parse</c>,
    /// so no .NET object crosses over): a tool's argument object, validated against its schema by the caller. Default: none
    /// (<c>input</c> is <c>undefined</c>).
    /// </summary>
    public JsonElement? Input { get; init; }

    /// <summary>The seed of <c>Math.random</c> for this run. Default: <see cref="SandboxOptions.RandomSeed"/>.</summary>
    public int? RandomSeed { get; init; }
}

/// <summary>What a completed program produced.</summary>
public sealed record SandboxResult
{
    /// <summary>What it printed with <c>console.log</c> (and <c>console.info/warn/error</c>, <c>print</c>), one line per call.</summary>
    public required string Output { get; init; }

    /// <summary>
    /// Its result as JSON: the value of the last expression statement (a promise is awaited); <see langword="null"/>
    /// when that is <c>undefined</c> or a function.
    /// </summary>
    public string? Result { get; init; }

    /// <summary>Wall-clock time of the run, engine creation included, queueing excluded.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>
    /// The answer a reader wants: the last line the program printed, or else the result (a JSON string's text
    /// unquoted); <see langword="null"/> when it printed nothing and has no result.
    /// </summary>
    public string? Answer
    {
        get
        {
            var lines = Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (lines.Length > 0)
            {
                return lines[^1];
            }

            if (Result is null)
            {
                return null;
            }

            using var document = JsonDocument.Parse(Result);
            return document.RootElement.ValueKind == JsonValueKind.String ? document.RootElement.GetString() : Result;
        }
    }
}

/// <summary>Runs JavaScript programs within <see cref="SandboxOptions"/>' limits; registered by <c>AddAgentKitSandbox</c>.</summary>
public interface IJavaScriptSandbox
{
    /// <summary>Runs a program in a fresh interpreter (nothing it changes outlives the run).</summary>
    /// <param name="request">The program and its input.</param>
    /// <param name="cancellationToken">Stops the program (raises <see cref="OperationCanceledException"/>).</param>
    /// <returns>What it printed and its result.</returns>
    /// <exception cref="SandboxLimitExceededException">It ran into a limit; <see cref="SandboxLimitExceededException.Limit"/> says which.</exception>
    /// <exception cref="SandboxScriptException">It does not parse or threw an exception it did not catch.</exception>
    Task<SandboxResult> RunAsync(SandboxRequest request, CancellationToken cancellationToken = default);
}
