using System.Text;
using AgentKit.Abstractions.Text;

namespace AgentKit.Graph;

// Lines appended to a text while they fit a token budget, counted with the embedding model's tokenizer when it has
// one (else about four characters a token): local search's context, community inputs, global search's prompts.
internal sealed class TokenBudget(ITokenCounter? tokens, int maxTokens)
{
    private readonly StringBuilder _text = new();

    public int Used { get; private set; }

    public string Text => _text.ToString();

    public static int Count(ITokenCounter? tokens, string text) => tokens?.CountTokens(text) ?? (text.Length + 3) / 4;

    public bool TryAppendLine(string line)
    {
        var cost = Count(tokens, line);
        if (Used + cost > maxTokens)
        {
            return false;
        }

        Used += cost;
        _text.AppendLine(line);
        return true;
    }
}
