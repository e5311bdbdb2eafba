using System.Globalization;
using AgentKit.LlamaCpp.Models;
using Microsoft.Extensions.Configuration;

namespace ShopBot.Startup;

/// <summary>
/// Makes sure a chat model is configured before the host is built: when <c>AgentKit:Models</c> names no chat model,
/// the default small instruct model (<see cref="KnownModels.DefaultChat"/>, Qwen2.5-0.5B-Instruct Q4_K_M, about
/// 0.5 GB) is taken from the model cache or downloaded with a progress bar, and configured as the model <c>local</c>.
/// </summary>
public static class ModelSetup
{
    /// <summary>The model name ShopBot configures when none is.</summary>
    public const string DefaultModelName = "local";

    /// <summary>
    /// The default model's context in tokens: half of the 32,768 Qwen2.5-0.5B-Instruct is trained for, which holds the
    /// instructions, tool schemas, a policy search and a long conversation, with a KV cache of about 190 MB per context.
    /// </summary>
    public const int DefaultContextSize = 16_384;

    /// <summary>Configures the default model when no chat model is configured.</summary>
    /// <param name="configuration">The application's configuration; the model is added to it.</param>
    /// <param name="progressOutput">Where the progress bar goes (standard error).</param>
    /// <param name="cancellationToken">Stops the download (it resumes next time).</param>
    /// <returns>The path of the default model, or null when a chat model was already configured.</returns>
    /// <exception cref="ModelDownloadException">The download failed; <see cref="ModelDownloadException.IsOffline"/> when there is no network.</exception>
    public static async Task<string?> EnsureChatModelAsync(IConfigurationManager configuration, TextWriter progressOutput, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(progressOutput);
        var configured = configuration.GetSection("AgentKit:Models").GetChildren()
            .Any(m => !string.Equals(m["Kind"], "Embedding", StringComparison.OrdinalIgnoreCase));
        if (configured)
        {
            return null;
        }

        using var http = ModelDownloader.CreateHttpClient();
        var downloader = new ModelDownloader(http);
        var model = KnownModels.DefaultChat;
        var path = downloader.GetCachePath(model);
        if (!File.Exists(path))
        {
            progressOutput.WriteLine($"No chat model is configured; downloading the default model {model.File} ({model.Repository}, about 0.5 GB) to {path}");
            var bar = new ConsoleProgressBar(progressOutput, model.File);
            path = await downloader.PullAsync(model, bar, cancellationToken).ConfigureAwait(false);
            bar.Complete();
        }

        configuration[$"AgentKit:Models:{DefaultModelName}:Provider"] = "Llama";
        configuration[$"AgentKit:Models:{DefaultModelName}:Path"] = path;
        configuration[$"AgentKit:Models:{DefaultModelName}:ContextSize"] ??= DefaultContextSize.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return path;
    }

    /// <summary>The one line ShopBot prints when it is offline without a model.</summary>
    /// <param name="error">The download error.</param>
    /// <returns>What to do.</returns>
    public static string OfflineAdvice(ModelDownloadException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return $"ShopBot has no chat model: {error.Message} Or set AgentKit:Models:local:Path to a .gguf file, " +
            "or point AgentKit:Models:local at an OpenAI-compatible endpoint (Provider=OpenAI, Endpoint, Model, ApiKey).";
    }

    /// <summary>A one-line text progress bar, redrawn in place.</summary>
    private sealed class ConsoleProgressBar(TextWriter output, string name) : IProgress<DownloadProgress>
    {
        private const int Width = 30;
        private readonly Lock _lock = new();
        private int _lastPermille = -1;

        public void Report(DownloadProgress value)
        {
            lock (_lock)
            {
                var total = value.TotalBytes;
                var permille = total is > 0 ? (int)(value.BytesDownloaded * 1000 / total.Value) : -1;
                if (permille == _lastPermille && permille >= 0)
                {
                    return;
                }

                _lastPermille = permille;
                var filled = permille < 0 ? 0 : permille * Width / 1000;
                var megabytes = string.Create(CultureInfo.InvariantCulture, $"{value.BytesDownloaded / 1048576.0:0.0}{(total is { } t ? $" / {t / 1048576.0:0.0}" : string.Empty)} MB");
                var percent = permille < 0 ? "   ?" : string.Create(CultureInfo.InvariantCulture, $"{permille / 10.0,5:0.0}%");
                output.Write($"\r{name} [{new string('#', filled)}{new string('.', Width - filled)}] {percent} {megabytes}   ");
            }
        }

        public void Complete()
        {
            lock (_lock)
            {
                output.WriteLine();
            }
        }
    }
}
