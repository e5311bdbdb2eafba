using AgentKit.LlamaCpp.Models;
using Spectre.Console;

namespace AgentKit.Cli;

/// <summary>Runs a <see cref="ModelDownloader"/> pull behind a progress bar (bytes, speed, time left) on stderr.</summary>
internal static class ModelPuller
{
    public static async Task<string> PullAsync(CliContext context, ModelReference model, CancellationToken cancellationToken)
    {
        using var http = context.CreateHttpClient();
        var downloader = new ModelDownloader(http, context.DownloaderOptions, context.LoggerFactory);
        var target = downloader.GetCachePath(model);
        var bar = new BarProgress();
        var pull = downloader.PullAsync(model, bar, cancellationToken);

        // The bar appears only once bytes flow, so a cache hit prints nothing and an unreachable host prints
        // just its one-line error.
        if (await Task.WhenAny(pull, bar.Started).ConfigureAwait(false) == pull)
        {
            return await pull.ConfigureAwait(false);
        }

        context.Error.MarkupLine($"Downloading [bold]{Markup.Escape(model.ToString())}[/] to {Markup.Escape(target)}");
        return await context.Error.Progress()
            .AutoClear(false)
            .Columns(
                new TaskDescriptionColumn(),
                new ProgressBarColumn(),
                new PercentageColumn(),
                new DownloadedColumn(),
                new TransferSpeedColumn(),
                new RemainingTimeColumn(),
                new SpinnerColumn())
            .StartAsync(async progressContext =>
            {
                var task = progressContext.AddTask(Markup.Escape(model.File), maxValue: 1);
                task.IsIndeterminate = true;
                bar.Attach(task);
                var path = await pull.ConfigureAwait(false);
                task.StopTask();
                return path;
            })
            .ConfigureAwait(false);
    }

    // Progress<T> would post to the thread pool and could apply an older value after a newer one; this
    // applies each report on the downloader's thread, in order.
    private sealed class BarProgress : IProgress<DownloadProgress>
    {
        private readonly Lock _lock = new();
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private ProgressTask? _task;
        private DownloadProgress? _latest;

        public Task Started => _started.Task;

        public void Attach(ProgressTask task)
        {
            lock (_lock)
            {
                _task = task;
                if (_latest is { } latest)
                {
                    Apply(task, latest);
                }
            }
        }

        public void Report(DownloadProgress value)
        {
            lock (_lock)
            {
                _latest = value;
                if (_task is { } task)
                {
                    Apply(task, value);
                }
            }

            _started.TrySetResult();
        }

        private static void Apply(ProgressTask task, DownloadProgress value)
        {
            if (value.TotalBytes is { } total && task.IsIndeterminate)
            {
                task.MaxValue = total;
                task.IsIndeterminate = false;
            }

            task.Value = value.BytesDownloaded;
        }
    }
}
