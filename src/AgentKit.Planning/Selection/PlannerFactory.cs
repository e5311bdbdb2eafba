using AgentKit.Prompts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AgentKit.Planning;

/// <summary>Creates planners from <see cref="PlanningOptions"/>; request values win over the configured ones.</summary>
public sealed class PlannerFactory : IPlannerFactory
{
    private static readonly Dictionary<string, PlannerKind> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["cot"] = PlannerKind.ChainOfThought,
        ["chain-of-thought"] = PlannerKind.ChainOfThought,
        ["sc"] = PlannerKind.SelfConsistency,
        ["self-consistency"] = PlannerKind.SelfConsistency,
        ["tot"] = PlannerKind.TreeOfThoughts,
        ["tree-of-thoughts"] = PlannerKind.TreeOfThoughts,
        ["react"] = PlannerKind.ReAct,
        ["plan-execute"] = PlannerKind.PlanAndExecute,
        ["plan-and-execute"] = PlannerKind.PlanAndExecute,
    };

    private readonly IPromptRegistry _prompts;
    private readonly IOptionsMonitor<PlanningOptions> _options;
    private readonly ILoggerFactory _loggers;

    /// <summary>Creates the factory.</summary>
    /// <param name="prompts">Where the prompt files come from.</param>
    /// <param name="options">The configured defaults (read at each <c>Create</c>, so configuration reloads apply).</param>
    /// <param name="loggers">Optional logger factory.</param>
    public PlannerFactory(IPromptRegistry prompts, IOptionsMonitor<PlanningOptions> options, ILoggerFactory? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(options);
        _prompts = prompts;
        _options = options;
        _loggers = loggers ?? NullLoggerFactory.Instance;
    }

    /// <summary>Reads a strategy name: a <see cref="PlannerKind"/> name or an alias, case-insensitive.</summary>
    /// <param name="name">The name.</param>
    /// <param name="kind">The strategy.</param>
    /// <returns>Whether the name is known.</returns>
    public static bool TryParseKind(string? name, out PlannerKind kind)
    {
        kind = default;
        if (string.IsNullOrWhiteSpace(name))
        {
            return false;
        }

        var trimmed = name.Trim();
        if (Aliases.TryGetValue(trimmed, out kind))
        {
            return true;
        }

        return Enum.TryParse(trimmed, ignoreCase: true, out kind) && Enum.IsDefined(kind) && !int.TryParse(trimmed, out _);
    }

    /// <inheritdoc/>
    public IPlanner CreateDefault() => Create(_options.CurrentValue.DefaultPlanner);

    /// <inheritdoc/>
    public IPlanner Create(string name) => TryParseKind(name, out var kind)
        ? Create(kind)
        : throw new PlannerNotFoundException(
            $"No planning strategy is named '{name}'. Use one of: {string.Join(", ", Enum.GetNames<PlannerKind>())} (or {string.Join(", ", Aliases.Keys)}).")
        { Name = name };

    /// <inheritdoc/>
    public IPlanner Create(PlannerKind kind)
    {
        var o = _options.CurrentValue;
        return kind switch
        {
            PlannerKind.ChainOfThought => new Strategy(kind, (client, r, ct) =>
                Run(new ChainOfThoughtPlanner(_prompts, _loggers.CreateLogger<ChainOfThoughtPlanner>()).RunAsync(client, r.Question,
                    o.ChainOfThought with { Format = r.Format ?? o.ChainOfThought.Format, Budget = r.Budget ?? o.ChainOfThought.Budget }, ct))),
            PlannerKind.SelfConsistency => new Strategy(kind, (client, r, ct) =>
                Run(new SelfConsistencyPlanner(_prompts, _loggers.CreateLogger<SelfConsistencyPlanner>()).RunAsync(client, r.Question,
                    o.SelfConsistency with { Format = r.Format ?? o.SelfConsistency.Format, Budget = r.Budget ?? o.SelfConsistency.Budget }, ct))),
            PlannerKind.TreeOfThoughts => new Strategy(kind, (client, r, ct) =>
                Run(new TreeOfThoughtsPlanner(_prompts, _loggers.CreateLogger<TreeOfThoughtsPlanner>()).RunAsync(client,
                    r.ThoughtTask ?? new QuestionThoughtTask(r.Question, r.Format),
                    o.TreeOfThoughts with { Budget = r.Budget ?? o.TreeOfThoughts.Budget }, ct))),
            PlannerKind.ReAct => new Strategy(kind, (client, r, ct) =>
                Run(new ReActPlanner(_prompts, _loggers.CreateLogger<ReActPlanner>()).RunAsync(client, r.Question,
                    o.ReAct with
                    {
                        Tools = r.Tools.Count > 0 ? r.Tools : o.ReAct.Tools,
                        Budget = r.Budget ?? o.ReAct.Budget,
                        Fallback = o.ReAct.Fallback with { Format = r.Format ?? o.ReAct.Fallback.Format },
                    }, ct))),
            PlannerKind.PlanAndExecute => new Strategy(kind, (client, r, ct) =>
                Run(new PlanAndExecutePlanner(_prompts, _loggers.CreateLogger<PlanAndExecutePlanner>()).RunAsync(client, r.Question,
                    o.PlanAndExecute with { Tools = r.Tools.Count > 0 ? r.Tools : o.PlanAndExecute.Tools, Budget = r.Budget ?? o.PlanAndExecute.Budget }, ct))),
            _ => throw new PlannerNotFoundException($"No planning strategy {kind}.") { Name = kind.ToString() },
        };
    }

    private static async Task<PlanningResult> Run<TResult>(Task<TResult> run)
        where TResult : PlanningResult => await run.ConfigureAwait(false);

    private sealed class Strategy(PlannerKind kind, Func<IChatClient, PlanningRequest, CancellationToken, Task<PlanningResult>> run) : IPlanner
    {
        public PlannerKind Kind => kind;

        public Task<PlanningResult> RunAsync(IChatClient client, PlanningRequest request, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(client);
            ArgumentNullException.ThrowIfNull(request);
            return run(client, request, cancellationToken);
        }
    }
}
