namespace AgentKit.Abstractions.Text;

/// <summary>
/// Counts the tokens a piece of text becomes for one model, so chunks and prompts fit its input. Models offer theirs
/// through <c>GetService(typeof(ITokenCounter))</c> on their <c>IChatClient</c> or <c>IEmbeddingGenerator</c>.
/// </summary>
public interface ITokenCounter
{
    /// <summary>Counts the tokens of <paramref name="text"/>, without the model's start/end tokens.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The token count.</returns>
    int CountTokens(string text);
}
