using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AgentKit.Abstractions.Text;
using Microsoft.Extensions.AI;

namespace AgentKit.Agents.Tools.Selection;

/// <summary>
/// What selection knows of one tool: the text that describes it (name, description, parameter names and
/// descriptions), that text's hash (the embedding cache key), its embedding and its keyword statistics.
/// </summary>
internal sealed class ToolDocument
{
    /// <summary>Parameter text beyond this many characters adds little and would push the description out of the embedding model's window.</summary>
    private const int MaxParameterText = 1_200;

    /// <summary>The name's words count this many times on the keyword side: a request naming the action and object should find the tool named for them.</summary>
    private const int NameWeight = 3;

    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "can", "do", "does", "for", "from", "how", "i", "if",
        "in", "into", "is", "it", "its", "me", "my", "of", "on", "or", "so", "that", "the", "their", "then", "there",
        "these", "this", "to", "was", "we", "what", "when", "where", "which", "who", "why", "will", "with", "you", "your",
        "please", "use", "using", "all", "any", "some", "should", "would", "could", "want", "need", "let", "us", "our",
    };

    private ToolDocument(string text, string hash, Dictionary<string, int> terms, int length)
    {
        Text = text;
        Hash = hash;
        Terms = terms;
        Length = length;
    }

    public string Text { get; }

    public string Hash { get; }

    public Dictionary<string, int> Terms { get; }

    public int Length { get; }

    public ReadOnlyMemory<float> Vector { get; set; }

    public static string Describe(AIFunctionDeclaration tool)
    {
        var text = new StringBuilder();
        text.Append(NameWords(tool.Name)).Append(": ").Append(tool.Description.Trim());
        var parameters = new StringBuilder();
        AppendParameters(tool.JsonSchema, parameters, depth: 0);
        if (parameters.Length > 0)
        {
            text.Append(" Parameters: ").Append(parameters.Length > MaxParameterText ? parameters.ToString(0, MaxParameterText) : parameters.ToString());
        }

        return text.ToString();
    }

    public static ToolDocument Create(AIFunctionDeclaration tool)
    {
        var text = Describe(tool);
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
        var terms = new Dictionary<string, int>(StringComparer.Ordinal);
        var length = 0;
        var nameTerms = KeywordsOf(NameWords(tool.Name)).ToList();
        for (var i = 0; i < NameWeight; i++)
        {
            Count(nameTerms);
        }

        Count(KeywordsOf(text));
        return new ToolDocument(text, hash, terms, length);

        void Count(IEnumerable<string> words)
        {
            foreach (var word in words)
            {
                terms[word] = terms.GetValueOrDefault(word) + 1;
                length++;
            }
        }
    }

    /// <summary>The words worth matching: lower-cased, stop words dropped, a plural's trailing "s" removed so "issues" finds "issue".</summary>
    public static IEnumerable<string> KeywordsOf(string text) =>
        WordTokenizer.Words(text).Where(w => !StopWords.Contains(w)).Select(Stem);

    /// <summary>"get_file_contents", "getFileContents", "get-file-contents" → "get file contents".</summary>
    public static string NameWords(string name)
    {
        var words = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c is '_' or '-' or '.' or '/')
            {
                words.Append(' ');
            }
            else
            {
                if (char.IsUpper(c) && i > 0 && char.IsLower(name[i - 1]))
                {
                    words.Append(' ');
                }

                words.Append(char.ToLowerInvariant(c));
            }
        }

        return words.ToString();
    }

    private static string Stem(string word) =>
        word.Length > 3 && word[^1] == 's' && word[^2] is not ('s' or 'u' or 'i') ? word[..^1] : word;

    private static void AppendParameters(JsonElement schema, StringBuilder text, int depth)
    {
        if (depth > 2 || schema.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        if (schema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in properties.EnumerateObject())
            {
                text.Append(NameWords(property.Name));
                if (property.Value.ValueKind == JsonValueKind.Object && property.Value.TryGetProperty("description", out var description) && description.ValueKind == JsonValueKind.String)
                {
                    text.Append(" (").Append(description.GetString()).Append(')');
                }

                text.Append("; ");
                AppendParameters(property.Value, text, depth + 1);
            }
        }

        if (schema.TryGetProperty("items", out var items))
        {
            AppendParameters(items, text, depth + 1);
        }
    }
}
