using System.Globalization;
using AgentKit.Memory.Storage;
using AgentKit.Prompts;
using Microsoft.Extensions.AI;

namespace AgentKit.Memory.Write;

/// <summary>
/// The mem0 reconciliation of a new fact: the model sees the fact and the most similar memories (under short ids
/// local to the call, so it cannot cite a real id it was not shown) and answers ADD, UPDATE, DELETE or NOOP
/// decisions, each with a reason, through <c>memory/reconcile</c>. This class only decides; nothing is written here.
/// </summary>
internal sealed class FactReconciler(IChatClient chat, IPromptRegistry prompts)
{
    public const string PromptName = "memory/reconcile";

    /// <summary>What to do with one fact.</summary>
    /// <param name="AddText">The text to store as a new memory, or <see langword="null"/> for none.</param>
    /// <param name="AddReason">Why it is added.</param>
    /// <param name="Updates">Existing memories to replace, with their new text.</param>
    /// <param name="Deletes">Existing memories to remove.</param>
    /// <param name="Noops">NOOP decisions.</param>
    /// <param name="Rejected">Decisions that cannot be applied.</param>
    public sealed record Plan(
        string? AddText,
        string AddReason,
        IReadOnlyList<(MemoryEntity Memory, string Text, string Reason)> Updates,
        IReadOnlyList<(MemoryEntity Memory, string Reason)> Deletes,
        IReadOnlyList<MemoryChange> Noops,
        IReadOnlyList<MemoryChange> Rejected);

    public async Task<Plan> DecideAsync(string fact, IReadOnlyList<MemoryEntity> similar, CancellationToken cancellationToken)
    {
        if (similar.Count == 0)
        {
            return new Plan(fact, "No similar memory exists.", [], [], [], []);
        }

        var shown = new Dictionary<string, MemoryEntity>(StringComparer.Ordinal);
        var listed = new List<object?>();
        for (var i = 0; i < similar.Count; i++)
        {
            var id = (i + 1).ToString(CultureInfo.InvariantCulture);
            shown[id] = similar[i];
            listed.Add(new Dictionary<string, object?> { ["id"] = id, ["text"] = similar[i].Text });
        }

        var inputs = new Dictionary<string, object?> { ["fact"] = fact, ["memories"] = listed };
        var answer = await chat.GetStructuredAsync<ReconcileAnswer>(prompts.Get(PromptName), inputs, cancellationToken: cancellationToken).ConfigureAwait(false);
        return Validate(fact, answer.Decisions, shown);
    }

    internal static Plan Validate(string fact, IReadOnlyList<ReconcileDecision> decisions, IReadOnlyDictionary<string, MemoryEntity> shown)
    {
        string? addText = null;
        var addReason = "";
        var updates = new List<(MemoryEntity, string, string)>();
        var deletes = new List<(MemoryEntity, string)>();
        var noops = new List<MemoryChange>();
        var rejected = new List<MemoryChange>();
        var touched = new HashSet<string>(StringComparer.Ordinal);

        foreach (var decision in decisions)
        {
            var reason = decision.Reason.Trim();
            var id = decision.Id.Trim();
            var text = decision.Text.Trim();
            shown.TryGetValue(id, out var target);
            switch (decision.Operation.Trim().ToUpperInvariant())
            {
                case "ADD" when addText is not null:
                    rejected.Add(new MemoryChange(MemoryOperation.Add, null, text, $"Rejected: a second ADD for one fact ({reason})."));
                    break;
                case "ADD":
                    (addText, addReason) = (text.Length > 0 ? text : fact, reason);
                    break;
                case "UPDATE" or "DELETE" or "NOOP" when id.Length > 0 && target is null:
                    rejected.Add(new MemoryChange(Parse(decision.Operation), null, text, $"Rejected: id '{id}' was not among the memories shown ({reason})."));
                    break;
                case "UPDATE" or "DELETE" when target is null:
                    rejected.Add(new MemoryChange(Parse(decision.Operation), null, text, $"Rejected: {decision.Operation} needs the id of a memory shown ({reason})."));
                    break;
                case "UPDATE" or "DELETE" when !touched.Add(id):
                    rejected.Add(new MemoryChange(Parse(decision.Operation), target!.Id, text, $"Rejected: memory '{id}' already has a decision ({reason})."));
                    break;
                case "UPDATE" when text.Length == 0:
                    touched.Remove(id);
                    rejected.Add(new MemoryChange(MemoryOperation.Update, target!.Id, text, $"Rejected: UPDATE without the new text ({reason})."));
                    break;
                case "UPDATE":
                    updates.Add((target!, text, reason));
                    break;
                case "DELETE":
                    deletes.Add((target!, reason));
                    break;
                case "NOOP":
                    noops.Add(new MemoryChange(MemoryOperation.Noop, target?.Id, "", reason));
                    break;
                default:
                    rejected.Add(new MemoryChange(MemoryOperation.Noop, target?.Id, text, $"Rejected: unknown operation '{decision.Operation}'."));
                    break;
            }
        }

        // A fact is never lost to answers that could not be applied: with no usable decision it is added.
        if (addText is null && updates.Count == 0 && deletes.Count == 0 && noops.Count == 0)
        {
            (addText, addReason) = (fact, "No applicable decision was returned; the fact is added.");
        }

        return new Plan(addText, addReason, updates, deletes, noops, rejected);
    }

    private static MemoryOperation Parse(string operation) => operation.Trim().ToUpperInvariant() switch
    {
        "ADD" => MemoryOperation.Add,
        "UPDATE" => MemoryOperation.Update,
        "DELETE" => MemoryOperation.Delete,
        _ => MemoryOperation.Noop,
    };
}
