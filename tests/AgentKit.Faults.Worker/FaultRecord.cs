using Microsoft.Extensions.VectorData;

namespace AgentKit.Faults.Worker;

/// <summary>A vector store record whose content is derived from its key, so that a reader can check it.</summary>
public sealed class FaultRecord
{
    /// <summary>Gets or sets the key.</summary>
    [VectorStoreKey]
    public int Id { get; set; }

    /// <summary>Gets or sets the text (1 KiB, so that a batch needs fresh pages on disk).</summary>
    [VectorStoreData]
    public string Text { get; set; } = "";

    /// <summary>Gets or sets the vector.</summary>
    [VectorStoreVector(8)]
    public ReadOnlyMemory<float> Embedding { get; set; }

    /// <summary>The record for a key.</summary>
    /// <param name="id">The key.</param>
    /// <returns>The record.</returns>
    public static FaultRecord For(int id) => new()
    {
        Id = id,
        Text = $"record {id} " + new string((char)('a' + (id % 26)), 1024),
        Embedding = Enumerable.Range(0, 8).Select(i => (float)((id * 31) + i)).ToArray(),
    };
}
