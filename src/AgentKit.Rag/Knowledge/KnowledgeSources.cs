using Microsoft.Extensions.FileSystemGlobbing;

namespace AgentKit.Rag.Knowledge;

/// <summary>A knowledge base's sources resolved to full paths: folders, files and glob patterns.</summary>
internal sealed class KnowledgeSources
{
    private static readonly char[] GlobCharacters = ['*', '?', '[', '{'];

    private readonly List<Source> _sources;

    public KnowledgeSources(IEnumerable<string> sources, string baseDirectory) =>
        _sources = sources.Select(s => Parse(s, baseDirectory)).ToList();

    /// <summary>Whether a configured source is a glob pattern rather than a path.</summary>
    public static bool IsGlob(string source) => source.IndexOfAny(GlobCharacters) >= 0;

    /// <summary>The part of a source that must exist: the path itself, or a glob's folder before its first wildcard.</summary>
    public static string ExistingPart(string source, string baseDirectory) => Parse(source, baseDirectory).Root;

    /// <summary>Every file the sources name now, in ordinal order, each once.</summary>
    /// <exception cref="KnowledgeSourceException">A source is missing, or the sources hold more than <paramref name="maxFiles"/> files.</exception>
    public List<string> Expand(int maxFiles)
    {
        var files = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var source in _sources)
        {
            foreach (var file in source.Files())
            {
                files.Add(file);
                if (files.Count > maxFiles)
                {
                    throw new KnowledgeSourceException(source.Text, $"The sources hold more than {maxFiles:N0} files (MaxFiles); raise the limit or narrow the sources.");
                }
            }
        }

        return [.. files];
    }

    /// <summary>Whether a file (existing or not) falls under one of the sources, so that its chunks are the sources' to remove.</summary>
    public bool Covers(string path) => _sources.Any(s => s.Covers(path));

    private static Source Parse(string text, string baseDirectory)
    {
        if (!IsGlob(text))
        {
            return new Source(text, Path.TrimEndingDirectorySeparator(Path.GetFullPath(text, baseDirectory)), null);
        }

        // The pattern applies under the longest leading run of segments without wildcards.
        var segments = text.Replace('\\', '/').Split('/');
        var fixedCount = segments.TakeWhile(s => s.IndexOfAny(GlobCharacters) < 0).Count();
        var prefix = string.Join('/', segments[..fixedCount]);
        var root = Path.GetFullPath(prefix.Length > 0 ? prefix : fixedCount == 0 ? "." : "/", baseDirectory);
        var matcher = new Matcher(StringComparison.Ordinal).AddInclude(string.Join('/', segments[fixedCount..]));
        return new Source(text, Path.TrimEndingDirectorySeparator(root), matcher);
    }

    private sealed record Source(string Text, string Root, Matcher? Pattern)
    {
        private static readonly EnumerationOptions Enumeration = new()
        {
            RecurseSubdirectories = true,
            IgnoreInaccessible = true,
            AttributesToSkip = FileAttributes.Hidden | FileAttributes.System,
        };

        public IEnumerable<string> Files()
        {
            if (Pattern is null && File.Exists(Root))
            {
                return [Root];
            }

            if (!Directory.Exists(Root))
            {
                throw new KnowledgeSourceException(Text, $"The source '{Text}' ('{Root}') does not exist.");
            }

            var all = Directory.EnumerateFiles(Root, "*", Enumeration);
            return Pattern is null ? all : all.Where(Matches);
        }

        public bool Covers(string path) =>
            Pattern is null
                ? path == Root || path.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                : path.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal) && Matches(path);

        private bool Matches(string path) =>
            Pattern!.Match(Path.GetRelativePath(Root, path).Replace('\\', '/')).HasMatches;
    }
}
