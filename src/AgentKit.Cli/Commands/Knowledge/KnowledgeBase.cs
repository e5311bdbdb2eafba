using System.CommandLine;
using System.Globalization;
using System.Text;
using AgentKit.Rag.Embeddings;
using AgentKit.Rag.Ingestion;
using AgentKit.Rag.Retrieval;
using AgentKit.VectorStores.Sqlite;
using Microsoft.Extensions.VectorData;

namespace AgentKit.Cli.Commands.Knowledge;

/// <summary>
/// The knowledge base <c>ingest</c>, <c>ask</c> and <c>search</c> share: a collection of chunks in a SQLite file
/// (default <c>data/agentkit.db</c> under the current folder), embedded with the lexical
/// <see cref="HashingEmbeddingGenerator"/> so that no embedding model is needed.
/// </summary>
internal sealed class KnowledgeBase(string databasePath, SqliteVectorStore store, VectorStoreCollection<Guid, RagChunkRecord> collection, HashingEmbeddingGenerator embedder)
    : IDisposable
{
    /// <summary>The database file used when <c>--db</c> is not given, relative to the current folder.</summary>
    public static readonly string DefaultDatabase = Path.Combine("data", "agentkit.db");

    public string DatabasePath => databasePath;

    public VectorStoreCollection<Guid, RagChunkRecord> Collection => collection;

    public HashingEmbeddingGenerator Embedder => embedder;

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
        Description = "How chunks are ranked: vector (hashed-word embeddings), keyword (BM25 on whole words) or hybrid (both, fused). Default: hybrid.",
        DefaultValueFactory = _ => RetrievalMode.Hybrid,
    };

    public static Option<int> TopOption(string description) => new Option<int>("--top", "-k")
    {
        Description = description,
        DefaultValueFactory = _ => 5,
    }.WithRange(1, 100);

    /// <summary>Opens the file (creating it and its folder when missing) and the collection, for ingestion.</summary>
    public static async Task<KnowledgeBase> OpenOrCreateAsync(string databasePath, string collection, CancellationToken cancellationToken)
    {
        var path = Path.GetFullPath(databasePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return await OpenAsync(path, collection, missingMessage: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens an ingested knowledge base for retrieval.</summary>
    /// <exception cref="CommandInputException">The file or the collection is missing or holds no chunks; the message says what to run.</exception>
    public static async Task<KnowledgeBase> OpenExistingAsync(string databasePath, string collection, CancellationToken cancellationToken)
    {
        var path = Path.GetFullPath(databasePath);
        var advice = $"run 'agentkit ingest <folder> --db {databasePath}{(collection == RagChunkStore.DefaultName ? "" : " --collection " + collection)}' first.";
        if (!File.Exists(path))
        {
            throw new CommandInputException($"The knowledge base '{path}' does not exist; {advice}");
        }

        var empty = $"The knowledge base '{path}' has no documents in collection '{collection}'; {advice}";
        var knowledge = await OpenAsync(path, collection, empty, cancellationToken).ConfigureAwait(false);
        if (!await knowledge.Collection.GetAsync(r => r.ChunkIndex == 0, 1, cancellationToken: cancellationToken).AnyAsync(cancellationToken).ConfigureAwait(false))
        {
            knowledge.Dispose();
            throw new CommandInputException(empty);
        }

        return knowledge;
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

    public void Dispose()
    {
        collection.Dispose();
        store.Dispose();
        embedder.Dispose();
    }

    /// <summary>Opens the store and the collection; a missing collection is created, or, with <paramref name="missingMessage"/>, refused with it.</summary>
    private static async Task<KnowledgeBase> OpenAsync(string path, string collection, string? missingMessage, CancellationToken cancellationToken)
    {
        var store = new SqliteVectorStore(path);
        var embedder = new HashingEmbeddingGenerator();
        try
        {
            if (missingMessage is not null && !await store.CollectionExistsAsync(collection, cancellationToken).ConfigureAwait(false))
            {
                throw new CommandInputException(missingMessage);
            }

            var chunks = await RagChunkStore.OpenAsync(store, collection, embedder, cancellationToken).ConfigureAwait(false);
            return new KnowledgeBase(path, store, chunks, embedder);
        }
        catch (ArgumentException e)
        {
            // The store validates collection names; say which option was wrong.
            store.Dispose();
            embedder.Dispose();
            throw new CommandInputException($"--collection: {e.Message}");
        }
        catch
        {
            store.Dispose();
            embedder.Dispose();
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
