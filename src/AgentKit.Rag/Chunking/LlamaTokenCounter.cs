using AgentKit.Abstractions.Text;
using AgentKit.LlamaCpp;
using Microsoft.Extensions.AI;

namespace AgentKit.Rag.Chunking;

/// <summary>Counts tokens with a GGUF model's own tokenizer, so chunk sizes are exact for that embedding model.</summary>
public sealed class LlamaTokenCounter : ITokenCounter
{
    private readonly LlamaVocabulary _vocabulary;

    /// <summary>Creates the counter over a model's vocabulary.</summary>
    /// <param name="vocabulary">The vocabulary of the embedding model.</param>
    public LlamaTokenCounter(LlamaVocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        _vocabulary = vocabulary;
    }

    /// <summary>
    /// The token counter that matches an embedding generator: the model's tokenizer when the generator exposes a
    /// <see cref="LlamaModel"/> through <c>GetService</c> (as <c>LlamaEmbeddingGenerator</c> does), else
    /// <see cref="EstimatedTokenCounter"/>.
    /// </summary>
    /// <param name="generator">The embedding generator.</param>
    /// <returns>The counter.</returns>
    public static ITokenCounter For(IEmbeddingGenerator<string, Embedding<float>> generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        return generator.GetService<ITokenCounter>() is { } own ? own
            : generator.GetService<LlamaModel>() is { } model ? new LlamaTokenCounter(model.Vocabulary)
            : EstimatedTokenCounter.Instance;
    }

    /// <inheritdoc />
    public int CountTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return _vocabulary.Tokenize(text, addSpecial: false, parseSpecial: false).Length;
    }
}
