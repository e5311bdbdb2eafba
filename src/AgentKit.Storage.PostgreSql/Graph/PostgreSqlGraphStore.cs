using AgentKit.Abstractions.Graph;
using AgentKit.Graph;
using AgentKit.Storage.PostgreSql.Database;
using Npgsql;
using static AgentKit.Storage.PostgreSql.Database.Sql;

namespace AgentKit.Storage.PostgreSql.Graph;

/// <summary>
/// The knowledge graph in PostgreSQL, beside the sessions and runs of the same database and schema, shared by every
/// replica: the same tables, behaviour and bounds as <see cref="SqliteGraphStore"/>. Writes are one transaction each,
/// serialised across processes by a transaction-level advisory lock (so a replica's bound checks see every other
/// replica's writes); reads run beside them. Entity name embeddings are also kept in memory for entity resolution and
/// question linking; a replica catches up with others' writes before each similarity search, reading only the
/// entities added since (the graph's generation says whether anything changed). Failures are
/// <see cref="GraphException"/>s naming the server, with a <see cref="PostgreSqlStorageException"/> as the cause.
/// Thread-safe.
/// </summary>
public sealed class PostgreSqlGraphStore : IGraphStore, IAsyncDisposable
{
    // The first key of the advisory lock every graph write takes; the second is hashtext(schema).
    private const int GraphLockClass = 0x41_4B_00_04;
    private const string EntityColumns = "e.id, e.norm_name, e.name, e.type, e.description";
    private const string RelationColumns = "id, source_id, relation, target_id, description, evidence_id, observed";

    private readonly PostgreSqlDatabase _database;
    private readonly bool _ownsDatabase;
    private readonly GraphStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly string _s;
    private readonly SemaphoreSlim _vectorsSync = new(1, 1);
    private readonly EntityEmbeddingIndex _vectors = new();
    private long _generation = -1;
    private long _maxLoadedId;

    /// <summary>Connects to the database <paramref name="storage"/> names; the schema is migrated on first use.</summary>
    /// <param name="storage">The connection and schema.</param>
    /// <param name="bounds">The graph's bounds (<see cref="GraphStoreOptions.Path"/> is not used); defaults when null.</param>
    /// <param name="timeProvider">The clock of the merge log; defaults to the system clock.</param>
    /// <exception cref="ArgumentException">The options are invalid; the message names each key.</exception>
    public PostgreSqlGraphStore(PostgreSqlStorageOptions storage, GraphStoreOptions? bounds = null, TimeProvider? timeProvider = null)
        : this(new PostgreSqlDatabase(storage), ownsDatabase: true, bounds, timeProvider)
    {
    }

    internal PostgreSqlGraphStore(PostgreSqlDatabase database, bool ownsDatabase, GraphStoreOptions? bounds, TimeProvider? timeProvider)
    {
        _options = bounds ?? new GraphStoreOptions();
        _options.ValidateBounds();
        _database = database;
        _ownsDatabase = ownsDatabase;
        _time = timeProvider ?? TimeProvider.System;
        _s = database.Schema;
    }

    /// <summary>The server, as <c>host:port/database</c>.</summary>
    public string Server => _database.Server;

    /// <inheritdoc/>
    public Task<IReadOnlyDictionary<string, string>> GetSourceHashesAsync(string source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        return ReadAsync<IReadOnlyDictionary<string, string>>("read a source's graph evidence", async connection =>
        {
            var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
            await ForEachAsync(connection, $"SELECT id, content_hash FROM {_s}.graph_evidence WHERE source = $1", r => hashes[r.GetString(0)] = r.GetString(1), cancellationToken, source).ConfigureAwait(false);
            return hashes;
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<string>> GetSourcesAsync(CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyList<string>>("list the graph's sources", async connection =>
        {
            var sources = new List<string>();
            await ForEachAsync(connection, $"SELECT DISTINCT source FROM {_s}.graph_evidence", r => sources.Add(r.GetString(0)), cancellationToken).ConfigureAwait(false);
            return sources;
        }, cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<GraphEntity>> FindEntitiesAsync(IReadOnlyCollection<string> normalizedNames, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(normalizedNames);
        return EntitiesAsync(
            "find graph entities by name",
            $"SELECT {EntityColumns} FROM {_s}.graph_entities e WHERE e.norm_name = ANY($1) UNION SELECT {EntityColumns} FROM {_s}.graph_aliases a JOIN {_s}.graph_entities e ON e.id = a.entity_id WHERE a.norm_name = ANY($1)",
            normalizedNames.Distinct(StringComparer.Ordinal).ToArray(),
            cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<(GraphEntity Entity, double Similarity)>> NearestEntitiesAsync(ReadOnlyMemory<float> embedding, int top, double minSimilarity, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(top);
        await CatchUpAsync(cancellationToken).ConfigureAwait(false);
        var scores = _vectors.Nearest(embedding.Span, top, minSimilarity).ToDictionary(n => n.Id, n => n.Similarity);
        var entities = await GetEntitiesAsync(scores.Keys, cancellationToken).ConfigureAwait(false);
        return [.. entities.Select(e => (e, scores[e.Id])).OrderByDescending(p => p.Item2)];
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<GraphEntity>> GetEntitiesAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return EntitiesAsync("read graph entities", $"SELECT {EntityColumns} FROM {_s}.graph_entities e WHERE e.id = ANY($1)", ids.Distinct().ToArray(), cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<GraphRelation>> GetRelationsAsync(IReadOnlyCollection<long> entityIds, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entityIds);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return RelationsAsync(
            "read graph relations",
            $"SELECT {RelationColumns} FROM {_s}.graph_relations WHERE source_id = ANY($1) OR target_id = ANY($1) ORDER BY id LIMIT $2",
            entityIds.Distinct().ToArray(), limit, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<GraphMention>> GetMentionsAsync(IReadOnlyCollection<long> entityIds, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entityIds);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return ReadAsync<IReadOnlyList<GraphMention>>("read graph mentions", async connection =>
        {
            var found = new List<GraphMention>();
            await ForEachAsync(connection, $"SELECT entity_id, evidence_id, description FROM {_s}.graph_mentions WHERE entity_id = ANY($1) ORDER BY seq LIMIT $2",
                r => found.Add(new GraphMention(r.GetInt64(0), r.GetString(1), r.GetString(2))), cancellationToken, entityIds.Distinct().ToArray(), limit).ConfigureAwait(false);
            return found;
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<GraphEvidenceRecord>> GetEvidenceAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return ReadAsync<IReadOnlyList<GraphEvidenceRecord>>("read graph evidence", async connection =>
        {
            var found = new List<GraphEvidenceRecord>();
            await ForEachAsync(connection, $"SELECT id, source, kind, content_hash, observed FROM {_s}.graph_evidence WHERE id = ANY($1)",
                r => found.Add(new GraphEvidenceRecord(r.GetString(0), r.GetString(1), (GraphEvidenceKind)r.GetInt32(2), r.GetString(3), r.GetFieldValue<DateTimeOffset>(4))),
                cancellationToken, (object)ids.Distinct(StringComparer.Ordinal).ToArray()).ConfigureAwait(false);
            return found;
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<GraphMerge>> GetMergesAsync(int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return ReadAsync<IReadOnlyList<GraphMerge>>("read the graph's merge log", async connection =>
        {
            var merges = new List<GraphMerge>();
            await ForEachAsync(connection, $"SELECT entity_id, merged_name, into_name, similarity, evidence_id, merged_at FROM {_s}.graph_merges ORDER BY id DESC LIMIT $1",
                r => merges.Add(new GraphMerge(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetDouble(3), r.GetString(4), r.GetFieldValue<DateTimeOffset>(5))),
                cancellationToken, limit).ConfigureAwait(false);
            return merges;
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<GraphStatistics> GetStatisticsAsync(CancellationToken cancellationToken = default) =>
        ReadAsync("count the graph", async connection =>
        {
            GraphStatistics? statistics = null;
            await ForEachAsync(connection,
                $"SELECT (SELECT COUNT(*) FROM {_s}.graph_entities), (SELECT COUNT(*) FROM {_s}.graph_relations), (SELECT COUNT(*) FROM {_s}.graph_evidence), (SELECT COUNT(*) FROM {_s}.graph_merges)",
                r => statistics = new GraphStatistics(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3)), cancellationToken).ConfigureAwait(false);
            return statistics!;
        }, cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<GraphEdgeWeight>> GetEdgeWeightsAsync(CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyList<GraphEdgeWeight>>("read the graph's edges", async connection =>
        {
            var edges = new List<GraphEdgeWeight>();
            await ForEachAsync(connection,
                $"SELECT LEAST(source_id, target_id) AS a, GREATEST(source_id, target_id) AS b, COUNT(*)::integer FROM {_s}.graph_relations GROUP BY a, b ORDER BY a, b",
                r => edges.Add(new GraphEdgeWeight(r.GetInt64(0), r.GetInt64(1), r.GetInt32(2))), cancellationToken).ConfigureAwait(false);
            return edges;
        }, cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<GraphRelation>> GetRelationsWithinAsync(IReadOnlyCollection<long> entityIds, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entityIds);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return RelationsAsync(
            "read a community's relations",
            $"SELECT {RelationColumns} FROM {_s}.graph_relations WHERE source_id = ANY($1) AND target_id = ANY($1) ORDER BY id LIMIT $2",
            entityIds.Distinct().ToArray(), limit, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<GraphCommunity>> GetCommunitiesAsync(CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyList<GraphCommunity>>("read the community reports", async connection =>
        {
            var communities = new List<GraphCommunity>();
            await ForEachAsync(connection, $"SELECT id, title, summary, rating, members, evidence, embedding, updated FROM {_s}.graph_communities ORDER BY id COLLATE \"C\"",
                r => communities.Add(new GraphCommunity(
                    r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt32(3), r.GetFieldValue<long[]>(4), r.GetFieldValue<string[]>(5), r.GetFieldValue<float[]>(6), r.GetFieldValue<DateTimeOffset>(7))),
                cancellationToken).ConfigureAwait(false);
            return communities;
        }, cancellationToken);

    /// <inheritdoc/>
    public Task<int> ReplaceCommunitiesAsync(IReadOnlyCollection<string> keep, IReadOnlyList<GraphCommunity> add, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keep);
        ArgumentNullException.ThrowIfNull(add);
        return WriteAsync("replace the community reports", async (connection, state) =>
        {
            await using var delete = Command(connection, $"DELETE FROM {_s}.graph_communities WHERE NOT (id = ANY($1))", (object)keep.ToArray());
            var deleted = await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            foreach (var community in add)
            {
                await using var insert = Command(connection,
                    $"""
                    INSERT INTO {_s}.graph_communities (id, title, summary, rating, members, evidence, embedding, updated) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                    ON CONFLICT (id) DO UPDATE SET title = excluded.title, summary = excluded.summary, rating = excluded.rating, members = excluded.members,
                        evidence = excluded.evidence, embedding = excluded.embedding, updated = excluded.updated
                    """,
                    community.Id, community.Title, community.Summary, community.Rating, community.Members.ToArray(), community.Evidence.ToArray(), community.Embedding.ToArray(), community.UpdatedAt.ToUniversalTime());
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            return deleted;
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public Task ReplaceEvidenceAsync(GraphEvidenceRecord evidence, ResolvedExtraction extraction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        ArgumentNullException.ThrowIfNull(extraction);
        _options.CheckExtraction(evidence, extraction);
        return WriteAsync($"store the graph of evidence '{evidence.Id}'", async (connection, state) =>
        {
            var affected = await RemoveEvidenceAsync(connection, [evidence.Id], keepRecord: true, state, cancellationToken).ConfigureAwait(false);
            await using (var upsert = Command(connection,
                $"INSERT INTO {_s}.graph_evidence (id, source, kind, content_hash, observed) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO UPDATE SET source = excluded.source, kind = excluded.kind, content_hash = excluded.content_hash, observed = excluded.observed",
                evidence.Id, evidence.Source, (int)evidence.Kind, evidence.ContentHash, evidence.ObservedAt.ToUniversalTime()))
            {
                await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            var ids = new long[extraction.Entities.Count];
            for (var i = 0; i < ids.Length; i++)
            {
                ids[i] = await StoreEntityAsync(connection, extraction.Entities[i], evidence, state, cancellationToken).ConfigureAwait(false);
                affected.Remove(ids[i]);
            }

            if (state.Relations + extraction.Relations.Count > _options.MaxRelations)
            {
                throw new GraphLimitExceededException(nameof(GraphStoreOptions.MaxRelations), _options.MaxRelations,
                    $"Storing the {extraction.Relations.Count} relations of evidence '{evidence.Id}' would take the graph at {Server} (schema '{_s}') past GraphStoreOptions.MaxRelations ({_options.MaxRelations}); raise it or delete sources.");
            }

            foreach (var relation in extraction.Relations)
            {
                await using var insert = Command(connection,
                    $"INSERT INTO {_s}.graph_relations (source_id, relation, target_id, description, evidence_id, observed) VALUES ($1, $2, $3, $4, $5, $6)",
                    ids[relation.Source], relation.Relation, ids[relation.Target], relation.Description, evidence.Id, evidence.ObservedAt.ToUniversalTime());
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                state.Relations++;
            }

            await RemoveOrphansAsync(connection, affected, state, cancellationToken).ConfigureAwait(false);
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

        return WriteAsync("delete graph evidence", async (connection, state) =>
        {
            var affected = await RemoveEvidenceAsync(connection, evidenceIds, keepRecord: false, state, cancellationToken).ConfigureAwait(false);
            return await RemoveOrphansAsync(connection, affected, state, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        _vectorsSync.Dispose();
        if (_ownsDatabase)
        {
            await _database.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<long> StoreEntityAsync(NpgsqlConnection connection, ResolvedEntity entity, GraphEvidenceRecord evidence, WriteState state, CancellationToken cancellationToken)
    {
        long? id = null;
        if (entity.ExistingId is { } existing)
        {
            id = await ScalarAsync<long?>(connection, $"SELECT id FROM {_s}.graph_entities WHERE id = $1", cancellationToken, existing).ConfigureAwait(false);
        }

        id ??= await ScalarAsync<long?>(connection,
            $"SELECT id FROM {_s}.graph_entities WHERE norm_name = $1 UNION ALL SELECT entity_id FROM {_s}.graph_aliases WHERE norm_name = $1 LIMIT 1", cancellationToken, entity.NormalizedName).ConfigureAwait(false);
        if (id is null)
        {
            if (state.Entities >= _options.MaxEntities)
            {
                throw new GraphLimitExceededException(nameof(GraphStoreOptions.MaxEntities), _options.MaxEntities,
                    $"Adding entity '{entity.Name}' of evidence '{evidence.Id}' would take the graph at {Server} (schema '{_s}') past GraphStoreOptions.MaxEntities ({_options.MaxEntities}); raise it or delete sources.");
            }

            id = await ScalarAsync<long>(connection,
                $"INSERT INTO {_s}.graph_entities (norm_name, name, type, description, embedding) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                cancellationToken, entity.NormalizedName, entity.Name, entity.Type, entity.Description, EntityEmbeddingIndex.Unit(entity.Embedding.Span)).ConfigureAwait(false);
            state.Entities++;
        }
        else if (entity.MergeSimilarity is { } similarity
            && !string.Equals(entity.NormalizedName, await ScalarAsync<string?>(connection, $"SELECT norm_name FROM {_s}.graph_entities WHERE id = $1", cancellationToken, id.Value).ConfigureAwait(false), StringComparison.Ordinal))
        {
            await ExecuteAsync(connection, $"INSERT INTO {_s}.graph_aliases (norm_name, entity_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", cancellationToken, entity.NormalizedName, id.Value).ConfigureAwait(false);
            await ExecuteAsync(connection,
                $"INSERT INTO {_s}.graph_merges (entity_id, merged_name, into_name, similarity, evidence_id, merged_at) SELECT $1, $2, name, $3, $4, $5 FROM {_s}.graph_entities WHERE id = $1",
                cancellationToken, id.Value, entity.Name, similarity, evidence.Id, _time.GetUtcNow()).ConfigureAwait(false);
        }

        await ExecuteAsync(connection, $"INSERT INTO {_s}.graph_mentions (entity_id, evidence_id, description) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", cancellationToken, id.Value, evidence.Id, entity.Description).ConfigureAwait(false);
        await ExecuteAsync(connection, $"UPDATE {_s}.graph_entities SET description = $2 WHERE id = $1 AND description = ''", cancellationToken, id.Value, entity.Description).ConfigureAwait(false);
        return id.Value;
    }

    // Returns the entities that lost a mention, so the caller can remove those left with none.
    private async Task<HashSet<long>> RemoveEvidenceAsync(NpgsqlConnection connection, IReadOnlyCollection<string> evidenceIds, bool keepRecord, WriteState state, CancellationToken cancellationToken)
    {
        // Cast: a string[] would otherwise be taken as the params array itself.
        var ids = (object)evidenceIds.Distinct(StringComparer.Ordinal).ToArray();
        var affected = new HashSet<long>();
        await ForEachAsync(connection, $"DELETE FROM {_s}.graph_mentions WHERE evidence_id = ANY($1) RETURNING entity_id", r => affected.Add(r.GetInt64(0)), cancellationToken, ids).ConfigureAwait(false);
        state.Relations -= await ExecuteAsync(connection, $"DELETE FROM {_s}.graph_relations WHERE evidence_id = ANY($1)", cancellationToken, ids).ConfigureAwait(false);
        if (!keepRecord)
        {
            await ExecuteAsync(connection, $"DELETE FROM {_s}.graph_evidence WHERE id = ANY($1)", cancellationToken, ids).ConfigureAwait(false);
        }

        return affected;
    }

    // An entity left with mentions takes its oldest remaining one's description; one left with none goes (its aliases
    // with it). Relations always come with mentions of both ends from the same evidence, so it has no edges left.
    private async Task<int> RemoveOrphansAsync(NpgsqlConnection connection, HashSet<long> affected, WriteState state, CancellationToken cancellationToken)
    {
        if (affected.Count == 0)
        {
            return 0;
        }

        var ids = affected.ToArray();
        await ExecuteAsync(connection,
            $"UPDATE {_s}.graph_entities e SET description = m.description FROM (SELECT DISTINCT ON (entity_id) entity_id, description FROM {_s}.graph_mentions WHERE entity_id = ANY($1) ORDER BY entity_id, seq) m WHERE e.id = m.entity_id",
            cancellationToken, ids).ConfigureAwait(false);
        var removed = await ExecuteAsync(connection,
            $"DELETE FROM {_s}.graph_entities e WHERE e.id = ANY($1) AND NOT EXISTS (SELECT 1 FROM {_s}.graph_mentions m WHERE m.entity_id = e.id)", cancellationToken, ids).ConfigureAwait(false);
        state.Entities -= removed;
        return removed;
    }

    // Brings the in-memory name embeddings up to the graph's generation: entity embeddings never change, so only
    // entities added since the last catch-up are read, and the ids are compared only when the count shows removals.
    private async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        await _vectorsSync.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await GuardAsync("read the graph's entity embeddings", async () =>
            {
                await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
                await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
                long generation = 0, entities = 0;
                await ForEachAsync(connection, $"SELECT generation, entities FROM {_s}.graph_state", r => (generation, entities) = (r.GetInt64(0), r.GetInt64(1)), cancellationToken).ConfigureAwait(false);
                if (generation == _generation)
                {
                    return 0;
                }

                var added = new Dictionary<long, float[]>();
                await ForEachAsync(connection, $"SELECT id, embedding FROM {_s}.graph_entities WHERE id > $1", r => added[r.GetInt64(0)] = r.GetFieldValue<float[]>(1), cancellationToken, _maxLoadedId).ConfigureAwait(false);
                HashSet<long>? present = null;
                if (_vectors.Count + added.Count != entities)
                {
                    present = [];
                    await ForEachAsync(connection, $"SELECT id FROM {_s}.graph_entities WHERE id <= $1", r => present.Add(r.GetInt64(0)), cancellationToken, _maxLoadedId).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                if (present is not null)
                {
                    _vectors.RemoveWhere(present.Contains);
                }

                _vectors.Set(added);
                _maxLoadedId = added.Count == 0 ? _maxLoadedId : Math.Max(_maxLoadedId, added.Keys.Max());

                _generation = generation;
                return 0;
            }).ConfigureAwait(false);
        }
        finally
        {
            _vectorsSync.Release();
        }
    }

    private Task<T> WriteAsync<T>(string operation, Func<NpgsqlConnection, WriteState, Task<T>> work, CancellationToken cancellationToken) =>
        GuardAsync(operation, async () =>
        {
            await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, "SELECT pg_advisory_xact_lock($1, hashtext($2))", cancellationToken, GraphLockClass, _s).ConfigureAwait(false);
            var state = new WriteState();
            await ForEachAsync(connection, $"SELECT entities, relations FROM {_s}.graph_state WHERE id = 1", r => (state.Entities, state.Relations) = (r.GetInt64(0), r.GetInt64(1)), cancellationToken).ConfigureAwait(false);
            var result = await work(connection, state).ConfigureAwait(false);
            await ExecuteAsync(connection, $"UPDATE {_s}.graph_state SET generation = generation + 1, entities = $1, relations = $2 WHERE id = 1", cancellationToken, state.Entities, state.Relations).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return result;
        });

    private Task<T> ReadAsync<T>(string operation, Func<NpgsqlConnection, Task<T>> work, CancellationToken cancellationToken) =>
        GuardAsync(operation, async () =>
        {
            await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            return await work(connection).ConfigureAwait(false);
        });

    private async Task<T> GuardAsync<T>(string operation, Func<Task<T>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (NpgsqlException e)
        {
            var described = _database.Describe(operation, e);
            throw new GraphException(described.Message, described);
        }
        catch (PostgreSqlStorageException e)
        {
            throw new GraphException(e.Message, e);
        }
    }

    private Task<IReadOnlyList<GraphEntity>> EntitiesAsync<TKey>(string operation, string sql, TKey[] keys, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<GraphEntity>>(operation, async connection =>
        {
            var found = new Dictionary<long, GraphEntity>();
            if (keys.Length > 0)
            {
                await ForEachAsync(connection, sql, r => found[r.GetInt64(0)] = new GraphEntity(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4)), cancellationToken, keys).ConfigureAwait(false);
            }

            return found.Values.ToList();
        }, cancellationToken);

    private Task<IReadOnlyList<GraphRelation>> RelationsAsync(string operation, string sql, long[] entityIds, int limit, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<GraphRelation>>(operation, async connection =>
        {
            var found = new List<GraphRelation>();
            await ForEachAsync(connection, sql,
                r => found.Add(new GraphRelation(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetInt64(3), r.GetString(4), r.GetString(5), r.GetFieldValue<DateTimeOffset>(6))),
                cancellationToken, entityIds, limit).ConfigureAwait(false);
            return found;
        }, cancellationToken);

    private static async Task ForEachAsync(NpgsqlConnection connection, string sql, Action<NpgsqlDataReader> row, CancellationToken cancellationToken, params object?[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            row(reader);
        }
    }

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object?[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object?[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is null or DBNull ? default! : (T)value;
    }

    // The graph's counts as this write changes them, checked against the bounds and stored when it commits.
    private sealed class WriteState
    {
        public long Entities { get; set; }

        public long Relations { get; set; }
    }
}
