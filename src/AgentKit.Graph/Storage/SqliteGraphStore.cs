using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using AgentKit.Abstractions.Graph;
using Microsoft.Data.Sqlite;
using static AgentKit.Graph.SqliteGraphSchema;

namespace AgentKit.Graph;

/// <summary>
/// The graph in a SQLite file in WAL mode, normally the vector store's file, so the graph and the chunks and memories
/// it cites live (and are backed up) together. Writes go through one writer connection, one transaction each;
/// reads use pooled connections and run beside writes. Entity name embeddings are kept in memory too, for entity
/// resolution and question linking without a vector index.
/// </summary>
public sealed class SqliteGraphStore : IGraphStore, IDisposable
{
    private const int Batch = 500;
    private readonly GraphStoreOptions _options;
    private readonly string _connectionString;
    private readonly SqliteConnection _writer;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly EntityEmbeddingIndex _vectors = new();
    private long _relationCount;
    private bool _disposed;

    /// <summary>Opens (or creates) the graph tables in a SQLite file.</summary>
    /// <param name="options">The file and bounds.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="GraphException">The file cannot be opened or holds a newer schema.</exception>
    public SqliteGraphStore(GraphStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Provider == GraphStoreProvider.PostgreSql)
        {
            throw new ArgumentException("GraphStoreOptions.Provider is PostgreSql: use the PostgreSQL graph store of AgentKit.Storage.PostgreSql, not SqliteGraphStore.", nameof(options));
        }

        options.Validate();
        _options = options;
        Path = System.IO.Path.GetFullPath(options.Path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds),
        }.ToString();
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            _writer = new SqliteConnection(_connectionString);
            _writer.Open();
            Execute(_writer, null, "PRAGMA journal_mode=WAL");
            Execute(_writer, null, "PRAGMA synchronous=NORMAL");
            Execute(_writer, null, string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout={(long)options.BusyTimeout.TotalMilliseconds}"));
            SqliteGraphSchema.Apply(_writer, Path);
            LoadVectors();
            using var count = _writer.CreateCommand();
            count.CommandText = $"SELECT COUNT(*) FROM {Relations}";
            _relationCount = (long)count.ExecuteScalar()!;
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            _writer?.Dispose();
            throw new GraphException($"Cannot open the graph in '{Path}': {e.Message}", e);
        }
    }

    /// <summary>The full path of the SQLite file.</summary>
    public string Path { get; }

    /// <inheritdoc/>
    public Task<IReadOnlyDictionary<string, string>> GetSourceHashesAsync(string source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        return ReadAsync<IReadOnlyDictionary<string, string>>(connection =>
        {
            using var command = Command(connection, $"SELECT id, content_hash FROM {Evidence} WHERE source = $source", ("$source", source));
            using var reader = command.ExecuteReader();
            var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
            while (reader.Read())
            {
                hashes[reader.GetString(0)] = reader.GetString(1);
            }

            return hashes;
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<string>> GetSourcesAsync(CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyList<string>>(connection =>
        {
            using var command = Command(connection, $"SELECT DISTINCT source FROM {Evidence}");
            using var reader = command.ExecuteReader();
            var sources = new List<string>();
            while (reader.Read())
            {
                sources.Add(reader.GetString(0));
            }

            return sources;
        }, cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<GraphEntity>> FindEntitiesAsync(IReadOnlyCollection<string> normalizedNames, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(normalizedNames);
        return ReadAsync<IReadOnlyList<GraphEntity>>(connection =>
        {
            var found = new Dictionary<long, GraphEntity>();
            foreach (var part in normalizedNames.Distinct(StringComparer.Ordinal).Chunk(Batch))
            {
                var (list, parameters) = InList("$n", part);
                using var command = Command(connection,
                    $"SELECT {EntityColumns("e")} FROM {Entities} e WHERE e.norm_name IN ({list}) UNION SELECT {EntityColumns("e")} FROM {Aliases} a JOIN {Entities} e ON e.id = a.entity_id WHERE a.norm_name IN ({list})",
                    parameters);
                ReadEntities(command, found);
            }

            return found.Values.ToList();
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<(GraphEntity Entity, double Similarity)>> NearestEntitiesAsync(ReadOnlyMemory<float> embedding, int top, double minSimilarity, CancellationToken cancellationToken = default)
    {
        var nearest = _vectors.Nearest(embedding.Span, top, minSimilarity);
        var scores = nearest.ToDictionary(n => n.Id, n => n.Similarity);
        var entities = await GetEntitiesAsync(scores.Keys, cancellationToken).ConfigureAwait(false);
        return [.. entities.Select(e => (e, scores[e.Id])).OrderByDescending(p => p.Item2)];
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<GraphEntity>> GetEntitiesAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return ReadAsync<IReadOnlyList<GraphEntity>>(connection =>
        {
            var found = new Dictionary<long, GraphEntity>();
            foreach (var part in ids.Distinct().Chunk(Batch))
            {
                var (list, parameters) = InList("$i", part);
                using var command = Command(connection, $"SELECT {EntityColumns("e")} FROM {Entities} e WHERE e.id IN ({list})", parameters);
                ReadEntities(command, found);
            }

            return found.Values.ToList();
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<GraphRelation>> GetRelationsAsync(IReadOnlyCollection<long> entityIds, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entityIds);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return ReadAsync<IReadOnlyList<GraphRelation>>(connection =>
        {
            var found = new Dictionary<long, GraphRelation>();
            foreach (var part in entityIds.Distinct().Chunk(Batch))
            {
                if (found.Count >= limit)
                {
                    break;
                }

                var (list, parameters) = InList("$i", part);
                const string Columns = "id, source_id, relation, target_id, description, evidence_id, observed";
                using var command = Command(connection,
                    $"SELECT {Columns} FROM {Relations} WHERE source_id IN ({list}) UNION SELECT {Columns} FROM {Relations} WHERE target_id IN ({list}) LIMIT {(limit - found.Count).ToString(CultureInfo.InvariantCulture)}",
                    parameters);
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    var relation = new GraphRelation(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetInt64(3), reader.GetString(4), reader.GetString(5), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)));
                    found[relation.Id] = relation;
                }
            }

            return found.Values.ToList();
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<GraphMention>> GetMentionsAsync(IReadOnlyCollection<long> entityIds, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entityIds);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return ReadAsync<IReadOnlyList<GraphMention>>(connection =>
        {
            var found = new List<GraphMention>();
            foreach (var part in entityIds.Distinct().Chunk(Batch))
            {
                if (found.Count >= limit)
                {
                    break;
                }

                var (list, parameters) = InList("$i", part);
                using var command = Command(connection,
                    $"SELECT entity_id, evidence_id, description FROM {Mentions} WHERE entity_id IN ({list}) LIMIT {(limit - found.Count).ToString(CultureInfo.InvariantCulture)}", parameters);
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    found.Add(new GraphMention(reader.GetInt64(0), reader.GetString(1), reader.GetString(2)));
                }
            }

            return found;
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<GraphEvidenceRecord>> GetEvidenceAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return ReadAsync<IReadOnlyList<GraphEvidenceRecord>>(connection =>
        {
            var found = new List<GraphEvidenceRecord>();
            foreach (var part in ids.Distinct(StringComparer.Ordinal).Chunk(Batch))
            {
                var (list, parameters) = InList("$e", part);
                using var command = Command(connection, $"SELECT id, source, kind, content_hash, observed FROM {Evidence} WHERE id IN ({list})", parameters);
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    found.Add(new GraphEvidenceRecord(reader.GetString(0), reader.GetString(1), (GraphEvidenceKind)reader.GetInt32(2), reader.GetString(3), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4))));
                }
            }

            return found;
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<GraphMerge>> GetMergesAsync(int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return ReadAsync<IReadOnlyList<GraphMerge>>(connection =>
        {
            using var command = Command(connection,
                $"SELECT entity_id, merged_name, into_name, similarity, evidence_id, merged_at FROM {Merges} ORDER BY id DESC LIMIT {limit.ToString(CultureInfo.InvariantCulture)}");
            using var reader = command.ExecuteReader();
            var merges = new List<GraphMerge>();
            while (reader.Read())
            {
                merges.Add(new GraphMerge(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetDouble(3), reader.GetString(4), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5))));
            }

            return merges;
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<GraphStatistics> GetStatisticsAsync(CancellationToken cancellationToken = default) =>
        ReadAsync(connection =>
        {
            using var command = Command(connection,
                $"SELECT (SELECT COUNT(*) FROM {Entities}), (SELECT COUNT(*) FROM {Relations}), (SELECT COUNT(*) FROM {Evidence}), (SELECT COUNT(*) FROM {Merges})");
            using var reader = command.ExecuteReader();
            reader.Read();
            return new GraphStatistics(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
        }, cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<GraphEdgeWeight>> GetEdgeWeightsAsync(CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyList<GraphEdgeWeight>>(connection =>
        {
            using var command = Command(connection,
                $"SELECT MIN(source_id, target_id) AS a, MAX(source_id, target_id) AS b, COUNT(*) FROM {Relations} GROUP BY a, b ORDER BY a, b");
            using var reader = command.ExecuteReader();
            var edges = new List<GraphEdgeWeight>();
            while (reader.Read())
            {
                edges.Add(new GraphEdgeWeight(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt32(2)));
            }

            return edges;
        }, cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<GraphRelation>> GetRelationsWithinAsync(IReadOnlyCollection<long> entityIds, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entityIds);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var members = JsonSerializer.Serialize(entityIds.Distinct());
        return ReadAsync<IReadOnlyList<GraphRelation>>(connection =>
        {
            using var command = Command(connection,
                $"SELECT id, source_id, relation, target_id, description, evidence_id, observed FROM {Relations} WHERE source_id IN (SELECT value FROM json_each($m)) AND target_id IN (SELECT value FROM json_each($m)) ORDER BY id LIMIT {limit.ToString(CultureInfo.InvariantCulture)}",
                ("$m", members));
            using var reader = command.ExecuteReader();
            var found = new List<GraphRelation>();
            while (reader.Read())
            {
                found.Add(new GraphRelation(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetInt64(3), reader.GetString(4), reader.GetString(5), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6))));
            }

            return found;
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<GraphCommunity>> GetCommunitiesAsync(CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyList<GraphCommunity>>(connection =>
        {
            using var command = Command(connection, $"SELECT id, title, summary, rating, members, evidence, embedding, updated FROM {CommunityReports} ORDER BY id");
            using var reader = command.ExecuteReader();
            var communities = new List<GraphCommunity>();
            while (reader.Read())
            {
                communities.Add(new GraphCommunity(
                    reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3),
                    JsonSerializer.Deserialize<long[]>(reader.GetString(4)) ?? [], JsonSerializer.Deserialize<string[]>(reader.GetString(5)) ?? [],
                    MemoryMarshal.Cast<byte, float>((byte[])reader.GetValue(6)).ToArray(), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7))));
            }

            return communities;
        }, cancellationToken);

    /// <inheritdoc/>
    public Task<int> ReplaceCommunitiesAsync(IReadOnlyCollection<string> keep, IReadOnlyList<GraphCommunity> add, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keep);
        ArgumentNullException.ThrowIfNull(add);
        var kept = keep.ToHashSet(StringComparer.Ordinal);
        return WriteAsync((connection, transaction, _) =>
        {
            var stale = new List<string>();
            using (var ids = Command(connection, $"SELECT id FROM {CommunityReports}"))
            {
                ids.Transaction = transaction;
                using var reader = ids.ExecuteReader();
                while (reader.Read())
                {
                    var id = reader.GetString(0);
                    if (!kept.Contains(id))
                    {
                        stale.Add(id);
                    }
                }
            }

            foreach (var id in stale)
            {
                using var delete = Command(connection, $"DELETE FROM {CommunityReports} WHERE id = $id", ("$id", id));
                delete.Transaction = transaction;
                delete.ExecuteNonQuery();
            }

            foreach (var community in add)
            {
                using var insert = Command(connection,
                    $"INSERT OR REPLACE INTO {CommunityReports} (id, title, summary, rating, members, evidence, embedding, updated) VALUES ($id, $t, $s, $r, $m, $e, $v, $u)",
                    ("$id", community.Id), ("$t", community.Title), ("$s", community.Summary), ("$r", community.Rating),
                    ("$m", JsonSerializer.Serialize(community.Members)), ("$e", JsonSerializer.Serialize(community.Evidence)),
                    ("$v", MemoryMarshal.AsBytes(community.Embedding.Span).ToArray()), ("$u", community.UpdatedAt.ToUnixTimeMilliseconds()));
                insert.Transaction = transaction;
                insert.ExecuteNonQuery();
            }

            return stale.Count;
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public Task ReplaceEvidenceAsync(GraphEvidenceRecord evidence, ResolvedExtraction extraction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        ArgumentNullException.ThrowIfNull(extraction);
        _options.CheckExtraction(evidence, extraction);
        return WriteAsync((connection, transaction, changes) =>
        {
            var affected = RemoveEvidence(connection, transaction, [evidence.Id], keepRecord: true, changes);
            using (var upsert = Command(connection,
                $"INSERT INTO {Evidence} (id, source, kind, content_hash, observed) VALUES ($id, $source, $kind, $hash, $observed) ON CONFLICT(id) DO UPDATE SET source = excluded.source, kind = excluded.kind, content_hash = excluded.content_hash, observed = excluded.observed",
                ("$id", evidence.Id), ("$source", evidence.Source), ("$kind", (int)evidence.Kind), ("$hash", evidence.ContentHash), ("$observed", evidence.ObservedAt.ToUnixTimeMilliseconds())))
            {
                upsert.Transaction = transaction;
                upsert.ExecuteNonQuery();
            }

            var ids = new long[extraction.Entities.Count];
            for (var i = 0; i < ids.Length; i++)
            {
                ids[i] = StoreEntity(connection, transaction, extraction.Entities[i], evidence, changes);
                affected.Remove(ids[i]);
            }

            if (_relationCount - changes.RemovedRelations + extraction.Relations.Count > _options.MaxRelations)
            {
                throw new GraphLimitExceededException(nameof(GraphStoreOptions.MaxRelations), _options.MaxRelations,
                    $"Storing the {extraction.Relations.Count} relations of evidence '{evidence.Id}' would take the graph in '{Path}' past GraphStoreOptions.MaxRelations ({_options.MaxRelations}); raise it or delete sources.");
            }

            foreach (var relation in extraction.Relations)
            {
                using var insert = Command(connection,
                    $"INSERT INTO {Relations} (source_id, relation, target_id, description, evidence_id, observed) VALUES ($s, $r, $t, $d, $e, $o)",
                    ("$s", ids[relation.Source]), ("$r", relation.Relation), ("$t", ids[relation.Target]), ("$d", relation.Description), ("$e", evidence.Id), ("$o", evidence.ObservedAt.ToUnixTimeMilliseconds()));
                insert.Transaction = transaction;
                insert.ExecuteNonQuery();
                changes.AddedRelations++;
            }

            RemoveOrphans(connection, transaction, affected, changes);
            return 0;
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<int> DeleteEvidenceAsync(IReadOnlyCollection<string> evidenceIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(evidenceIds);
        if (evidenceIds.Count == 0)
        {
            return Task.FromResult(0);
        }

        return WriteAsync((connection, transaction, changes) =>
        {
            var affected = RemoveEvidence(connection, transaction, evidenceIds, keepRecord: false, changes);
            RemoveOrphans(connection, transaction, affected, changes);
            return changes.RemovedEntities.Count;
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _writer.Dispose();
        _writeLock.Dispose();
    }

    private long StoreEntity(SqliteConnection connection, SqliteTransaction transaction, ResolvedEntity entity, GraphEvidenceRecord evidence, Changes changes)
    {
        long? id = entity.ExistingId is { } existing && Exists(connection, transaction, existing) ? existing : null;
        id ??= Lookup(connection, transaction, entity.NormalizedName);
        if (id is null)
        {
            if (_vectors.Count + changes.AddedVectors.Count >= _options.MaxEntities)
            {
                throw new GraphLimitExceededException(nameof(GraphStoreOptions.MaxEntities), _options.MaxEntities,
                    $"Adding entity '{entity.Name}' of evidence '{evidence.Id}' would take the graph in '{Path}' past GraphStoreOptions.MaxEntities ({_options.MaxEntities}); raise it or delete sources.");
            }

            var vector = VectorMath.Unit(entity.Embedding.Span);
            using var insert = Command(connection,
                $"INSERT INTO {Entities} (norm_name, name, type, description, embedding) VALUES ($n, $name, $type, $d, $v) RETURNING id",
                ("$n", entity.NormalizedName), ("$name", entity.Name), ("$type", entity.Type), ("$d", entity.Description), ("$v", MemoryMarshal.AsBytes(vector.AsSpan()).ToArray()));
            insert.Transaction = transaction;
            id = (long)insert.ExecuteScalar()!;
            changes.AddedVectors[id.Value] = vector;
        }
        else if (entity.MergeSimilarity is { } similarity && !string.Equals(entity.NormalizedName, NormalizedNameOf(connection, transaction, id.Value), StringComparison.Ordinal))
        {
            using var alias = Command(connection, $"INSERT OR IGNORE INTO {Aliases} (norm_name, entity_id) VALUES ($n, $id)", ("$n", entity.NormalizedName), ("$id", id.Value));
            alias.Transaction = transaction;
            alias.ExecuteNonQuery();
            using var log = Command(connection,
                $"INSERT INTO {Merges} (entity_id, merged_name, into_name, similarity, evidence_id, merged_at) SELECT $id, $merged, name, $sim, $e, $at FROM {Entities} WHERE id = $id",
                ("$id", id.Value), ("$merged", entity.Name), ("$sim", similarity), ("$e", evidence.Id), ("$at", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
            log.Transaction = transaction;
            log.ExecuteNonQuery();
        }

        using var mention = Command(connection, $"INSERT OR IGNORE INTO {Mentions} (entity_id, evidence_id, description) VALUES ($id, $e, $d)", ("$id", id.Value), ("$e", evidence.Id), ("$d", entity.Description));
        mention.Transaction = transaction;
        mention.ExecuteNonQuery();
        using var describe = Command(connection, $"UPDATE {Entities} SET description = $d WHERE id = $id AND description = ''", ("$id", id.Value), ("$d", entity.Description));
        describe.Transaction = transaction;
        describe.ExecuteNonQuery();
        return id.Value;
    }

    private static bool Exists(SqliteConnection connection, SqliteTransaction transaction, long id)
    {
        using var command = Command(connection, $"SELECT 1 FROM {Entities} WHERE id = $id", ("$id", id));
        command.Transaction = transaction;
        return command.ExecuteScalar() is not null;
    }

    private static long? Lookup(SqliteConnection connection, SqliteTransaction transaction, string normalizedName)
    {
        using var command = Command(connection,
            $"SELECT id FROM {Entities} WHERE norm_name = $n UNION ALL SELECT entity_id FROM {Aliases} WHERE norm_name = $n LIMIT 1", ("$n", normalizedName));
        command.Transaction = transaction;
        return command.ExecuteScalar() is long id ? id : null;
    }

    private static string? NormalizedNameOf(SqliteConnection connection, SqliteTransaction transaction, long id)
    {
        using var command = Command(connection, $"SELECT norm_name FROM {Entities} WHERE id = $id", ("$id", id));
        command.Transaction = transaction;
        return command.ExecuteScalar() as string;
    }

    // Returns the entities that lost a mention, so the caller can remove those left with none.
    private static HashSet<long> RemoveEvidence(SqliteConnection connection, SqliteTransaction transaction, IReadOnlyCollection<string> evidenceIds, bool keepRecord, Changes changes)
    {
        var affected = new HashSet<long>();
        foreach (var part in evidenceIds.Distinct(StringComparer.Ordinal).Chunk(Batch))
        {
            var (list, parameters) = InList("$e", part);
            using (var mentioned = Command(connection, $"DELETE FROM {Mentions} WHERE evidence_id IN ({list}) RETURNING entity_id", parameters))
            {
                mentioned.Transaction = transaction;
                using var reader = mentioned.ExecuteReader();
                while (reader.Read())
                {
                    affected.Add(reader.GetInt64(0));
                }
            }

            using (var relations = Command(connection, $"DELETE FROM {Relations} WHERE evidence_id IN ({list})", parameters))
            {
                relations.Transaction = transaction;
                changes.RemovedRelations += relations.ExecuteNonQuery();
            }

            if (!keepRecord)
            {
                using var records = Command(connection, $"DELETE FROM {Evidence} WHERE id IN ({list})", parameters);
                records.Transaction = transaction;
                records.ExecuteNonQuery();
            }
        }

        return affected;
    }

    private static void RemoveOrphans(SqliteConnection connection, SqliteTransaction transaction, HashSet<long> affected, Changes changes)
    {
        foreach (var id in affected)
        {
            using var check = Command(connection, $"SELECT description FROM {Mentions} WHERE entity_id = $id ORDER BY rowid LIMIT 1", ("$id", id));
            check.Transaction = transaction;
            if (check.ExecuteScalar() is string description)
            {
                using var describe = Command(connection, $"UPDATE {Entities} SET description = $d WHERE id = $id", ("$id", id), ("$d", description));
                describe.Transaction = transaction;
                describe.ExecuteNonQuery();
                continue;
            }

            // Relations always come with mentions of both ends from the same evidence, so an entity without mentions has no edges left.
            foreach (var sql in new[] { $"DELETE FROM {Entities} WHERE id = $id", $"DELETE FROM {Aliases} WHERE entity_id = $id" })
            {
                using var delete = Command(connection, sql, ("$id", id));
                delete.Transaction = transaction;
                delete.ExecuteNonQuery();
            }

            changes.RemovedEntities.Add(id);
        }
    }

    private async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, Changes, T> work, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            var changes = new Changes();
            T result;
            using (var transaction = _writer.BeginTransaction(deferred: false))
            {
                result = work(_writer, transaction, changes);
                transaction.Commit();
            }

            // The in-memory view changes only once the transaction is committed.
            _relationCount += changes.AddedRelations - changes.RemovedRelations;
            _vectors.Set(changes.AddedVectors);
            _vectors.Remove(changes.RemovedEntities);

            return result;
        }
        catch (SqliteException e)
        {
            throw new GraphException($"Writing the graph in '{Path}' failed: {e.Message}", e);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private Task<T> ReadAsync<T>(Func<SqliteConnection, T> work, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            using var connection = new SqliteConnection(_connectionString);
            connection.Open();
            return Task.FromResult(work(connection));
        }
        catch (SqliteException e)
        {
            throw new GraphException($"Reading the graph in '{Path}' failed: {e.Message}", e);
        }
    }

    private void LoadVectors()
    {
        using var command = Command(_writer, $"SELECT id, embedding FROM {Entities}");
        using var reader = command.ExecuteReader();
        var vectors = new Dictionary<long, float[]>();
        while (reader.Read())
        {
            vectors[reader.GetInt64(0)] = MemoryMarshal.Cast<byte, float>((byte[])reader.GetValue(1)).ToArray();
        }

        _vectors.Set(vectors);
    }

    private static string EntityColumns(string alias) => $"{alias}.id, {alias}.norm_name, {alias}.name, {alias}.type, {alias}.description";

    private static void ReadEntities(SqliteCommand command, Dictionary<long, GraphEntity> into)
    {
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var entity = new GraphEntity(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4));
            into[entity.Id] = entity;
        }
    }

    private static (string List, (string, object)[] Parameters) InList<T>(string prefix, T[] values)
        where T : notnull
    {
        var names = values.Select((_, i) => prefix + i.ToString(CultureInfo.InvariantCulture)).ToArray();
        return (string.Join(", ", names), names.Select((n, i) => (n, (object)values[i])).ToArray());
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }

    private sealed class Changes
    {
        public long AddedRelations { get; set; }

        public long RemovedRelations { get; set; }

        public Dictionary<long, float[]> AddedVectors { get; } = [];

        public List<long> RemovedEntities { get; } = [];
    }
}
