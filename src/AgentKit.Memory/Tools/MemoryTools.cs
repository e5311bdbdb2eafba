using System.ComponentModel;
using System.Globalization;
using AgentKit.Memory.Storage;
using Microsoft.Extensions.AI;

namespace AgentKit.Memory;

/// <summary>
/// The memory as tools a model may call, in the MemGPT style: <c>remember</c>, <c>recall</c> and <c>forget</c>.
/// Every call works inside the caller's <see cref="MemoryScope"/>: a memory of another agent (or, for a scope
/// restricted to its session, of another session) is never returned nor deleted, and asking for one by id answers
/// as if it did not exist.
/// </summary>
public static class MemoryTools
{
    /// <summary>The name of the tool that stores a memory.</summary>
    public const string RememberName = "remember";

    /// <summary>The name of the tool that reads memories.</summary>
    public const string RecallName = "recall";

    /// <summary>The name of the tool that deletes a memory.</summary>
    public const string ForgetName = "forget";

    /// <summary>Creates the tools for one fixed scope.</summary>
    /// <param name="memory">The memory.</param>
    /// <param name="scope">The agent (and session) every call acts for.</param>
    /// <returns>The three tools.</returns>
    public static IReadOnlyList<AIFunction> Create(AgentMemory memory, MemoryScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        scope.Validate();
        return Create(memory, () => scope);
    }

    /// <summary>
    /// Creates the tools for agents: each call acts for the scope attached to its request by the agent's memory hook
    /// (<see cref="MemoryToolScope.Current"/>). A call without one fails with <see cref="MemoryScopeMissingException"/>.
    /// </summary>
    /// <param name="memory">The memory.</param>
    /// <returns>The three tools.</returns>
    public static IReadOnlyList<AIFunction> CreateForAgents(AgentMemory memory) => Create(memory, MemoryToolScope.Current);

    /// <summary>Creates the tools with a scope resolved at each call.</summary>
    /// <param name="memory">The memory.</param>
    /// <param name="resolveScope">Returns the calling agent's scope, or <see langword="null"/> when it is unknown (the call then fails).</param>
    /// <returns>The three tools.</returns>
    public static IReadOnlyList<AIFunction> Create(AgentMemory memory, Func<MemoryScope?> resolveScope)
    {
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentNullException.ThrowIfNull(resolveScope);
        var functions = new Functions(memory, resolveScope);
        return
        [
            AIFunctionFactory.Create(functions.RememberAsync, new AIFunctionFactoryOptions { Name = RememberName }),
            AIFunctionFactory.Create(functions.RecallAsync, new AIFunctionFactoryOptions { Name = RecallName }),
            AIFunctionFactory.Create(functions.ForgetAsync, new AIFunctionFactoryOptions { Name = ForgetName }),
        ];
    }

    /// <summary>A memory as the recall tool shows it.</summary>
    /// <param name="Id">The id, for <c>forget</c>.</param>
    /// <param name="Text">The text.</param>
    /// <param name="Kind">observation, fact, reflection or plan.</param>
    /// <param name="Created">When it was written (ISO 8601).</param>
    /// <param name="Score">Its retrieval score.</param>
    internal sealed record RecalledMemory(string Id, string Text, string Kind, string Created, double Score);

    private sealed class Functions(AgentMemory memory, Func<MemoryScope?> resolveScope)
    {
        [Description("Stores something worth remembering in your long-term memory: a fact about the user or the world, an observation, or a plan. Facts are checked against what you already remember; a contradicted memory is replaced.")]
        public async Task<string> RememberAsync(
            [Description("What to remember, as one self-contained sentence.")] string text,
            [Description("'fact' (true statement), 'observation' (something that happened) or 'plan' (an intention). Defaults to 'observation'.")] string kind = "observation",
            CancellationToken cancellationToken = default)
        {
            var scope = Scope();
            var parsed = kind.Trim().ToUpperInvariant() switch
            {
                "FACT" => MemoryKind.Fact,
                "OBSERVATION" => MemoryKind.Observation,
                "PLAN" => MemoryKind.Plan,
                _ => throw new ArgumentException($"Unknown memory kind '{kind}'; use 'fact', 'observation' or 'plan'.", nameof(kind)),
            };
            var result = await memory.RememberAsync(scope, text, new RememberOptions { Kind = parsed }, cancellationToken).ConfigureAwait(false);
            return string.Join("\n", result.Changes.Select(c => c.Operation switch
            {
                MemoryOperation.Add => $"Remembered (id {c.MemoryId}).",
                MemoryOperation.Update => $"Updated memory {c.MemoryId}: {c.Text}",
                MemoryOperation.Delete => $"Removed the contradicted memory {c.MemoryId}: {c.Text}",
                MemoryOperation.Noop => "Already known; nothing changed.",
                _ => $"Memory {c.MemoryId} was evicted to stay within the size limit.",
            }));
        }

        [Description("Searches your long-term memory for what is relevant to a query; returns the most relevant, important and recent memories with their ids.")]
        public async Task<IReadOnlyList<RecalledMemory>> RecallAsync(
            [Description("What to look for.")] string query,
            [Description("The most memories to return, 1 to 20. Defaults to 5.")] int max_results = 5,
            CancellationToken cancellationToken = default)
        {
            var scope = Scope();
            var found = await memory.RecallAsync(scope, query, new RecallOptions { MaxResults = Math.Clamp(max_results, 1, 20) }, cancellationToken).ConfigureAwait(false);
            return [.. found.Select(m => new RecalledMemory(
                m.Record.Id.ToString("D", CultureInfo.InvariantCulture),
                m.Record.Text,
                MemoryEntity.KindName(m.Record.Kind),
                m.Record.Created.ToString("O", CultureInfo.InvariantCulture),
                Math.Round(m.Score, 3)))];
        }

        [Description("Deletes one of your memories by its id (as returned by recall), when it is wrong or no longer wanted.")]
        public async Task<string> ForgetAsync(
            [Description("The memory's id.")] string id,
            CancellationToken cancellationToken = default)
        {
            var scope = Scope();
            var forgotten = Guid.TryParse(id, CultureInfo.InvariantCulture, out var key)
                && await memory.ForgetAsync(scope, key, cancellationToken).ConfigureAwait(false);
            return forgotten ? $"Forgot memory {key}." : $"There is no memory with id '{id}' in your memory.";
        }

        private MemoryScope Scope() => resolveScope() ?? throw new MemoryScopeMissingException();
    }
}
