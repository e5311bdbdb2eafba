using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData.ProviderServices;

namespace AgentKit.VectorStores.Qdrant.Mapping;

/// <summary>Which CLR types Qdrant records may use: keys ulong or Guid; scalar payload types and their arrays/lists.</summary>
internal sealed class QdrantModelBuilder(bool supportsMultipleVectors) : CollectionModelBuilder(new CollectionModelBuildingOptions
{
    SupportsMultipleVectors = supportsMultipleVectors,
    RequiresAtLeastOneVector = true,
})
{
    internal const string SupportedKeyTypes = "ulong, Guid";
    internal const string SupportedDataTypes = "string, int, long, float, double, bool, DateTime, DateTimeOffset, Guid (nullable or not), and arrays or List<T> of these";
    internal const string SupportedVectorTypes = "ReadOnlyMemory<float>, Embedding<float>, float[]";

    protected override bool SupportsKeyAutoGeneration(Type keyPropertyType) => keyPropertyType == typeof(Guid);

    protected override void ValidateKeyProperty(KeyPropertyModel keyProperty)
    {
        if (keyProperty.Type != typeof(ulong) && keyProperty.Type != typeof(Guid))
        {
            throw new NotSupportedException(
                $"Key property '{keyProperty.ModelName}' is {keyProperty.Type.Name}; Qdrant point ids are {SupportedKeyTypes}.");
        }

        base.ValidateKeyProperty(keyProperty);
    }

    protected override bool IsDataPropertyTypeValid(Type type, [NotNullWhen(false)] out string? supportedTypes)
    {
        supportedTypes = SupportedDataTypes;
        return QdrantPayload.IsScalar(type) || QdrantPayload.ElementType(type) is { } element && QdrantPayload.IsScalar(element);
    }

    protected override bool IsVectorPropertyTypeValid(Type type, [NotNullWhen(false)] out string? supportedTypes)
    {
        supportedTypes = SupportedVectorTypes;
        return type == typeof(ReadOnlyMemory<float>) || type == typeof(ReadOnlyMemory<float>?)
            || type == typeof(Embedding<float>) || type == typeof(float[]);
    }
}
