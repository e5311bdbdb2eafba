namespace AgentKit.Planning;

/// <summary>Options of <see cref="SelfCheckPlanner"/>; the answer, revision and budget settings are <see cref="ReviewOptions"/>'.</summary>
public sealed record SelfCheckOptions : ReviewOptions
{
    /// <summary>
    /// A check in code; when set it replaces the verifier prompt (no model call to verify). An exception it throws
    /// ends the run and reaches the caller. Not bindable from configuration: set it in code. Default: none (the model
    /// verifies with <see cref="VerifyPrompt"/>).
    /// </summary>
    public AnswerVerifier? Verifier { get; init; }

    /// <summary>The verifier prompt (structured <c>{accept, feedback}</c>). Default: <c>planning/verify</c>.</summary>
    public string VerifyPrompt { get; init; } = "planning/verify";
}
