using Microsoft.Extensions.AI;

namespace AgentKit.Abstractions.Embeddings;

/// <summary>
/// Tells an embedding generator whether its inputs are search queries or the documents searched, for models trained
/// with an instruction before queries (snowflake-arctic-embed, e5, bge). It travels in
/// <see cref="EmbeddingGenerationOptions.AdditionalProperties"/> under <see cref="PropertyName"/>; generators whose model
/// makes no difference ignore it, and inputs without it are documents.
/// </summary>
public static class EmbeddingInputKind
{
    /// <summary>The additional property's name (<c>input_type</c>, as in Cohere's and Voyage's embedding APIs).</summary>
    public const string PropertyName = "input_type";

    /// <summary>The value for search queries.</summary>
    public const string Query = "query";

    /// <summary>The value for documents (the default).</summary>
    public const string Document = "document";

    /// <summary>Options that mark the inputs as search queries: a copy of <paramref name="options"/> with the property set.</summary>
    /// <param name="options">Options to copy; none when <see langword="null"/>.</param>
    /// <returns>New options.</returns>
    public static EmbeddingGenerationOptions ForQueries(EmbeddingGenerationOptions? options = null)
    {
        var copy = options?.Clone() ?? new EmbeddingGenerationOptions();
        copy.AdditionalProperties = copy.AdditionalProperties?.Clone() ?? [];
        copy.AdditionalProperties[PropertyName] = Query;
        return copy;
    }

    /// <summary>Whether <paramref name="options"/> mark the inputs as search queries.</summary>
    /// <param name="options">The request's options.</param>
    /// <returns><see langword="true"/> for queries.</returns>
    public static bool IsQuery(EmbeddingGenerationOptions? options) =>
        options?.AdditionalProperties?.TryGetValue(PropertyName, out var value) == true
        && value is string kind && string.Equals(kind, Query, StringComparison.OrdinalIgnoreCase);
}
