using System.Threading.Channels;
using AgentKit.Graph.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AgentKit.Graph;

// Refreshes the community summaries once at start (catching up with updates made while the host was down) and then
// CommunitySummaryOptions.RefreshDelay after each burst of graph updates that changed something.
internal sealed class CommunityRefreshService : BackgroundService
{
    private readonly GraphIndexer _indexer;
    private readonly CommunitySummarizer _summarizer;
    private readonly CommunitySummaryOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<bool> _updates = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public CommunityRefreshService(GraphIndexer indexer, CommunitySummarizer summarizer, IOptions<GraphOptions> options, TimeProvider? timeProvider = null, ILogger<CommunityRefreshService>? logger = null)
    {
        _indexer = indexer;
        _summarizer = summarizer;
        _options = options.Value.Communities;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.RefreshAfterUpdates)
        {
            return;
        }

        _indexer.SourceUpdated += OnSourceUpdated;
        try
        {
            await RefreshAsync(stoppingToken).ConfigureAwait(false);
            while (await _updates.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                await Task.Delay(_options.RefreshDelay, _time, stoppingToken).ConfigureAwait(false);
                while (_updates.Reader.TryRead(out _))
                {
                }

                await RefreshAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            _indexer.SourceUpdated -= OnSourceUpdated;
        }
    }

    private void OnSourceUpdated(object? sender, GraphIndexReport report)
    {
        if (report.Extracted > 0 || report.Removed > 0)
        {
            _updates.Writer.TryWrite(true);
        }
    }

    private async Task RefreshAsync(CancellationToken stoppingToken)
    {
        try
        {
            await _summarizer.RefreshAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            GraphLog.RefreshFailed(_logger, e.Message, e);
        }
    }
}
