using System.Runtime.InteropServices;
using AgentKit.VectorStores.Sqlite.Schema;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData.ProviderServices;

namespace AgentKit.VectorStores.Sqlite.Storage;

/// <summary>Reads records from result rows and turns record values into SQLite values, for POCOs and dictionaries alike.</summary>
internal sealed class RecordMapper
{
    private readonly CollectionSchema _schema;

    internal RecordMapper(CollectionSchema schema)
    {
        _schema = schema;
        var columns = new List<string> { "t." + CollectionSchema.Quote(CollectionSchema.RowId), "t." + CollectionSchema.Quote(schema.Model.KeyProperty.StorageName) };
        columns.AddRange(schema.Model.DataProperties.Select(p => "t." + CollectionSchema.Quote(p.StorageName)));
        SelectColumns = string.Join(", ", columns);
        SelectColumnsWithVectors = string.Concat(SelectColumns, string.Concat(schema.Vectors.Select(v => ", v." + CollectionSchema.Quote(v.Property.StorageName))));
        FromClause = $"{schema.Table} AS t";
        FromClauseWithVectors = $"{schema.Table} AS t LEFT JOIN {schema.VectorTable} AS v ON v.{CollectionSchema.Quote(CollectionSchema.RowId)} = t.{CollectionSchema.Quote(CollectionSchema.RowId)}";
    }

    /// <summary>Row id, key and data columns of the record table aliased <c>t</c>.</summary>
    internal string SelectColumns { get; }

    /// <summary><see cref="SelectColumns"/> followed by the vector columns of the vector table aliased <c>v</c>.</summary>
    internal string SelectColumnsWithVectors { get; }

    internal string FromClause { get; }

    internal string FromClauseWithVectors { get; }

    internal string Select(bool includeVectors) => includeVectors
        ? $"SELECT {SelectColumnsWithVectors} FROM {FromClauseWithVectors}"
        : $"SELECT {SelectColumns} FROM {FromClause}";

    /// <summary>Reads the record in the current row of a reader over <see cref="Select"/>.</summary>
    internal TRecord Read<TRecord>(SqliteDataReader reader, bool includeVectors)
    {
        var model = _schema.Model;
        var record = model.CreateRecord<TRecord>()!;
        var key = model.KeyProperty;
        key.SetValueAsObject(record, SqliteValueConverter.FromDb(reader.GetValue(1), key.Type));
        var ordinal = 2;
        foreach (var data in model.DataProperties)
        {
            data.SetValueAsObject(record, SqliteValueConverter.FromDb(reader.GetValue(ordinal++), data.Type));
        }

        if (includeVectors)
        {
            foreach (var vector in _schema.Vectors)
            {
                var value = reader.IsDBNull(ordinal) ? null : ToVectorValue(ReadVector(reader, ordinal), vector.Property.Type);
                ordinal++;
                if (value is not null || vector.Property.IsNullable)
                {
                    vector.Property.SetValueAsObject(record, value);
                }
            }
        }

        return record;
    }

    /// <summary>Reads a float32 BLOB column.</summary>
    internal static float[] ReadVector(SqliteDataReader reader, int ordinal)
    {
        var bytes = (byte[])reader.GetValue(ordinal);
        return MemoryMarshal.Cast<byte, float>(bytes).ToArray();
    }

    /// <summary>The vector of a native vector value (<see cref="ReadOnlyMemory{T}"/>, array or embedding), or null.</summary>
    internal static ReadOnlyMemory<float>? FromVectorValue(object? value) => value switch
    {
        // Typed: an untyped null arm would take the switch's natural type, ReadOnlyMemory<float>, and become an empty vector.
        null => (ReadOnlyMemory<float>?)null,
        ReadOnlyMemory<float> memory => memory,
        float[] array => array,
        Embedding<float> embedding => embedding.Vector,
        _ => throw new NotSupportedException($"Vector values of type '{value.GetType().Name}' are not supported; use {SqliteModelBuilder.SupportedVectorTypes}."),
    };

    private static object? ToVectorValue(float[] vector, Type type) => type switch
    {
        _ when type == typeof(float[]) => vector,
        _ when type == typeof(Embedding<float>) => new Embedding<float>(vector),
        _ when type == typeof(ReadOnlyMemory<float>) || type == typeof(ReadOnlyMemory<float>?) => new ReadOnlyMemory<float>(vector),
        _ => throw new NotSupportedException(Microsoft.Extensions.VectorData.ProviderServices.VectorDataStrings.IncludeVectorsNotSupportedWithEmbeddingGeneration),
    };

    /// <summary>The SQLite value of a key, checking that it is present.</summary>
    internal static object KeyToDb(KeyPropertyModel keyProperty, object? key)
    {
        // Null is an ArgumentNullException, as Microsoft.Extensions.VectorData's conformance suite expects of every connector.
        if (key is null)
        {
            throw new ArgumentNullException(nameof(key), $"The key property '{keyProperty.ModelName}' is null; every record needs a key.");
        }

        if (key is string { Length: 0 })
        {
            throw new ArgumentException($"The key property '{keyProperty.ModelName}' is empty; every record needs a key.", nameof(key));
        }

        var underlying = Nullable.GetUnderlyingType(keyProperty.Type) ?? keyProperty.Type;
        if (key.GetType() != underlying)
        {
            throw new ArgumentException($"The key '{key}' has type '{key.GetType().Name}'; the key property '{keyProperty.ModelName}' has type '{underlying.Name}'.", nameof(key));
        }

        return SqliteValueConverter.ToDb(key);
    }
}
