using System.Globalization;
using AgentKit.Abstractions.Tools;
using AgentKit.Agents;
using AgentKit.Agents.Checkpoints;
using AgentKit.Agents.Sessions;
using AgentKit.Storage.PostgreSql;
using AgentKit.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AgentKit.Faults.Worker;

/// <summary>
/// A checkpointed multi-tool run in <c>sessions.db</c> whose tools record their side effects in <c>effects.db</c>:
/// <c>lookup</c> (idempotent), <c>ship</c> (deduplicated by idempotency key, as the carrier is) and <c>email</c> (not
/// idempotent), called in turn (<see cref="ToolCalls"/> times unless told otherwise), then an answer. A started process resumes the unfinished
/// run if there is one, else starts the run (or says the run is done). It prints "ACK seq kind" after each
/// checkpoint write returns, "ACK complete" when the run's end is stored, and "EFFECT tool call" after a tool's effect
/// is committed, then pauses (a window for a kill between the effect and its recorded result).
/// </summary>
public static class DurableRunScenario
{
    /// <summary>How many tool calls the run makes by default.</summary>
    public const int ToolCalls = 3;

    /// <summary>The tools, called in this order, round robin.</summary>
    public static readonly string[] Tools = ["lookup", "ship", "email"];

    /// <summary>The reason the operator gives for not repeating an interrupted e-mail.</summary>
    public const string Declined = "not sent twice";

    /// <summary>The model's final answer.</summary>
    public const string Answer = "All done.";

    /// <summary>Runs or resumes the scenario.</summary>
    /// <param name="folder">The data folder.</param>
    /// <param name="pauseAfterCheckpoints">Pause for good after this many checkpoint writes of this process (0: never).</param>
    /// <param name="effectPause">How long a tool waits between committing its effect and returning.</param>
    /// <param name="toolCalls">How many tool calls the run makes.</param>
    /// <param name="postgreSql">Sessions and checkpoints in this PostgreSQL database and schema instead of <c>sessions.db</c>.</param>
    /// <returns>A task.</returns>
    public static async Task RunAsync(string folder, int pauseAfterCheckpoints, TimeSpan effectPause, int toolCalls = ToolCalls, (string Connection, string Schema)? postgreSql = null)
    {
        await using var services = await BuildServicesAsync(folder, pauseAfterCheckpoints, effectPause, toolCalls, postgreSql);
        var runner = services.GetRequiredService<AgentRunner>();
        var marker = Path.Combine(folder, "session.txt");
        AgentRunResult result;
        if (await runner.ListUnfinishedRunsAsync() is [var unfinished, ..])
        {
            Console.WriteLine("RESUMING " + unfinished.RunId);
            result = await runner.ResumeAsync(unfinished.RunId);
        }
        else if (File.Exists(marker) && await runner.Checkpoints!.ListRunsAsync(await File.ReadAllTextAsync(marker)) is { Count: > 0 })
        {
            Console.WriteLine("NOTHING");
            return;
        }
        else
        {
            // A process killed before the run's start was recorded acknowledged nothing: the request is sent again.
            var session = File.Exists(marker)
                ? await runner.OpenSessionAsync(await File.ReadAllTextAsync(marker))
                : await runner.CreateSessionAsync(FaultModels.AgentName);
            await File.WriteAllTextAsync(marker, session.Id);
            Console.WriteLine("STARTED " + session.Id);
            result = await session.RunAsync("Process the return.");
        }

        Console.WriteLine("DONE " + result.Outcome);
    }

    /// <summary>
    /// A second replica on the same PostgreSQL schema: prints "READY", then sweeps for orphaned runs every 200 ms
    /// (<see cref="AgentRunner.ResumeOrphanedRunsAsync"/>) — a run a live process holds is skipped — until it resumes
    /// one, printing "RESUMING id" and "DONE outcome".
    /// </summary>
    /// <param name="folder">The data folder (its <c>effects.db</c> is shared with the first replica).</param>
    /// <param name="postgreSql">The database and schema.</param>
    /// <returns>A task.</returns>
    public static async Task StandbyAsync(string folder, (string Connection, string Schema) postgreSql)
    {
        await using var services = await BuildServicesAsync(folder, 0, TimeSpan.Zero, ToolCalls, postgreSql);
        var runner = services.GetRequiredService<AgentRunner>();
        Console.WriteLine("READY");
        while (true)
        {
            if (await runner.ResumeOrphanedRunsAsync() is [var resuming, ..])
            {
                Console.WriteLine("RESUMING");
                Console.WriteLine("DONE " + (await resuming).Outcome);
                return;
            }

            await Task.Delay(200);
        }
    }

    private static async Task<ServiceProvider> BuildServicesAsync(string folder, int pauseAfterCheckpoints, TimeSpan effectPause, int toolCalls, (string Connection, string Schema)? postgreSql)
    {
        var effects = Path.Combine(folder, "effects.db");
        await InitializeEffectsAsync(effects);
        var written = 0;
        var services = new ServiceCollection();
        if (postgreSql is { } database)
        {
            services.AddAgentKitPostgreSqlStorage(options => (options.ConnectionString, options.Schema) = database);
        }

        return services
            .AddSingleton<IChatClient>(Model(toolCalls))
            .AddAgentKitAgents(Path.Combine(folder, "sessions.db"), Policies)
            .AddSingleton<IRunCheckpointStore>(sp => new AcknowledgingCheckpointStore((IRunCheckpointStore)sp.GetRequiredService<ISessionStore>(), () =>
            {
                if (pauseAfterCheckpoints > 0 && ++written == pauseAfterCheckpoints)
                {
                    Console.WriteLine("PAUSED");
                    Thread.Sleep(Timeout.Infinite);
                }
            }))
            .AddSingleton<IToolApprovalHandler>(new DelegateToolApprovalHandler((_, _) => ValueTask.FromResult(ToolApprovalDecision.Deny(Declined))))
            .AddAgentKitTools(CreateTools(effects, effectPause))
            .AddAgent(new AgentDefinition { Name = FaultModels.AgentName, Instructions = AgentInstructions.Literal("You process returns."), Tools = Tools, Limits = new AgentLimits { MaxSteps = toolCalls + 1 } })
            .BuildServiceProvider();
    }

    /// <summary>The scripted model: the next tool call by how many results the request holds, then the answer.</summary>
    /// <param name="toolCalls">How many tool calls it makes.</param>
    /// <returns>The model.</returns>
    public static ScriptedChatClient Model(int toolCalls = ToolCalls) => new((messages, _) =>
    {
        var results = messages.Count(m => m.Role == ChatRole.Tool);
        return results >= toolCalls
            ? new ChatResponse(new ChatMessage(ChatRole.Assistant, Answer))
            : new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent(CallId(results), Tools[results % Tools.Length], new Dictionary<string, object?> { ["order"] = results })]));
    });

    /// <summary>The model's id for the i-th tool call.</summary>
    /// <param name="index">The call's index.</param>
    /// <returns>The id.</returns>
    public static string CallId(int index) => "call-" + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>The tools' declared policies.</summary>
    /// <param name="options">The pipeline options.</param>
    public static void Policies(ToolPipelineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Policies["lookup"] = new ToolPolicy { Idempotency = ToolIdempotency.Idempotent };
        options.Policies["ship"] = new ToolPolicy { Idempotency = ToolIdempotency.IdempotencyKey };
    }

    /// <summary>What a finished scenario left: whether its run completed, its stored checkpoints, and the tools' counts.</summary>
    /// <param name="folder">The data folder.</param>
    /// <returns>The state.</returns>
    public static async Task<DurableRunState> InspectAsync(string folder)
    {
        var store = new SqliteSessionStore(Path.Combine(folder, "sessions.db"));
        var sessionId = await File.ReadAllTextAsync(Path.Combine(folder, "session.txt"));
        var run = await store.ListRunsAsync(sessionId) is [var only] ? only : throw new InvalidOperationException($"Session {sessionId} should hold one run.");
        var checkpoints = (await store.LoadCheckpointsAsync(run.RunId)).ToDictionary(c => c.Sequence, c => c.Kind.ToString());
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(folder, "effects.db")};Pooling=False");
        await connection.OpenAsync();
        async Task<long> ScalarAsync(string sql)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        }

        return new DurableRunState(
            run.Outcome,
            checkpoints,
            await ScalarAsync("SELECT COALESCE(MAX(n), 0) FROM (SELECT COUNT(*) AS n FROM executions WHERE tool = 'email' GROUP BY call_index)"),
            await ScalarAsync("SELECT COALESCE(MAX(n), 0) FROM (SELECT COUNT(*) AS n FROM shipments GROUP BY call_index)"),
            await ScalarAsync("SELECT COUNT(*) FROM executions WHERE tool = 'lookup'") - await ScalarAsync("SELECT COUNT(DISTINCT call_index) FROM executions WHERE tool = 'lookup'"));
    }

    private static IEnumerable<AIFunction> CreateTools(string effects, TimeSpan effectPause)
    {
        async Task<string> RecordAsync(string tool, int order, string? key)
        {
            await using (var connection = new SqliteConnection($"Data Source={effects};Pooling=False"))
            {
                await connection.OpenAsync();
                await using var command = connection.CreateCommand();
                command.CommandText = "PRAGMA busy_timeout = 5000; INSERT INTO executions (tool, call_index, key) VALUES ($tool, $order, $key)"
                    + (tool == "ship" ? "; INSERT OR IGNORE INTO shipments (key, call_index) VALUES ($key, $order)" : string.Empty);
                command.Parameters.AddWithValue("$tool", tool);
                command.Parameters.AddWithValue("$order", order);
                command.Parameters.AddWithValue("$key", (object?)key ?? DBNull.Value);
                await command.ExecuteNonQueryAsync();
            }

            Console.WriteLine($"EFFECT {tool} {CallId(order)}");
            await Task.Delay(effectPause);
            return $"{tool} {order} done";
        }

        return
        [
            AIFunctionFactory.Create((int order) => RecordAsync("lookup", order, null), "lookup"),
            AIFunctionFactory.Create((int order, AIFunctionArguments arguments) => RecordAsync("ship", order, arguments.GetIdempotencyKey()), "ship"),
            AIFunctionFactory.Create((int order) => RecordAsync("email", order, null), "email"),
        ];
    }

    private static async Task InitializeEffectsAsync(string path)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS executions (tool TEXT NOT NULL, call_index INTEGER NOT NULL, key TEXT);
            CREATE TABLE IF NOT EXISTS shipments (key TEXT PRIMARY KEY, call_index INTEGER NOT NULL);
            """;
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Prints an acknowledgement after each checkpoint write returns, then calls <c>afterWrite</c>.</summary>
    private sealed class AcknowledgingCheckpointStore(IRunCheckpointStore inner, Action afterWrite) : DelegatingRunCheckpointStore(inner)
    {
        public override async ValueTask<long> AppendAsync(string runId, RunCheckpointData checkpoint, CancellationToken cancellationToken = default)
        {
            var sequence = await base.AppendAsync(runId, checkpoint, cancellationToken);
            Console.WriteLine($"ACK {sequence.ToString(CultureInfo.InvariantCulture)} {checkpoint.Kind}");
            afterWrite();
            return sequence;
        }

        public override async ValueTask CompleteRunAsync(string runId, string outcome, IEnumerable<ChatMessage> messages, CancellationToken cancellationToken = default)
        {
            await base.CompleteRunAsync(runId, outcome, messages, cancellationToken);
            Console.WriteLine("ACK complete");
            afterWrite();
        }
    }
}

/// <summary>What a durable-run scenario left behind (<see cref="DurableRunScenario.InspectAsync"/>).</summary>
/// <param name="Outcome">How the run ended; <see langword="null"/> when unfinished.</param>
/// <param name="Checkpoints">The stored checkpoints' kinds by sequence.</param>
/// <param name="MaxEmailsPerCall">The most times one e-mail call ran (above 1: a duplicated side effect).</param>
/// <param name="MaxShipmentsPerCall">The most shipments one ship call created (above 1: a duplicated side effect).</param>
/// <param name="LookupReruns">How often an idempotent lookup ran again after a crash (allowed).</param>
public sealed record DurableRunState(string? Outcome, IReadOnlyDictionary<long, string> Checkpoints, long MaxEmailsPerCall, long MaxShipmentsPerCall, long LookupReruns);
