namespace AgentKit.LlamaCpp.Grammars;

/// <summary>A node of a parsed GBNF rule body.</summary>
internal abstract record GbnfNode;

/// <summary>Alternatives separated by <c>|</c>; a rule body or a parenthesised group.</summary>
internal sealed record GbnfAlternatives(IReadOnlyList<GbnfSequence> Options) : GbnfNode;

/// <summary>Items matched one after another; may be empty.</summary>
internal sealed record GbnfSequence(IReadOnlyList<GbnfNode> Items) : GbnfNode;

/// <summary>A string literal, as Unicode code points.</summary>
internal sealed record GbnfLiteral(IReadOnlyList<int> CodePoints) : GbnfNode;

/// <summary>A character class <c>[...]</c> (or <c>.</c> when <see cref="Any"/>).</summary>
internal sealed record GbnfCharClass(bool Negated, IReadOnlyList<(int Low, int High)> Ranges, bool Any) : GbnfNode
{
    public bool Matches(int codePoint)
    {
        if (Any)
        {
            return true;
        }

        var inRanges = false;
        foreach (var (low, high) in Ranges)
        {
            if (codePoint >= low && codePoint <= high)
            {
                inRanges = true;
                break;
            }
        }

        return inRanges != Negated;
    }
}

/// <summary>A reference to a named rule.</summary>
internal sealed record GbnfRuleRef(string Name, int Line, int Column) : GbnfNode;

/// <summary>A repeated item; <see cref="Max"/> is null when unbounded.</summary>
internal sealed record GbnfRepeat(GbnfNode Item, int Min, int? Max) : GbnfNode;

/// <summary>A tokenizer token: <c>&lt;[id]&gt;</c> (<see cref="Id"/>) or <c>&lt;text&gt;</c> (<see cref="Text"/>), optionally negated with <c>!</c>.</summary>
internal sealed record GbnfToken(bool Negated, int? Id, string? Text) : GbnfNode;

/// <summary>A named rule and where it was defined.</summary>
internal sealed record GbnfRule(string Name, GbnfAlternatives Body, int Line, int Column);
