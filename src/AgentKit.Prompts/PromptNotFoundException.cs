namespace AgentKit.Prompts;

/// <summary>No prompt with the requested name is in the registry; the message names the folder and close matches.</summary>
public sealed class PromptNotFoundException : PromptException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="name">The name asked for.</param>
    /// <param name="rootDirectory">The folder the registry loads.</param>
    /// <param name="closeMatches">Names that are spelled alike, best first.</param>
    public PromptNotFoundException(string name, string rootDirectory, IReadOnlyList<string> closeMatches)
        : base(Describe(name, rootDirectory, closeMatches))
    {
        Name = name;
        RootDirectory = rootDirectory;
        CloseMatches = closeMatches;
    }

    /// <summary>The name asked for.</summary>
    public string Name { get; }

    /// <summary>The folder the registry loads.</summary>
    public string RootDirectory { get; }

    /// <summary>Names that are spelled alike, best first; may be empty.</summary>
    public IReadOnlyList<string> CloseMatches { get; }

    private static string Describe(string name, string rootDirectory, IReadOnlyList<string> closeMatches)
    {
        var file = Path.Combine(rootDirectory, name.Replace('/', Path.DirectorySeparatorChar) + PromptTemplate.FileExtension);
        var hint = closeMatches.Count > 0
            ? $" Did you mean {string.Join(", ", closeMatches.Select(m => $"'{m}'"))}?"
            : " Names are paths relative to the folder, without the extension, with '/' between folders.";
        return $"No prompt named '{name}' in '{rootDirectory}' (expected the file '{file}', or it failed to load: see the registry's LoadErrors).{hint}";
    }
}
