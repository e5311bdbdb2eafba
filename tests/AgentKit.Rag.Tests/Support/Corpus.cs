using AgentKit.Rag.Embeddings;
using AgentKit.Rag.Ingestion;
using Microsoft.Extensions.VectorData;

namespace AgentKit.Rag.Tests.Support;

/// <summary>A small knowledge base of Markdown files ingested with the hashing embedder into a given collection.</summary>
internal static class Corpus
{
    public static readonly (string Name, string Markdown)[] Files =
    [
        ("pumps.md", "# Pumps\n\n## Priming\n\nPrime the centrifugal pump with water before the first start. A dry start ruins the mechanical seal."),
        ("winter.md", "# Winter\n\n## Storage\n\nDrain the tank and the hoses before frost. Store the unit in a heated room during winter."),
        ("filters.md", "# Filters\n\n## Cartridge\n\nReplace the zeolite filter cartridge every six months. A clogged cartridge lowers the flow."),
        ("warranty.md", "# Warranty\n\nThe warranty covers two years of parts and labour. Call the service line for repairs."),
        ("filters-copy.md", "# Filters again\n\n## Cartridge\n\nReplace the filter cartridge every six months. A clogged cartridge lowers the flow rate."),
    ];

    public static async Task<(TempFolder Folder, RagIngestionOptions Options)> IngestAsync(
        VectorStoreCollection<Guid, RagChunkRecord> collection, HashingEmbeddingGenerator embedder, CancellationToken cancellationToken)
    {
        var folder = new TempFolder();
        foreach (var (name, markdown) in Files)
        {
            folder.Write(name, markdown);
        }

        var options = new RagIngestionOptions();
        await new RagIngestor(collection, embedder, options).IngestDirectoryAsync(folder.Root, cancellationToken: cancellationToken);
        return (folder, options);
    }
}
