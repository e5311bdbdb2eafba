using AgentKit.LlamaCpp.Models;

namespace AgentKit.Cli.Commands;

/// <summary>Finds the GGUF chat model a command runs: the one given with <c>--model</c>, else the default one.</summary>
internal static class LocalChatModel
{
    public const string OptionDescription = "The GGUF model file. Default: Qwen2.5-0.5B-Instruct (Q4_K_M) from the model cache, downloaded on first use.";

    /// <summary>
    /// The model file: <paramref name="path"/> when given, else the default chat model from the cache, downloaded
    /// (behind a progress bar, Ctrl+C stopping it) on first use.
    /// </summary>
    /// <returns>The path, or null when the download host could not be reached (the reason is already written).</returns>
    public static async Task<string?> ResolveAsync(CliContext context, string? path, CancellationToken cancellationToken)
    {
        if (path is not null)
        {
            return path;
        }

        try
        {
            using var download = new CancelKeyScope(context.CancelKey, cancellationToken);
            return await ModelPuller.PullAsync(context, KnownModels.DefaultChat, download.Token).ConfigureAwait(false);
        }
        catch (ModelDownloadException e) when (e.IsOffline)
        {
            // The library's advice ends with the cache path; the CLI has one more way out.
            CommandErrors.Write(context, e.Message.TrimEnd('.') + " or pass --model <path>.");
            return null;
        }
    }
}
