using System.Diagnostics.CodeAnalysis;

namespace AgentKit.Prompts;

/// <summary>The prompt files of a folder, by name: the path relative to the folder without the extension, with '/' between folders.</summary>
public interface IPromptRegistry
{
    /// <summary>The folder the prompts come from.</summary>
    string RootDirectory { get; }

    /// <summary>The names of the prompts that loaded.</summary>
    IReadOnlyCollection<string> Names { get; }

    /// <summary>Gets a prompt.</summary>
    /// <param name="name">The name, such as <c>agents/summarize-history</c>.</param>
    /// <returns>The prompt's current version.</returns>
    /// <exception cref="PromptNotFoundException">No prompt has that name; the message names the folder and close matches.</exception>
    [SuppressMessage("Naming", "CA1716:Identifiers should not match keywords", Justification = "Get is the established name for registry lookups (IServiceProvider-style); VB callers can still call it.")]
    PromptTemplate Get(string name);

    /// <summary>Gets a prompt if there is one by that name.</summary>
    /// <param name="name">The name.</param>
    /// <param name="prompt">The prompt, or <see langword="null"/>.</param>
    /// <returns>Whether the prompt exists.</returns>
    bool TryGet(string name, [NotNullWhen(true)] out PromptTemplate? prompt);
}
