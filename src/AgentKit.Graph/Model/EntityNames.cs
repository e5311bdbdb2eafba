using System.Text;
using AgentKit.Abstractions.Text;

namespace AgentKit.Graph;

/// <summary>The normal form of entity names, which decides when two mentions name the same entity without asking a model.</summary>
public static class EntityNames
{
    private static readonly HashSet<string> LeadingArticles = new(StringComparer.Ordinal) { "the", "a", "an" };

    /// <summary>
    /// Normalizes a name: Unicode compatibility form (NFKC), the words of <see cref="WordTokenizer"/> (letters and
    /// digits, lower-cased) joined by single spaces, a leading article dropped. <c>The  ACME-Corp.</c> → <c>acme corp</c>.
    /// </summary>
    /// <param name="name">A name as extracted.</param>
    /// <returns>The normal form; empty when the name has no letters or digits.</returns>
    public static string Normalize(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var words = WordTokenizer.Words(name.Normalize(NormalizationForm.FormKC)).ToList();
        if (words.Count > 1 && LeadingArticles.Contains(words[0]))
        {
            words.RemoveAt(0);
        }

        return string.Join(' ', words);
    }
}
