namespace AgentKit.LlamaCpp.Grammars;

/// <summary>A GBNF grammar that constrains generation.</summary>
public sealed class LlamaGrammar
{
    internal LlamaGrammar(string text, string root)
    {
        Text = text;
        Root = root;
    }

    /// <summary>The GBNF source.</summary>
    public string Text { get; }

    /// <summary>The start rule.</summary>
    public string Root { get; }

    /// <summary>Wraps GBNF text (validated by llama.cpp when a sampler is created).</summary>
    public static LlamaGrammar Parse(string gbnf, string root = "root") => new(gbnf, root);
}
