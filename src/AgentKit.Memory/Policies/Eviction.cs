using AgentKit.Memory.Read;
using AgentKit.Memory.Storage;

namespace AgentKit.Memory.Policies;

/// <summary>
/// Chooses which memories leave when an agent is over its size cap: observations first, then plans, facts and
/// reflections last; within a kind the lowest query-free score (weighted recency plus importance, each on [0, 1]),
/// ties going to the oldest.
/// </summary>
internal static class Eviction
{
    public static List<Guid> Choose(IReadOnlyList<MemoryEntity> memories, int excess, DateTimeOffset now, MemoryOptions options, AccessTracker access)
    {
        if (excess <= 0)
        {
            return [];
        }

        return [.. memories
            .OrderBy(m => KindOrder(MemoryEntity.ParseKind(m.Kind)))
            .ThenBy(m => Keep(m, now, options, access))
            .ThenBy(m => m.Created)
            .ThenBy(m => m.Id)
            .Take(excess)
            .Select(m => m.Id)];
    }

    private static int KindOrder(MemoryKind kind) => kind switch
    {
        MemoryKind.Observation => 0,
        MemoryKind.Plan => 1,
        MemoryKind.Fact => 2,
        _ => 3,
    };

    private static double Keep(MemoryEntity memory, DateTimeOffset now, MemoryOptions options, AccessTracker access) =>
        (options.RecencyWeight * MemoryScoring.Recency(access.Effective(memory.Id, memory.LastAccessed), now, options.RecencyDecayPerHour))
        + (options.ImportanceWeight * (Math.Clamp(memory.Importance, 1, 10) - 1) / 9.0);
}
