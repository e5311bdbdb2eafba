using AgentKit.Abstractions.Text;

namespace AgentKit.LlamaCpp;

/// <summary>
/// Counts tokens with a GGUF model's own tokenizer, so chunk and prompt sizes are exact for that model.
/// <see cref="Embeddings.LlamaEmbeddingGenerator"/> and <see cref="Chat.LlamaChatClient"/> offer it through
/// <c>GetService(typeof(ITokenCounter))</c>.
/// </summary>
public sealed class LlamaTokenCounter : ITokenCounter
{
    private readonly LlamaVocabulary _vocabulary;

    /// <summary>Creates the counter over a model's vocabulary.</summary>
    public LlamaTokenCounter(LlamaVocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        _vocabulary = vocabulary;
    }

    /// <inheritdoc />
    public int CountTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return _vocabulary.Tokenize(text, addSpecial: false, parseSpecial: false).Length;
    }
}
