using AgentKit.Rag.Knowledge;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentKit.Hosting.Knowledge;

/// <summary>
/// Ingests every knowledge base with <see cref="KnowledgeBaseOptions.IngestOnStart"/> when the host starts, one base
/// at a time so that ingestion never takes more than one embedding batch's worth of the machine, and again every
/// <see cref="KnowledgeBaseOptions.RefreshInterval"/>. Stops between files or batches when the host stops.
/// </summary>
internal sealed partial class KnowledgeIngestionService(IEnumerable<KnowledgeBaseName> names, IServiceProvider services, ILogger<KnowledgeIngestionService> logger)
    : BackgroundService
{
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Host start must not wait for the first file enumeration or collection open.
        await Task.Yield();
        if (stoppingToken.IsCancellationRequested)
        {
            // The host stopped before this service got going (a command that failed at once): nothing to ingest.
            return;
        }

        var bases = new List<KnowledgeBase>();
        var options = services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<KnowledgeBaseOptions>>();
        foreach (var name in names)
        {
            // A base with nothing to ingest (filled elsewhere, as the CLI's) is not opened here: its users open it.
            var settings = options.Get(name.Name);
            if (!settings.IngestOnStart && settings.RefreshInterval is null)
            {
                continue;
            }

            try
            {
                bases.Add(services.GetRequiredKeyedService<KnowledgeBase>(name.Name));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A base whose store cannot be opened (for example a file that is not a database) fails alone, with
                // its reason logged; its users get the same typed error; the host and the other bases keep running.
                Log.Failed(logger, name.Name, e.GetType().Name, e.Message);
            }
        }

        await Task.WhenAll(bases.Select(b => RunAsync(b, stoppingToken))).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        _oneAtATime.Dispose();
        base.Dispose();
    }

    private async Task RunAsync(KnowledgeBase knowledge, CancellationToken stoppingToken)
    {
        if (knowledge.Options.IngestOnStart)
        {
            await IngestAsync(knowledge, stoppingToken).ConfigureAwait(false);
        }

        if (knowledge.Options.RefreshInterval is not { } interval)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await IngestAsync(knowledge, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    private async Task IngestAsync(KnowledgeBase knowledge, CancellationToken stoppingToken)
    {
        try
        {
            await _oneAtATime.WaitAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        try
        {
            var report = await knowledge.IngestAsync(cancellationToken: stoppingToken).ConfigureAwait(false);
            Log.Ingested(logger, knowledge.Name, report.Files.Count, report.ChunksWritten, report.Elapsed);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping; what was written stays and the next start goes on from there.
        }
        catch (Exception e)
        {
            // The base reports the failure in its status (and so in health); the host keeps serving.
            Log.Failed(logger, knowledge.Name, e.GetType().Name, e.Message);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Knowledge base '{Name}' ingested: {Files} files, {Chunks} chunks written in {Elapsed}")]
        public static partial void Ingested(ILogger logger, string name, int files, int chunks, TimeSpan elapsed);

        [LoggerMessage(Level = LogLevel.Error, Message = "Knowledge base '{Name}' could not be ingested ({Type}): {Reason}")]
        public static partial void Failed(ILogger logger, string name, string type, string reason);
    }
}
