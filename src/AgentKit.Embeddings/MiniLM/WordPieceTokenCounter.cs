using AgentKit.Abstractions.Text;
using Microsoft.ML.Tokenizers;

namespace AgentKit.Embeddings.MiniLM;

/// <summary>Counts the WordPiece tokens of the model's tokenizer, so RAG chunks are cut to what the model reads.</summary>
internal sealed class WordPieceTokenCounter(BertTokenizer tokenizer) : ITokenCounter
{
    public int CountTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return tokenizer.EncodeToIds(text, addSpecialTokens: false).Count;
    }
}
