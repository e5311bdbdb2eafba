using AgentKit.LlamaCpp.Grammars;

namespace AgentKit.LlamaCpp.Tests.Grammars;

public sealed class LlamaGrammarTests
{
    [Theory]
    [InlineData("root ::= \"a\" | \"b\"", "a", true)]
    [InlineData("root ::= \"a\" | \"b\"", "c", false)]
    [InlineData("root ::= \"a\"*", "", true)]
    [InlineData("root ::= \"a\"*", "aaaa", true)]
    [InlineData("root ::= \"ab\"+", "abab", true)]
    [InlineData("root ::= \"ab\"+", "aba", false)]
    [InlineData("root ::= \"a\"? \"b\"", "b", true)]
    [InlineData("root ::= \"a\"{2}", "aa", true)]
    [InlineData("root ::= \"a\"{2}", "aaa", false)]
    [InlineData("root ::= \"a\"{2,}", "aaaaa", true)]
    [InlineData("root ::= \"a\"{2,}", "a", false)]
    [InlineData("root ::= \"a\"{1,3}", "aaa", true)]
    [InlineData("root ::= \"a\"{1,3}", "aaaa", false)]
    [InlineData("root ::= [a-c]+", "abcba", true)]
    [InlineData("root ::= [a-c]+", "abd", false)]
    [InlineData("root ::= [^a-c]", "d", true)]
    [InlineData("root ::= [^a-c]", "b", false)]
    [InlineData("root ::= .", "é", true)]
    [InlineData("root ::= . .", "😀x", true)]
    [InlineData("root ::= \"\\x41\\u00e9\\n\\\"\"", "Aé\n\"", true)]
    [InlineData("root ::= [\\]\\-\\\\]+", "]-\\", true)]
    [InlineData("root ::= (\"a\" | \"b\") \"c\" # comment", "bc", true)]
    [InlineData("root ::= x x\nx ::= \"q\"", "qq", true)]
    [InlineData("root ::= (\n  \"a\"\n  \"b\"\n)", "ab", true)]
    [InlineData("root ::= \"a\" |\n  \"b\"", "b", true)]
    [InlineData("root ::= \"a\"{2}*", "aaaa", true)]
    [InlineData("root ::= \"a\"{2}*", "aaa", false)]
    [InlineData("root ::= <think> \"x\"", "<think>x", true)]
    [InlineData("root ::= item (\",\" item)*\nitem ::= [0-9]+", "1,22,333", true)]
    [InlineData("root ::= item (\",\" item)*\nitem ::= [0-9]+", "1,,2", false)]
    public void Accepts_MatchesLanguage(string gbnf, string text, bool expected)
    {
        var grammar = LlamaGrammar.Parse(gbnf);

        Assert.Equal(expected, grammar.Accepts(text));
    }

    [Theory]
    [InlineData("", "defines no rules")]
    [InlineData("# only a comment\n", "defines no rules")]
    [InlineData("root = \"a\"", "line 1, column 6: expected '::='")]
    [InlineData("root ::= \"a\"\nother ::= missing", "line 2, column 11: rule 'missing' is referenced but never defined")]
    [InlineData("start ::= \"a\"", "no root rule 'root'")]
    [InlineData("root ::= \"abc", "unterminated string literal")]
    [InlineData("root ::= [abc", "unterminated character class")]
    [InlineData("root ::= []", "empty character class")]
    [InlineData("root ::= [z-a]", "inverted")]
    [InlineData("root ::= (\"a\"", "unbalanced '('")]
    [InlineData("root ::= \"a\")", "unbalanced ')'")]
    [InlineData("root ::= * \"a\"", "needs a preceding item")]
    [InlineData("root ::= \"a\"{3,1}", "below its minimum")]
    [InlineData("root ::= \"a\"{2001}", "exceeds llama.cpp's limit")]
    [InlineData("root ::= \"a\"{x}", "expected an integer")]
    [InlineData("root ::= \"\\q\"", "unknown escape '\\q'")]
    [InlineData("root ::= \"\\x4\"", "2 hex digits")]
    [InlineData("root ::= \"a\"\n  \"b\"", "line 2, column 3: expected a rule name")]
    [InlineData("root ::= \"a\" \"b\" )", "unbalanced ')'")]
    [InlineData("root ::= \"a\"\nroot ::= \"b\"", "defined twice")]
    [InlineData("root ::= root \"a\" | \"b\"", "left recursion (root -> root)")]
    [InlineData("root ::= a\na ::= b \"x\"\nb ::= e a\ne ::= f\nf ::= \"\" | \"y\"", "left recursion (a -> b -> a)")]
    [InlineData("root ::= my_rule", "expected a line break or the end")]
    [InlineData("root ::= !\"a\"", "expected '<' after '!'")]
    [InlineData("root ::= <think", "unterminated token reference")]
    [InlineData("root ::= (\"a\" \"b\" \"c\" \"d\"+){1001}", "expands to more than")]
    public void Parse_InvalidGrammar_ThrowsWithLocation(string gbnf, string expectedFragment)
    {
        var ex = Assert.Throws<LlamaGrammarException>(() => LlamaGrammar.Parse(gbnf));

        Assert.Contains(expectedFragment, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_CustomRoot_UsesIt()
    {
        var grammar = LlamaGrammar.Parse("answer ::= \"yes\" | \"no\"", root: "answer");

        Assert.Equal("answer", grammar.Root);
        Assert.True(grammar.Accepts("no"));
    }

    [Fact]
    public void Parse_NullableRepetition_IsNotLeftRecursion()
    {
        var grammar = LlamaGrammar.Parse("root ::= (\"x\"?)* \"y\"");

        Assert.True(grammar.Accepts("xxy"));
    }

    [Fact]
    public void Accepts_TokenId_ThrowsBecauseVocabularyIsNeeded()
    {
        var grammar = LlamaGrammar.Parse("root ::= <[1000]> \"x\"");

        Assert.Throws<LlamaGrammarException>(() => grammar.Accepts("x"));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("[]")]
    [InlineData("{\"a\": [1, -2.5e10, true, false, null, \"x\\n\\u00e9\"], \"b\": {}}")]
    [InlineData("\"text\"")]
    [InlineData("0")]
    [InlineData(" {\n  \"a\" : 1\n}\n")]
    public void Json_AcceptsJson(string text)
    {
        Assert.True(LlamaGrammar.Json.Accepts(text));
    }

    [Theory]
    [InlineData("{")]
    [InlineData("{\"a\":1,}")]
    [InlineData("[1 2]")]
    [InlineData("01")]
    [InlineData("'x'")]
    [InlineData("\"a\nb\"")]
    [InlineData("{\"a\":                         1}")]
    [InlineData("12345678901234567890")]
    public void Json_RejectsInvalidOrUnboundedWhitespace(string text)
    {
        Assert.False(LlamaGrammar.Json.Accepts(text));
    }

    [Theory]
    [InlineData("{}", true)]
    [InlineData(" {\n  \"a\" : [1, {}]\n}\n", true)]
    [InlineData("[]", false)]
    [InlineData("\"text\"", false)]
    [InlineData("0", false)]
    [InlineData("null", false)]
    public void JsonObject_AcceptsObjectsOnly(string text, bool accepted)
    {
        Assert.Equal(accepted, LlamaGrammar.JsonObject.Accepts(text));
    }

    [Fact]
    public void Accepts_LongInput_IsFast()
    {
        var text = "\"" + new string('a', 50_000) + "\"";

        var started = System.Diagnostics.Stopwatch.StartNew();
        Assert.True(LlamaGrammar.Json.Accepts(text));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), started.Elapsed.ToString());
    }
}
