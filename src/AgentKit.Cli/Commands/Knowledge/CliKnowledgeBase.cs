using System.CommandLine;
using System.Globalization;
using System.Text;
using AgentKit.Abstractions.Graph;
using AgentKit.Rag.Ingestion;
using AgentKit.Rag.Knowledge;
using AgentKit.Rag.Retrieval;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentKit.Cli.Commands.Knowledge;

/// <summary>
/// The knowledge base <c>ingest</c>, <c>ask</c> and <c>search</c> share: <c>AddAgentKitKnowledge</c> on the agent
/// commands' host (so the embedding model is the configured default, <c>AgentKit:DefaultEmbeddingModel</c>), its
/// chunks in the SQLite file given by <c>--db</c> (default <c>data/agentkit.db</c> under the current folder), feeding
/// and reading the knowledge graph when the configuration has one (<c>AgentKit:Graph</c>).
/// </summary>
internal sealed class CliKnowledgeBase(IHost host, KnowledgeBase knowledge, string databasePath) : IDisposable
{
    /// <summary>The database file used when <c>--db</c> is not given, relative to the current folder.</summary>
    public static readonly string DefaultDatabase = Path.Combine("data", "agentkit.db");

    private const string Name = "agentkit-cli";

    public string DatabasePath => databasePath;

    public KnowledgeBase Knowledge => knowledge;

    /// <summary><c>--rerank [true|false]</c>: re-ranking by the embedding model's token-level relevance scorer.</summary>
    public static Option<bool> RerankOption() => new("--rerank")
    {
        Description = "Re-rank the 20 best candidates with the embedding model's token-level relevance scorer (the default all-MiniLM-L6-v2 has one). Default: on in vector and hybrid mode when the knowledge base keeps chunk codes (ingested with that model), which makes it cost one model run over the query; --rerank false turns it off; --rerank on a base without codes costs a model run per candidate (1-2 s on 2 cores).",
    };

    /// <summary>What <c>--rerank</c> asked for: null when it was not given.</summary>
    public static bool? RerankValue(ParseResult parse, Option<bool> option) =>
        parse.GetResult(option) is { Implicit: false } ? parse.GetValue(option) : null;

    /// <summary>
    /// Whether to re-rank: what <c>--rerank</c> asked for, else the base's default; refuses <c>--rerank</c> when the
    /// embedding model cannot score tokens, before any model loads.
    /// </summary>
    /// <exception cref="CommandInputException">Re-ranking was asked for and the base has no re-ranker.</exception>
    public async Task<bool> ResolveRerankAsync(bool? rerank, RetrievalMode mode, CancellationToken cancellationToken)
    {
        if (rerank == true && !knowledge.CanRerank)
        {
            throw new CommandInputException("--rerank needs an embedding model that scores tokens (the built-in all-MiniLM-L6-v2, AgentKit's default); the configured default embedding model does not.");
        }

        if (rerank is { } asked)
        {
            return asked;
        }

        await knowledge.GetCollectionAsync(cancellationToken).ConfigureAwait(false);
        return knowledge.ReranksByDefault(mode);
    }

    public IServiceProvider Services => host.Services;

    public static Option<string> DatabaseOption() => new("--db")
    {
        Description = $"The knowledge base file (SQLite). Default: {DefaultDatabase} under the current folder.",
        DefaultValueFactory = _ => DefaultDatabase,
    };

    public static Option<string> CollectionOption() => new("--collection")
    {
        Description = $"The collection in the file. Default: {RagChunkStore.DefaultName}.",
        DefaultValueFactory = _ => RagChunkStore.DefaultName,
    };

    public static Option<RetrievalMode> ModeOption() => new("--mode")
    {
        Description = "How chunks are ranked: vector (embedding similarity), keyword (BM25 on whole words) or hybrid (both, fused). Default: hybrid.",
        DefaultValueFactory = _ => RetrievalMode.Hybrid,
    };

    public static Option<int> TopOption(string description) => new Option<int>("--top", "-k")
    {
        Description = description,
        DefaultValueFactory = _ => 5,
    }.WithRange(1, 100);

    /// <summary>Opens the file (creating it and its folder when missing) with <paramref name="folder"/> as the base's source, for ingestion.</summary>
    public static Task<CliKnowledgeBase> OpenForIngestionAsync(CliContext context, string databasePath, string collection, string folder, CancellationToken cancellationToken) =>
        OpenAsync(context, Path.GetFullPath(databasePath), collection, folder, cancellationToken);

    /// <summary>Opens an ingested knowledge base for retrieval.</summary>
    /// <exception cref="CommandInputException">The file or the collection is missing or holds no chunks; the message says what to run.</exception>
    public static async Task<CliKnowledgeBase> OpenExistingAsync(CliContext context, string databasePath, string collection, CancellationToken cancellationToken)
    {
        var path = Path.GetFullPath(databasePath);
        var advice = $"run 'agentkit ingest <folder> --db {databasePath}{(collection == RagChunkStore.DefaultName ? "" : " --collection " + collection)}' first.";
        if (!File.Exists(path))
        {
            throw new CommandInputException($"The knowledge base '{path}' does not exist; {advice}");
        }

        var opened = await OpenAsync(context, path, collection, null, cancellationToken).ConfigureAwait(false);
        try
        {
            if (!await opened.Knowledge.HasDocumentsAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new CommandInputException($"The knowledge base '{path}' has no documents in collection '{collection}'; {advice}");
            }

            return opened;
        }
        catch (ArgumentException e)
        {
            // The store validates collection names; say which option was wrong.
            opened.Dispose();
            throw new CommandInputException($"--collection: {e.Message}");
        }
        catch
        {
            opened.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A chunk's reference for the terminal: the source path (relative to the current folder when inside it), the
    /// page and the section.
    /// </summary>
    public static string Citation(RetrievedChunk chunk)
    {
        var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), chunk.Source);
        var text = new StringBuilder(relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? chunk.Source : relative);
        if (chunk.Page is { } page)
        {
            text.Append(CultureInfo.InvariantCulture, $", p. {page}");
        }

        if (chunk.Section.Length > 0)
        {
            text.Append(", ").Append(chunk.Section);
        }

        return text.ToString();
    }

    public void Dispose() => StopAndDispose(host);

    /// <summary>
    /// Stops the host before disposing it, so its background services see their stopping token instead of a
    /// disposed service provider (which the host would report as a failed BackgroundService).
    /// </summary>
    private static void StopAndDispose(IHost host)
    {
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            try
            {
                host.StopAsync(timeout.Token).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                // Stopping took too long; disposing ends what is left.
            }
        }

        host.Dispose();
    }

    private static async Task<CliKnowledgeBase> OpenAsync(CliContext context, string path, string collection, string? folder, CancellationToken cancellationToken)
    {
        var host = await AgentKitHost.StartAsync(context, config: null, services => services
            // The report table and the one-line errors say what the store's and the ingestor's logs would.
            .Configure<LoggerFilterOptions>(o => o
                .AddFilter<ConsoleLoggerProvider>("AgentKit.Rag", LogLevel.None)
                .AddFilter<ConsoleLoggerProvider>("AgentKit.VectorStores", LogLevel.None))
            .AddKeyedSqliteVectorStore(Name, path)
            .AddAgentKitKnowledge(Name, o =>
            {
                o.Sources = folder is null ? [] : [folder];
                o.Collection = collection;
                o.VectorStore = Name;
                o.IngestOnStart = false;
            })
            // With a knowledge graph configured (AgentKit:Graph), ingestion feeds it and searches fuse it, so that
            // 'ask --answer global' has community summaries to answer from.
            .AddOptions<KnowledgeBaseOptions>(Name).Configure<IServiceProvider>((o, sp) => o.UseGraph = sp.GetService<IServiceProviderIsService>()?.IsService(typeof(IGraphEvidenceSink)) == true), cancellationToken).ConfigureAwait(false);
        try
        {
            return new CliKnowledgeBase(host, host.Services.GetRequiredKeyedService<KnowledgeBase>(Name), path);
        }
        catch
        {
            // The store throws here when the file is not a SQLite database.
            StopAndDispose(host);
            throw;
        }
    }
}

/// <summary>Range validation for integer options, with a message naming the option.</summary>
internal static class OptionRangeExtensions
{
    public static Option<int> WithRange(this Option<int> option, int min, int max)
    {
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is var value && (value < min || value > max))
            {
                r.AddError(string.Create(CultureInfo.InvariantCulture, $"{option.Name} must be from {min} to {max}; got {value}."));
            }
        });
        return option;
    }
}
