using Qdrant.Client.Grpc;

namespace AgentKit.VectorStores.Qdrant.Mapping;

/// <summary>Keys to point ids and back: an unsigned integer or a UUID, the only two kinds Qdrant accepts.</summary>
internal static class QdrantPointIds
{
    public static PointId FromKey(object? key) => key switch
    {
        null => throw new ArgumentNullException(nameof(key), "A key is null; Qdrant point ids are ulong or Guid."),
        ulong number => new PointId { Num = number },
        Guid uuid => new PointId { Uuid = uuid.ToString("D") },
        _ => throw new NotSupportedException($"Qdrant point ids are ulong or Guid; a key of type {key.GetType().Name} cannot be used."),
    };

    /// <summary>The id as the CLR key value (ulong or Guid).</summary>
    public static object ToKey(PointId id) => id.PointIdOptionsCase switch
    {
        PointId.PointIdOptionsOneofCase.Num => id.Num,
        PointId.PointIdOptionsOneofCase.Uuid when Guid.TryParse(id.Uuid, out var uuid) => uuid,
        _ => throw new FormatException($"Qdrant returned a point id that is neither an integer nor a UUID: {id}."),
    };

    public static string Describe(PointId id) => id.PointIdOptionsCase == PointId.PointIdOptionsOneofCase.Num ? id.Num.ToString(System.Globalization.CultureInfo.InvariantCulture) : id.Uuid;
}
