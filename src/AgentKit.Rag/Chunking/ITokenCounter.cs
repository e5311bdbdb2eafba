namespace AgentKit.Rag.Chunking;

/// <summary>Counts the tokens a piece of text becomes, so chunks fit the embedding model's input.</summary>
public interface ITokenCounter
{
    /// <summary>Counts the tokens of <paramref name="text"/>, without the model's start/end tokens.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The token count.</returns>
    int CountTokens(string text);
}
