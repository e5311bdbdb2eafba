using Microsoft.Extensions.VectorData;

namespace AgentKit.VectorStores.Sqlite.CrashWriter;

/// <summary>A record whose content is derived from its key, so that the reader can check it.</summary>
public sealed class CrashRecord
{
    /// <summary>Gets or sets the key.</summary>
    [VectorStoreKey]
    public int Id { get; set; }

    /// <summary>Gets or sets the text.</summary>
    [VectorStoreData(IsFullTextIndexed = true)]
    public string Text { get; set; } = "";

    /// <summary>Gets or sets the vector.</summary>
    [VectorStoreVector(8)]
    public ReadOnlyMemory<float> Embedding { get; set; }

    /// <summary>The record for a key.</summary>
    /// <param name="id">The key.</param>
    /// <returns>The record.</returns>
    public static CrashRecord For(int id) => new()
    {
        Id = id,
        Text = $"record number {id}",
        Embedding = Enumerable.Range(0, 8).Select(i => (float)((id * 31) + i)).ToArray(),
    };
}
