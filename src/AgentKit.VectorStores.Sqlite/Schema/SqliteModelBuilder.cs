using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData.ProviderServices;

namespace AgentKit.VectorStores.Sqlite.Schema;

/// <summary>Builds and validates the collection model against the types this store can keep in SQLite.</summary>
internal sealed class SqliteModelBuilder() : CollectionModelBuilder(BuildingOptions)
{
    internal const string SupportedKeyTypes = "string, Guid, int, long";
    internal const string SupportedVectorTypes = "ReadOnlyMemory<float>, float[], Embedding<float>";

    private static readonly CollectionModelBuildingOptions BuildingOptions = new()
    {
        RequiresAtLeastOneVector = false,
        SupportsMultipleVectors = true,
    };

    protected override bool SupportsKeyAutoGeneration(Type keyPropertyType) => keyPropertyType == typeof(Guid);

    protected override void ValidateKeyProperty(KeyPropertyModel keyProperty)
    {
        base.ValidateKeyProperty(keyProperty);
        if (!SqliteValueConverter.IsKeyType(keyProperty.Type))
        {
            throw new NotSupportedException(
                $"The key property '{keyProperty.ModelName}' has type '{keyProperty.Type.Name}', which the SQLite vector store cannot use as a key. Supported key types: {SupportedKeyTypes}.");
        }
    }

    protected override bool IsDataPropertyTypeValid(Type type, [NotNullWhen(false)] out string? supportedTypes)
    {
        supportedTypes = SqliteValueConverter.SupportedDataTypes;
        return SqliteValueConverter.IsDataType(type);
    }

    protected override bool IsVectorPropertyTypeValid(Type type, [NotNullWhen(false)] out string? supportedTypes)
    {
        supportedTypes = SupportedVectorTypes;
        return IsNativeVectorType(type);
    }

    /// <summary>Whether values of <paramref name="type"/> are stored as they are, without an embedding generator.</summary>
    internal static bool IsNativeVectorType(Type type)
        => type == typeof(ReadOnlyMemory<float>)
            || type == typeof(ReadOnlyMemory<float>?)
            || type == typeof(float[])
            || type == typeof(Embedding<float>);
}
