using System.Globalization;
using Microsoft.Extensions.VectorData;

namespace AgentKit.Memory.Storage;

/// <summary>The stored form of a <see cref="MemoryRecord"/>: only types every VectorData store maps (the kind as text, ids as strings).</summary>
internal sealed class MemoryEntity
{
    public Guid Id { get; set; }

    public string Text { get; set; } = "";

    public string Kind { get; set; } = "";

    public DateTimeOffset Created { get; set; }

    public DateTimeOffset LastAccessed { get; set; }

    public int Importance { get; set; }

    public List<string> EvidenceIds { get; set; } = [];

    public int Depth { get; set; }

    public string AgentId { get; set; } = "";

    public string? SessionId { get; set; }

    public List<string> Tags { get; set; } = [];

    public ReadOnlyMemory<float> Embedding { get; set; }

    public static VectorStoreCollectionDefinition CreateDefinition(int dimensions) => new()
    {
        Properties =
        [
            new VectorStoreKeyProperty(nameof(Id), typeof(Guid)),
            new VectorStoreDataProperty(nameof(Text), typeof(string)),
            new VectorStoreDataProperty(nameof(Kind), typeof(string)) { IsIndexed = true },
            new VectorStoreDataProperty(nameof(Created), typeof(DateTimeOffset)) { IsIndexed = true },
            new VectorStoreDataProperty(nameof(LastAccessed), typeof(DateTimeOffset)),
            new VectorStoreDataProperty(nameof(Importance), typeof(int)),
            new VectorStoreDataProperty(nameof(EvidenceIds), typeof(List<string>)),
            new VectorStoreDataProperty(nameof(Depth), typeof(int)),
            new VectorStoreDataProperty(nameof(AgentId), typeof(string)) { IsIndexed = true },
            new VectorStoreDataProperty(nameof(SessionId), typeof(string)) { IsIndexed = true },
            new VectorStoreDataProperty(nameof(Tags), typeof(List<string>)),
            new VectorStoreVectorProperty(nameof(Embedding), typeof(ReadOnlyMemory<float>), dimensions) { DistanceFunction = DistanceFunction.CosineSimilarity },
        ],
    };

    public static string KindName(MemoryKind kind) => kind switch
    {
        MemoryKind.Observation => "observation",
        MemoryKind.Fact => "fact",
        MemoryKind.Reflection => "reflection",
        MemoryKind.Plan => "plan",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown memory kind."),
    };

    public static MemoryKind ParseKind(string name) => name switch
    {
        "observation" => MemoryKind.Observation,
        "fact" => MemoryKind.Fact,
        "reflection" => MemoryKind.Reflection,
        "plan" => MemoryKind.Plan,
        _ => throw new MemoryException($"A stored memory has the unknown kind '{name}'; expected observation, fact, reflection or plan."),
    };

    public static MemoryEntity From(MemoryRecord record) => new()
    {
        Id = record.Id,
        Text = record.Text,
        Kind = KindName(record.Kind),
        Created = record.Created,
        LastAccessed = record.LastAccessed,
        Importance = record.Importance,
        EvidenceIds = [.. record.EvidenceIds.Select(id => id.ToString("D", CultureInfo.InvariantCulture))],
        Depth = record.Depth,
        AgentId = record.AgentId,
        SessionId = record.SessionId,
        Tags = [.. record.Tags],
        Embedding = record.Embedding,
    };

    public MemoryRecord ToRecord() => new()
    {
        Id = Id,
        Text = Text,
        Kind = ParseKind(Kind),
        Created = Created,
        LastAccessed = LastAccessed,
        Importance = Importance,
        EvidenceIds = [.. EvidenceIds.Select(id => Guid.Parse(id, CultureInfo.InvariantCulture))],
        Depth = Depth,
        AgentId = AgentId,
        SessionId = SessionId,
        Tags = [.. Tags],
        Embedding = Embedding,
    };
}
