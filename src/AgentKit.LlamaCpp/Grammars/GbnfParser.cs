using System.Globalization;
using System.Text;

namespace AgentKit.LlamaCpp.Grammars;

/// <summary>
/// Parses GBNF the way llama.cpp v0.5.0 (<c>src/llama-grammar.cpp</c>) does, so that a grammar accepted here is
/// accepted natively, and a bad one fails with a line and column instead of a stderr dump and a null sampler.
/// </summary>
/// <remarks>
/// Deliberately stricter than llama.cpp where llama.cpp would silently misbehave: duplicate rule definitions
/// (llama.cpp keeps the last), empty character classes (llama.cpp matches the empty string), inverted ranges,
/// <c>{m,n}</c> with n &lt; m (llama.cpp loops), and left recursion through rules that are only indirectly nullable
/// (llama.cpp misses these and hangs).
/// </remarks>
internal sealed class GbnfParser
{
    // llama.cpp's MAX_REPETITION_THRESHOLD.
    internal const int MaxRepetitionThreshold = 2000;

    private readonly string _src;
    private int _pos;
    private readonly Dictionary<string, GbnfRule> _rules = new(StringComparer.Ordinal);
    private readonly List<GbnfRuleRef> _references = [];

    // Mirrors llama.cpp's symbol table size: the repetition limit is computed from how many symbols a group created.
    private readonly HashSet<string> _symbols = new(StringComparer.Ordinal);
    private long _symbolCount;

    private GbnfParser(string src) => _src = src;

    public static IReadOnlyDictionary<string, GbnfRule> Parse(string gbnf, string root)
    {
        var parser = new GbnfParser(gbnf);
        parser.ParseGrammar();
        parser.Validate(root);
        return parser._rules;
    }

    private char Cur => _pos < _src.Length ? _src[_pos] : '\0';

    private char Peek(int offset) => _pos + offset < _src.Length ? _src[_pos + offset] : '\0';

    private bool AtEnd => _pos >= _src.Length;

    private static bool IsDigit(char c) => c is >= '0' and <= '9';

    private static bool IsWordChar(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '-' or (>= '0' and <= '9');

    private LlamaGrammarException Error(string what) => Error(what, _pos);

    private LlamaGrammarException Error(string what, int at)
    {
        var (line, column) = LineColumn(at);
        return new LlamaGrammarException(string.Create(CultureInfo.InvariantCulture, $"GBNF error at line {line}, column {column}: {what}"));
    }

    private (int Line, int Column) LineColumn(int at)
    {
        int line = 1, column = 1;
        for (var i = 0; i < at && i < _src.Length; i++)
        {
            if (_src[i] == '\n')
            {
                line++;
                column = 1;
            }
            else
            {
                column++;
            }
        }

        return (line, column);
    }

    private string Describe()
    {
        if (AtEnd)
        {
            return "end of input";
        }

        var c = Cur;
        return c switch
        {
            '\n' => "a line break",
            '\r' => "a carriage return",
            _ when char.IsControl(c) => string.Create(CultureInfo.InvariantCulture, $"control character U+{(int)c:X4}"),
            _ => $"'{c}'",
        };
    }

    private void SkipSpace(bool newlineOk)
    {
        while (!AtEnd)
        {
            var c = Cur;
            if (c == '#')
            {
                while (!AtEnd && Cur != '\r' && Cur != '\n')
                {
                    _pos++;
                }
            }
            else if (c == ' ' || c == '\t' || (newlineOk && (c == '\r' || c == '\n')))
            {
                _pos++;
            }
            else
            {
                break;
            }
        }
    }

    private void Symbol(string name)
    {
        if (_symbols.Add(name))
        {
            _symbolCount++;
        }
    }

    private string ParseName()
    {
        var start = _pos;
        while (IsWordChar(Cur))
        {
            _pos++;
        }

        if (_pos == start)
        {
            throw Error($"expected a rule name (letters, digits and '-') but found {Describe()}");
        }

        return _src[start.._pos];
    }

    private void ParseGrammar()
    {
        SkipSpace(newlineOk: true);
        while (!AtEnd)
        {
            ParseRule();
        }
    }

    private void ParseRule()
    {
        var start = _pos;
        var name = ParseName();
        Symbol(name);
        SkipSpace(newlineOk: false);
        if (!(Cur == ':' && Peek(1) == ':' && Peek(2) == '='))
        {
            throw Error($"expected '::=' after rule name '{name}' but found {Describe()}");
        }

        _pos += 3;
        SkipSpace(newlineOk: true);
        var body = ParseAlternatives(nested: false);

        if (Cur == '\r')
        {
            _pos += Peek(1) == '\n' ? 2 : 1;
        }
        else if (Cur == '\n')
        {
            _pos++;
        }
        else if (!AtEnd)
        {
            throw Error(Cur == ')'
                ? "unbalanced ')'"
                : $"expected a line break or the end after rule '{name}' but found {Describe()} (a rule continues on the next line only after '|' or inside parentheses)");
        }

        if (_rules.TryGetValue(name, out var existing))
        {
            throw Error($"rule '{name}' is defined twice (first at line {existing.Line}, column {existing.Column})", start);
        }

        var (line, column) = LineColumn(start);
        _rules[name] = new GbnfRule(name, body, line, column);
        SkipSpace(newlineOk: true);
    }

    private GbnfAlternatives ParseAlternatives(bool nested)
    {
        var options = new List<GbnfSequence> { ParseSequence(nested) };
        while (Cur == '|')
        {
            _pos++;
            SkipSpace(newlineOk: true);
            options.Add(ParseSequence(nested));
        }

        return new GbnfAlternatives(options);
    }

    private GbnfSequence ParseSequence(bool nested)
    {
        var items = new List<GbnfNode>();
        var hasLast = false;
        long prevRules = 1;

        while (!AtEnd)
        {
            var c = Cur;
            var itemStart = _pos;
            if (c == '"')
            {
                _pos++;
                var codePoints = new List<int>();
                while (Cur != '"')
                {
                    if (AtEnd)
                    {
                        throw Error("unterminated string literal", itemStart);
                    }

                    codePoints.Add(ParseChar());
                }

                _pos++;
                items.Add(new GbnfLiteral(codePoints));
                hasLast = true;
                prevRules = 1;
                SkipSpace(nested);
            }
            else if (c == '[')
            {
                _pos++;
                var negated = false;
                if (Cur == '^')
                {
                    negated = true;
                    _pos++;
                }

                var ranges = new List<(int, int)>();
                while (Cur != ']')
                {
                    if (AtEnd)
                    {
                        throw Error("unterminated character class", itemStart);
                    }

                    var rangeStart = _pos;
                    var low = ParseChar();
                    var high = low;
                    if (Cur == '-' && Peek(1) != ']')
                    {
                        _pos++;
                        if (AtEnd)
                        {
                            throw Error("unterminated character class", itemStart);
                        }

                        high = ParseChar();
                        if (high < low)
                        {
                            throw Error("character range is inverted (its end is below its start)", rangeStart);
                        }
                    }

                    ranges.Add((low, high));
                }

                if (ranges.Count == 0)
                {
                    throw Error("empty character class", itemStart);
                }

                _pos++;
                items.Add(new GbnfCharClass(negated, ranges, Any: false));
                hasLast = true;
                prevRules = 1;
                SkipSpace(nested);
            }
            else if (c == '<' || c == '!')
            {
                items.Add(ParseToken());
                hasLast = true;
                prevRules = 1;
                SkipSpace(nested);
            }
            else if (IsWordChar(c))
            {
                var (line, column) = LineColumn(_pos);
                var name = ParseName();
                Symbol(name);
                var reference = new GbnfRuleRef(name, line, column);
                _references.Add(reference);
                items.Add(reference);
                hasLast = true;
                prevRules = 1;
                SkipSpace(nested);
            }
            else if (c == '(')
            {
                _pos++;
                SkipSpace(newlineOk: true);
                var before = _symbolCount;
                _symbolCount++;
                var group = ParseAlternatives(nested: true);
                prevRules = Math.Max(1, _symbolCount - before);
                if (Cur != ')')
                {
                    throw Error(AtEnd ? "unbalanced '(': expected ')' before the end of input" : $"expected ')' but found {Describe()}");
                }

                _pos++;
                items.Add(group);
                hasLast = true;
                SkipSpace(nested);
            }
            else if (c == '.')
            {
                _pos++;
                items.Add(new GbnfCharClass(false, [], Any: true));
                hasLast = true;
                prevRules = 1;
                SkipSpace(nested);
            }
            else if (c is '*' or '+' or '?')
            {
                _pos++;
                SkipSpace(nested);
                var (min, max) = c switch { '*' => (0, (int?)null), '+' => (1, null), _ => (0, 1) };
                ApplyRepetition(items, ref hasLast, ref prevRules, min, max, itemStart);
            }
            else if (c == '{')
            {
                _pos++;
                SkipSpace(nested);
                var min = ParseInt();
                SkipSpace(nested);
                long? max;
                if (Cur == '}')
                {
                    max = min;
                    _pos++;
                    SkipSpace(nested);
                }
                else if (Cur == ',')
                {
                    _pos++;
                    SkipSpace(nested);
                    max = IsDigit(Cur) ? ParseInt() : null;
                    SkipSpace(nested);
                    if (Cur != '}')
                    {
                        throw Error($"expected '}}' to close the repetition but found {Describe()}");
                    }

                    _pos++;
                    SkipSpace(nested);
                }
                else
                {
                    throw Error($"expected ',' or '}}' in the repetition but found {Describe()}");
                }

                if (min > MaxRepetitionThreshold)
                {
                    throw Error(string.Create(CultureInfo.InvariantCulture, $"repetition minimum {min} exceeds llama.cpp's limit of {MaxRepetitionThreshold}"), itemStart);
                }

                // llama.cpp treats an over-limit maximum as unbounded rather than failing.
                if (max > MaxRepetitionThreshold)
                {
                    max = null;
                }

                if (max < min)
                {
                    throw Error(string.Create(CultureInfo.InvariantCulture, $"repetition maximum {max} is below its minimum {min}"), itemStart);
                }

                ApplyRepetition(items, ref hasLast, ref prevRules, (int)min, (int?)max, itemStart);
            }
            else
            {
                break;
            }
        }

        return new GbnfSequence(items);
    }

    private void ApplyRepetition(List<GbnfNode> items, ref bool hasLast, ref long prevRules, int min, int? max, int at)
    {
        if (!hasLast)
        {
            throw Error("a repetition operator (*, +, ?, {}) needs a preceding item", at);
        }

        long total = max is > 0 ? max.Value : min > 0 ? min : 1;
        if (prevRules * total > MaxRepetitionThreshold)
        {
            throw Error(string.Create(CultureInfo.InvariantCulture, $"this repetition expands to more than llama.cpp's limit of {MaxRepetitionThreshold} rules; reduce the count or move the repeated group into its own rule"), at);
        }

        _symbolCount += max is null ? 1 : max.Value - min;
        prevRules *= total;

        var last = items[^1];
        items.RemoveAt(items.Count - 1);
        if (max == 0)
        {
            // llama.cpp erases the item entirely, so nothing remains for a further operator to apply to.
            hasLast = false;
            return;
        }

        items.Add(new GbnfRepeat(last, min, max));
    }

    private long ParseInt()
    {
        var start = _pos;
        while (IsDigit(Cur))
        {
            _pos++;
        }

        if (start == _pos)
        {
            throw Error($"expected an integer but found {Describe()}");
        }

        return long.TryParse(_src.AsSpan(start, _pos - start), NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : long.MaxValue;
    }

    private GbnfToken ParseToken()
    {
        var start = _pos;
        var negated = false;
        if (Cur == '!')
        {
            negated = true;
            _pos++;
            if (Cur != '<')
            {
                throw Error($"expected '<' after '!' but found {Describe()}");
            }
        }

        _pos++;
        if (Cur == '[')
        {
            _pos++;
            var id = ParseInt();
            if (id > int.MaxValue)
            {
                throw Error("token id is too large", start);
            }

            if (Cur != ']')
            {
                throw Error($"expected ']' in token id but found {Describe()}");
            }

            _pos++;
            if (Cur != '>')
            {
                throw Error($"expected '>' after token id but found {Describe()}");
            }

            _pos++;
            return new GbnfToken(negated, (int)id, null);
        }

        var textStart = _pos - 1;
        while (!AtEnd && Cur != '>')
        {
            _pos++;
        }

        if (AtEnd)
        {
            throw Error("unterminated token reference: expected '>'", start);
        }

        _pos++;
        return new GbnfToken(negated, null, _src[textStart.._pos]);
    }

    private int ParseChar()
    {
        if (Cur == '\\')
        {
            var escapeStart = _pos;
            var kind = Peek(1);
            _pos += 2;
            switch (kind)
            {
                case 'x': return ParseHex(2, escapeStart);
                case 'u': return ParseHex(4, escapeStart);
                case 'U': return ParseHex(8, escapeStart);
                case 't': return '\t';
                case 'r': return '\r';
                case 'n': return '\n';
                case '\\' or '"' or '[' or ']' or '-': return kind;
                default:
                    throw Error(kind == '\0' ? "unexpected end of input in an escape" : $"unknown escape '\\{kind}'", escapeStart);
            }
        }

        if (AtEnd)
        {
            throw Error("unexpected end of input");
        }

        if (char.IsHighSurrogate(Cur) && char.IsLowSurrogate(Peek(1)))
        {
            var cp = char.ConvertToUtf32(Cur, Peek(1));
            _pos += 2;
            return cp;
        }

        return _src[_pos++];
    }

    private int ParseHex(int digits, int escapeStart)
    {
        long value = 0;
        for (var i = 0; i < digits; i++)
        {
            var c = Cur;
            int d = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'f' => c - 'a' + 10,
                >= 'A' and <= 'F' => c - 'A' + 10,
                _ => throw Error(string.Create(CultureInfo.InvariantCulture, $"escape expects {digits} hex digits"), escapeStart),
            };
            value = (value << 4) + d;
            _pos++;
        }

        return value > int.MaxValue ? int.MaxValue : (int)value;
    }

    private void Validate(string root)
    {
        if (_rules.Count == 0)
        {
            throw new LlamaGrammarException("GBNF error: the grammar defines no rules.");
        }

        foreach (var reference in _references)
        {
            if (!_rules.ContainsKey(reference.Name))
            {
                throw new LlamaGrammarException(string.Create(CultureInfo.InvariantCulture,
                    $"GBNF error at line {reference.Line}, column {reference.Column}: rule '{reference.Name}' is referenced but never defined"));
            }
        }

        if (!_rules.ContainsKey(root))
        {
            throw new LlamaGrammarException($"GBNF error: the grammar has no root rule '{root}' (defined rules: {string.Join(", ", _rules.Keys.Take(10))}).");
        }

        new LeftRecursionCheck(_rules).Run();
    }

    /// <summary>Finds a rule that can reach itself without consuming input, which llama.cpp cannot run.</summary>
    private sealed class LeftRecursionCheck(Dictionary<string, GbnfRule> rules)
    {
        private readonly Dictionary<string, bool> _nullable = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _state = new(StringComparer.Ordinal);

        public void Run()
        {
            ComputeNullable();
            foreach (var name in rules.Keys)
            {
                var path = new List<string>();
                if (Visit(name, path))
                {
                    var (line, column) = (rules[path[0]].Line, rules[path[0]].Column);
                    throw new LlamaGrammarException(string.Create(CultureInfo.InvariantCulture,
                        $"GBNF error at line {line}, column {column}: left recursion ({string.Join(" -> ", path)}); llama.cpp cannot run left-recursive rules, rewrite with repetition, e.g. 'list ::= item (\",\" item)*'"));
                }
            }
        }

        private void ComputeNullable()
        {
            foreach (var name in rules.Keys)
            {
                _nullable[name] = false;
            }

            bool changed;
            do
            {
                changed = false;
                foreach (var rule in rules.Values)
                {
                    if (!_nullable[rule.Name] && IsNullable(rule.Body))
                    {
                        _nullable[rule.Name] = true;
                        changed = true;
                    }
                }
            }
            while (changed);
        }

        private bool IsNullable(GbnfNode node) => node switch
        {
            GbnfAlternatives a => a.Options.Any(IsNullable),
            GbnfSequence s => s.Items.All(IsNullable),
            GbnfLiteral l => l.CodePoints.Count == 0,
            GbnfRuleRef r => _nullable[r.Name],
            GbnfRepeat r => r.Min == 0 || IsNullable(r.Item),
            _ => false,
        };

        // Adds the rules that can start this node (leftmost, possibly after nullable items).
        private void LeftCorners(GbnfNode node, List<string> into)
        {
            switch (node)
            {
                case GbnfAlternatives a:
                    foreach (var option in a.Options)
                    {
                        LeftCorners(option, into);
                    }

                    break;
                case GbnfSequence s:
                    foreach (var item in s.Items)
                    {
                        LeftCorners(item, into);
                        if (!IsNullable(item))
                        {
                            break;
                        }
                    }

                    break;
                case GbnfRuleRef r:
                    into.Add(r.Name);
                    break;
                case GbnfRepeat r:
                    LeftCorners(r.Item, into);
                    break;
            }
        }

        // 0 = unvisited, 1 = in progress, 2 = done.
        private bool Visit(string name, List<string> path)
        {
            _state.TryGetValue(name, out var state);
            if (state == 2)
            {
                return false;
            }

            if (state == 1)
            {
                var start = path.IndexOf(name);
                path.RemoveRange(0, start);
                path.Add(name);
                return true;
            }

            _state[name] = 1;
            path.Add(name);
            var corners = new List<string>();
            LeftCorners(rules[name].Body, corners);
            foreach (var next in corners)
            {
                if (Visit(next, path))
                {
                    return true;
                }
            }

            path.RemoveAt(path.Count - 1);
            _state[name] = 2;
            return false;
        }
    }

    /// <summary>Writes a code point as a GBNF literal character, escaping what the parser would misread.</summary>
    internal static void AppendEscaped(StringBuilder sb, int codePoint, bool inClass)
    {
        switch (codePoint)
        {
            case '\\': sb.Append(@"\\"); return;
            case '"': sb.Append("\\\""); return;
            case '\n': sb.Append(@"\n"); return;
            case '\r': sb.Append(@"\r"); return;
            case '\t': sb.Append(@"\t"); return;
            case '[' or ']' or '-' or '^' when inClass: sb.Append(codePoint == '^' ? @"\x5E" : "\\" + (char)codePoint); return;
        }

        if (codePoint < 0x20 || codePoint == 0x7F)
        {
            sb.Append(CultureInfo.InvariantCulture, $"\\x{codePoint:X2}");
        }
        else if (codePoint > 0xFFFF)
        {
            sb.Append(CultureInfo.InvariantCulture, $"\\U{codePoint:X8}");
        }
        else if (char.IsSurrogate((char)codePoint))
        {
            sb.Append(CultureInfo.InvariantCulture, $"\\u{codePoint:X4}");
        }
        else
        {
            sb.Append((char)codePoint);
        }
    }
}
