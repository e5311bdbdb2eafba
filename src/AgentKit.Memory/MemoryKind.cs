namespace AgentKit.Memory;

/// <summary>What a memory is.</summary>
public enum MemoryKind
{
    /// <summary>Something the agent saw or was told (a turn, an event). The default, and the first evicted under a size cap.</summary>
    Observation,

    /// <summary>A statement held to be true; reconciled against similar memories before it is stored.</summary>
    Fact,

    /// <summary>A higher-level insight written by reflection, pointing at its evidence.</summary>
    Reflection,

    /// <summary>An intention or a plan of the agent.</summary>
    Plan,
}
