namespace AgentKit.Cli;

/// <summary>The process exit codes agentkit uses; scripts may rely on them.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>A typed error: bad input, a bad model file, a refused or failed download.</summary>
    public const int Error = 1;

    /// <summary>A model had to be downloaded but the host could not be reached.</summary>
    public const int Offline = 2;

    /// <summary><c>agentkit eval</c>: a metric dropped below the baseline beyond the tolerance, or the pass rate below <c>--min-pass-rate</c>.</summary>
    public const int EvalRegression = 3;

    /// <summary>Stopped with Ctrl+C (128 + SIGINT, as shells report it).</summary>
    public const int Cancelled = 130;
}
