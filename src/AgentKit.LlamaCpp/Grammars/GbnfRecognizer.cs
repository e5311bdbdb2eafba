namespace AgentKit.LlamaCpp.Grammars;

/// <summary>
/// Decides whether a whole string is in a grammar's language, without native code. An Earley recognizer, so any
/// grammar that parses (ambiguous ones included) is checked in polynomial time and never hangs.
/// </summary>
internal sealed class GbnfRecognizer
{
    private readonly List<Production> _productions = [];
    private readonly List<List<int>> _byLhs = [];
    private readonly Dictionary<string, int> _ruleIds = new(StringComparer.Ordinal);
    private readonly IReadOnlyDictionary<string, GbnfRule> _rules;
    private bool[] _nullable = [];
    private readonly int _startProduction;

    private readonly record struct Symbol(int NonTerminal, GbnfCharClass? Terminal)
    {
        public static Symbol Nt(int id) => new(id, null);

        public static Symbol Char(GbnfCharClass c) => new(-1, c);
    }

    private sealed record Production(int Lhs, Symbol[] Rhs);

    public GbnfRecognizer(IReadOnlyDictionary<string, GbnfRule> rules, string root)
    {
        _rules = rules;
        var start = NewNonTerminal();
        var rootId = RuleId(root);
        _startProduction = AddProduction(start, [Symbol.Nt(rootId)]);
        ComputeNullable();
    }

    private int NewNonTerminal()
    {
        _byLhs.Add([]);
        return _byLhs.Count - 1;
    }

    private int AddProduction(int lhs, Symbol[] rhs)
    {
        _productions.Add(new Production(lhs, rhs));
        _byLhs[lhs].Add(_productions.Count - 1);
        return _productions.Count - 1;
    }

    private int RuleId(string name)
    {
        if (_ruleIds.TryGetValue(name, out var id))
        {
            return id;
        }

        id = NewNonTerminal();
        _ruleIds[name] = id;
        foreach (var option in _rules[name].Body.Options)
        {
            AddProduction(id, Compile(option));
        }

        return id;
    }

    private Symbol[] Compile(GbnfNode node)
    {
        switch (node)
        {
            case GbnfSequence s:
                return s.Items.SelectMany(Compile).ToArray();
            case GbnfAlternatives a when a.Options.Count == 1:
                return Compile(a.Options[0]);
            case GbnfAlternatives a:
                {
                    var id = NewNonTerminal();
                    foreach (var option in a.Options)
                    {
                        AddProduction(id, Compile(option));
                    }

                    return [Symbol.Nt(id)];
                }

            case GbnfLiteral l:
                return l.CodePoints.Select(cp => Symbol.Char(new GbnfCharClass(false, [(cp, cp)], false))).ToArray();
            case GbnfCharClass c:
                return [Symbol.Char(c)];
            case GbnfRuleRef r:
                return [Symbol.Nt(RuleId(r.Name))];
            case GbnfToken { Negated: false, Text: { } text }:
                return text.EnumerateRunes().Select(r => Symbol.Char(new GbnfCharClass(false, [(r.Value, r.Value)], false))).ToArray();
            case GbnfToken t:
                throw new LlamaGrammarException(
                    $"The grammar uses the token reference '{(t.Negated ? "!" : string.Empty)}{t.Text ?? $"<[{t.Id}]>"}', which depends on a model's vocabulary and cannot be checked against text.");
            case GbnfRepeat r:
                return CompileRepeat(r);
            default:
                throw new InvalidOperationException("Unknown GBNF node " + node.GetType().Name);
        }
    }

    private Symbol[] CompileRepeat(GbnfRepeat r)
    {
        var body = Compile(r.Item);
        Symbol item;
        if (body.Length == 1)
        {
            item = body[0];
        }
        else
        {
            var id = NewNonTerminal();
            AddProduction(id, body);
            item = Symbol.Nt(id);
        }

        var result = new List<Symbol>();
        for (var i = 0; i < r.Min; i++)
        {
            result.Add(item);
        }

        if (r.Max is null)
        {
            // Left recursion: Earley handles it in linear time, where right recursion would be quadratic.
            var star = NewNonTerminal();
            AddProduction(star, [Symbol.Nt(star), item]);
            AddProduction(star, []);
            result.Add(Symbol.Nt(star));
        }
        else if (r.Max > r.Min)
        {
            var tail = -1;
            for (var k = 0; k < r.Max - r.Min; k++)
            {
                var opt = NewNonTerminal();
                AddProduction(opt, tail < 0 ? [item] : [item, Symbol.Nt(tail)]);
                AddProduction(opt, []);
                tail = opt;
            }

            result.Add(Symbol.Nt(tail));
        }

        return [.. result];
    }

    private void ComputeNullable()
    {
        _nullable = new bool[_byLhs.Count];
        bool changed;
        do
        {
            changed = false;
            foreach (var p in _productions)
            {
                if (!_nullable[p.Lhs] && p.Rhs.All(s => s.Terminal is null && _nullable[s.NonTerminal]))
                {
                    _nullable[p.Lhs] = true;
                    changed = true;
                }
            }
        }
        while (changed);
    }

    private readonly record struct Item(int Production, int Dot, int Origin);

    private sealed class ItemSet
    {
        public readonly List<Item> Items = [];
        public readonly HashSet<Item> Seen = [];
        public readonly Dictionary<int, List<Item>> Waiting = [];
        public readonly HashSet<int> Predicted = [];

        public void Add(Item item)
        {
            if (Seen.Add(item))
            {
                Items.Add(item);
            }
        }
    }

    public bool Accepts(string text)
    {
        var input = new List<int>(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            input.Add(rune.Value);
        }

        var current = new ItemSet();
        current.Add(new Item(_startProduction, 0, 0));
        var sets = new List<ItemSet> { current };
        for (var i = 0; ; i++)
        {
            var next = new ItemSet();
            var set = sets[i];
            for (var k = 0; k < set.Items.Count; k++)
            {
                var item = set.Items[k];
                var production = _productions[item.Production];
                if (item.Dot == production.Rhs.Length)
                {
                    if (sets[item.Origin].Waiting.TryGetValue(production.Lhs, out var waiting))
                    {
                        // Snapshot: when origin == i, the list can grow while completing; those are covered by nullable prediction.
                        for (var w = 0; w < waiting.Count; w++)
                        {
                            var waiter = waiting[w];
                            set.Add(waiter with { Dot = waiter.Dot + 1 });
                        }
                    }

                    continue;
                }

                var symbol = production.Rhs[item.Dot];
                if (symbol.Terminal is { } terminal)
                {
                    if (i < input.Count && terminal.Matches(input[i]))
                    {
                        next.Add(item with { Dot = item.Dot + 1 });
                    }

                    continue;
                }

                var nt = symbol.NonTerminal;
                if (!set.Waiting.TryGetValue(nt, out var list))
                {
                    list = [];
                    set.Waiting[nt] = list;
                }

                list.Add(item);
                if (set.Predicted.Add(nt))
                {
                    foreach (var p in _byLhs[nt])
                    {
                        set.Add(new Item(p, 0, i));
                    }
                }

                if (_nullable[nt])
                {
                    set.Add(item with { Dot = item.Dot + 1 });
                }
            }

            if (i == input.Count)
            {
                return set.Seen.Contains(new Item(_startProduction, 1, 0));
            }

            if (next.Items.Count == 0)
            {
                return false;
            }

            sets.Add(next);
        }
    }
}
