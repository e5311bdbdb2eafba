namespace AgentKit.Prompts;

/// <summary>Registry keys: paths relative to the prompts folder, without the extension, with '/' between folders.</summary>
internal static class PromptNames
{
    private const int MaxSuggestions = 3;

    public static string FromPath(string root, string filePath)
    {
        var relative = Path.GetRelativePath(root, filePath);
        var withoutExtension = relative[..^PromptTemplate.FileExtension.Length];
        return withoutExtension.Replace(Path.DirectorySeparatorChar, '/').Replace(Path.AltDirectorySeparatorChar, '/');
    }

    /// <summary>Names spelled like <paramref name="name"/>, or with the same last segment, closest first.</summary>
    public static IReadOnlyList<string> CloseMatches(string name, IEnumerable<string> names)
    {
        var leaf = Leaf(name);
        var limit = Math.Max(2, name.Length / 3);
        return names
            .Select(n => (Name: n, Distance: Math.Min(Distance(name, n), string.Equals(Leaf(n), leaf, StringComparison.OrdinalIgnoreCase) ? 1 : int.MaxValue)))
            .Where(c => c.Distance <= limit)
            .OrderBy(c => c.Distance)
            .ThenBy(c => c.Name, StringComparer.Ordinal)
            .Take(MaxSuggestions)
            .Select(c => c.Name)
            .ToList();
    }

    private static string Leaf(string name) => name[(name.LastIndexOf('/') + 1)..];

    /// <summary>Levenshtein distance, case-insensitive.</summary>
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = char.ToUpperInvariant(a[i - 1]) == char.ToUpperInvariant(b[j - 1]) ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
