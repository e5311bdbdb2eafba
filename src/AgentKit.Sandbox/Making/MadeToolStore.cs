using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace AgentKit.Sandbox.Making;

/// <summary>
/// The made tools in one SQLite file (table <c>made_tools</c>, write-ahead log), every version kept: a tool proposed
/// again under the same name and scope is stored as the next version, and removing marks rows, it deletes nothing.
/// One connection per operation (pooled); each write is one transaction, so two processes (a host and the
/// <c>agentkit tools made</c> command) can share the file. SQLite failures surface as <see cref="MadeToolStoreException"/>
/// naming the file.
/// </summary>
public sealed class MadeToolStore
{
    private const string Columns = "id, scope, name, version, description, parameters_schema, body, examples, created, approved, removed";
    private readonly string _connectionString;
    private readonly TimeProvider _time;
    private readonly Lock _initialization = new();
    private volatile bool _initialized;

    /// <summary>Opens (creating when needed) the file at <paramref name="path"/>.</summary>
    /// <param name="path">The SQLite file; its folder is created when missing.</param>
    /// <param name="timeProvider">The clock of <see cref="MadeTool.Created"/>, approvals and removals; defaults to the system clock.</param>
    public MadeToolStore(string path, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = Path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true, DefaultTimeout = 5 }.ToString();
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The full path of the file.</summary>
    public string Path { get; }

    /// <summary>
    /// Stores <paramref name="proposal"/> as the next version of its name in <paramref name="scope"/>, checking in the
    /// same transaction that no other scope holds the name and that the scope's and the tool's bounds hold.
    /// </summary>
    /// <param name="scope">The scope (<see cref="MadeToolScopes"/>).</param>
    /// <param name="proposal">A proposal whose examples passed.</param>
    /// <param name="approved">Whether it is approved already (approval not required).</param>
    /// <param name="maxTools">Names a scope may hold.</param>
    /// <param name="maxVersions">Versions a name may hold.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The stored version.</returns>
    /// <exception cref="ToolProposalException">Another scope holds the name (field <c>name</c>), or a bound is reached.</exception>
    /// <exception cref="MadeToolStoreException">The file could not be written.</exception>
    public Task<MadeTool> AddAsync(string scope, MadeToolProposal proposal, bool approved, int maxTools, int maxVersions, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(scope);
        ArgumentNullException.ThrowIfNull(proposal);
        return GuardAsync("store a made tool", async connection =>
        {
            await using var transaction = connection.BeginTransaction(deferred: false);
            var owner = await ScalarAsync(connection, transaction, "SELECT scope FROM made_tools WHERE name = $name AND scope <> $scope AND removed IS NULL LIMIT 1", cancellationToken, ("$name", proposal.Name), ("$scope", scope)).ConfigureAwait(false);
            if (owner is string other)
            {
                throw new ToolProposalException("name", $"A made tool named '{proposal.Name}' already exists in another scope ({other}); choose another name.");
            }

            var versions = Convert.ToInt32(await ScalarAsync(connection, transaction, "SELECT COUNT(*) FROM made_tools WHERE scope = $scope AND name = $name AND removed IS NULL", cancellationToken, ("$scope", scope), ("$name", proposal.Name)).ConfigureAwait(false), CultureInfo.InvariantCulture);
            if (versions >= maxVersions)
            {
                throw new ToolProposalException("name", $"The made tool '{proposal.Name}' already has {versions} versions, the most kept ({ToolMakingOptions.SectionName}:MaxVersions); remove old versions first.");
            }

            if (versions == 0)
            {
                var names = Convert.ToInt32(await ScalarAsync(connection, transaction, "SELECT COUNT(DISTINCT name) FROM made_tools WHERE scope = $scope AND removed IS NULL", cancellationToken, ("$scope", scope)).ConfigureAwait(false), CultureInfo.InvariantCulture);
                if (names >= maxTools)
                {
                    throw new ToolProposalException("name", $"The scope {scope} already holds {names} made tools, the most allowed ({ToolMakingOptions.SectionName}:MaxTools); remove one first.");
                }
            }

            var version = 1 + Convert.ToInt32(await ScalarAsync(connection, transaction, "SELECT COALESCE(MAX(version), 0) FROM made_tools WHERE scope = $scope AND name = $name", cancellationToken, ("$scope", scope), ("$name", proposal.Name)).ConfigureAwait(false), CultureInfo.InvariantCulture);
            var now = _time.GetUtcNow();
            await using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = """
                INSERT INTO made_tools (scope, name, version, description, parameters_schema, body, examples, created, approved)
                VALUES ($scope, $name, $version, $description, $schema, $body, $examples, $created, $approved)
                RETURNING id
                """;
            insert.Parameters.AddWithValue("$scope", scope);
            insert.Parameters.AddWithValue("$name", proposal.Name);
            insert.Parameters.AddWithValue("$version", version);
            insert.Parameters.AddWithValue("$description", proposal.Description);
            insert.Parameters.AddWithValue("$schema", proposal.ParametersSchema.GetRawText());
            insert.Parameters.AddWithValue("$body", proposal.Body);
            insert.Parameters.AddWithValue("$examples", WriteExamples(proposal.Examples));
            insert.Parameters.AddWithValue("$created", Format(now));
            insert.Parameters.AddWithValue("$approved", approved ? Format(now) : DBNull.Value);
            var id = (long)(await insert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return new MadeTool(id, scope, proposal.Name, version, proposal.Description, proposal.ParametersSchema.Clone(), proposal.Body, proposal.Examples, now, approved ? now : null, null);
        });
    }

    /// <summary>Every stored version in <paramref name="scopes"/> (all scopes when <see langword="null"/>), by scope, name and version.</summary>
    /// <param name="scopes">The scopes to list; <see langword="null"/> for all.</param>
    /// <param name="includeRemoved">Whether removed versions are listed too.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The versions.</returns>
    /// <exception cref="MadeToolStoreException">The file could not be read.</exception>
    public Task<IReadOnlyList<MadeTool>> ListAsync(IReadOnlyCollection<string>? scopes = null, bool includeRemoved = false, CancellationToken cancellationToken = default) =>
        QueryAsync($"SELECT {Columns} FROM made_tools WHERE {ScopeFilter(scopes)} {(includeRemoved ? "" : "AND removed IS NULL")} ORDER BY scope, name, version", scopes, cancellationToken);

    /// <summary>The latest version not removed of each tool in <paramref name="scopes"/>: what is offered.</summary>
    /// <param name="scopes">The scopes an agent sees.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>One version per name.</returns>
    /// <exception cref="MadeToolStoreException">The file could not be read.</exception>
    public Task<IReadOnlyList<MadeTool>> ListOfferedAsync(IReadOnlyCollection<string> scopes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        return QueryAsync(
            $"""
            SELECT {Columns} FROM made_tools t WHERE {ScopeFilter(scopes)} AND removed IS NULL
              AND version = (SELECT MAX(version) FROM made_tools l WHERE l.scope = t.scope AND l.name = t.name AND l.removed IS NULL)
            ORDER BY name, scope
            """,
            scopes,
            cancellationToken);
    }

    /// <summary>Approves a version: <paramref name="version"/>, or the latest not removed when <see langword="null"/>.</summary>
    /// <param name="scope">The tool's scope.</param>
    /// <param name="name">The tool's name.</param>
    /// <param name="version">The version; <see langword="null"/> for the latest.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Whether a version not removed was found (approving an approved one again changes nothing).</returns>
    /// <exception cref="MadeToolStoreException">The file could not be written.</exception>
    public async Task<bool> ApproveAsync(string scope, string name, int? version = null, CancellationToken cancellationToken = default) =>
        await UpdateAsync(
            "UPDATE made_tools SET approved = COALESCE(approved, $now) WHERE scope = $scope AND name = $name AND removed IS NULL AND version = "
            + (version is null ? "(SELECT MAX(version) FROM made_tools WHERE scope = $scope AND name = $name AND removed IS NULL)" : "$version"),
            scope,
            name,
            version,
            cancellationToken).ConfigureAwait(false) > 0;

    /// <summary>Removes one version, or every version when <paramref name="version"/> is <see langword="null"/>; a removed version is kept in the file but never offered.</summary>
    /// <param name="scope">The tool's scope.</param>
    /// <param name="name">The tool's name.</param>
    /// <param name="version">The version; <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>How many versions were removed.</returns>
    /// <exception cref="MadeToolStoreException">The file could not be written.</exception>
    public Task<int> RemoveAsync(string scope, string name, int? version = null, CancellationToken cancellationToken = default) =>
        UpdateAsync(
            "UPDATE made_tools SET removed = $now WHERE scope = $scope AND name = $name AND removed IS NULL" + (version is null ? "" : " AND version = $version"),
            scope,
            name,
            version,
            cancellationToken);

    /// <summary>Records the approval of the version with row id <paramref name="id"/> (its first approved call).</summary>
    internal Task MarkApprovedAsync(long id, CancellationToken cancellationToken) =>
        GuardAsync("record an approval", async connection =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "UPDATE made_tools SET approved = COALESCE(approved, $now) WHERE id = $id";
            command.Parameters.AddWithValue("$id", id);
            command.Parameters.AddWithValue("$now", Format(_time.GetUtcNow()));
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        });

    private static string ScopeFilter(IReadOnlyCollection<string>? scopes) =>
        scopes is null ? "1 = 1" : scopes.Count == 0 ? "0 = 1" : $"scope IN ({string.Join(", ", Enumerable.Range(0, scopes.Count).Select(i => $"$s{i}"))})";

    private Task<int> UpdateAsync(string sql, string scope, string name, int? version, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(scope);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return GuardAsync("update a made tool", async connection =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.Parameters.AddWithValue("$scope", scope);
            command.Parameters.AddWithValue("$name", name);
            command.Parameters.AddWithValue("$version", (object?)version ?? DBNull.Value);
            command.Parameters.AddWithValue("$now", Format(_time.GetUtcNow()));
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        });
    }

    private Task<IReadOnlyList<MadeTool>> QueryAsync(string sql, IReadOnlyCollection<string>? scopes, CancellationToken cancellationToken) =>
        GuardAsync("read the made tools", async connection =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            var i = 0;
            foreach (var scope in scopes ?? [])
            {
                command.Parameters.AddWithValue($"$s{i++}", scope);
            }

            var tools = new List<MadeTool>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                tools.Add(new MadeTool(
                    reader.GetInt64(0),
                    reader.GetString(1),
                    reader.GetString(2),
                    reader.GetInt32(3),
                    reader.GetString(4),
                    ParseJson(reader.GetString(5)),
                    reader.GetString(6),
                    ReadExamples(reader.GetString(7)),
                    Parse(reader.GetString(8)),
                    reader.IsDBNull(9) ? null : Parse(reader.GetString(9)),
                    reader.IsDBNull(10) ? null : Parse(reader.GetString(10))));
            }

            return (IReadOnlyList<MadeTool>)tools;
        });

    private static async Task<object?> ScalarAsync(SqliteConnection connection, SqliteTransaction transaction, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<T> GuardAsync<T>(string action, Func<SqliteConnection, Task<T>> work)
    {
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            await using var connection = new SqliteConnection(_connectionString);
            await connection.OpenAsync().ConfigureAwait(false);
            Initialize(connection);
            return await work(connection).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            throw new MadeToolStoreException($"Could not {action} in '{Path}': {e.Message}", e);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new MadeToolStoreException($"Could not {action} in '{Path}': a stored tool is not valid JSON ({e.Message}); the file was changed outside AgentKit.", e);
        }
    }

    private void Initialize(SqliteConnection connection)
    {
        if (_initialized)
        {
            return;
        }

        lock (_initialization)
        {
            if (_initialized)
            {
                return;
            }

            using var command = connection.CreateCommand();
            command.CommandText = """
                PRAGMA journal_mode = WAL;
                CREATE TABLE IF NOT EXISTS made_tools (
                  id INTEGER PRIMARY KEY,
                  scope TEXT NOT NULL,
                  name TEXT NOT NULL,
                  version INTEGER NOT NULL,
                  description TEXT NOT NULL,
                  parameters_schema TEXT NOT NULL,
                  body TEXT NOT NULL,
                  examples TEXT NOT NULL,
                  created TEXT NOT NULL,
                  approved TEXT NULL,
                  removed TEXT NULL,
                  UNIQUE (scope, name, version));
                """;
            command.ExecuteNonQuery();
            _initialized = true;
        }
    }

    private static string WriteExamples(IReadOnlyList<MadeToolExample> examples)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var example in examples)
            {
                writer.WriteStartObject();
                writer.WritePropertyName("input");
                example.Input.WriteTo(writer);
                writer.WritePropertyName("expected");
                example.Expected.WriteTo(writer);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static List<MadeToolExample> ReadExamples(string json)
    {
        using var document = JsonDocument.Parse(json);
        return [.. document.RootElement.EnumerateArray().Select(e => new MadeToolExample(e.GetProperty("input").Clone(), e.GetProperty("expected").Clone()))];
    }

    private static JsonElement ParseJson(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static string Format(DateTimeOffset time) => time.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset Parse(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
}
