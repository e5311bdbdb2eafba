using Microsoft.Extensions.AI;

// TEMPORARY mirror of the AgentKit.Prompts contract being built on branch h-prompts, internal so it clashes with
// nothing; this file is deleted and AgentKit.Prompts referenced once that branch lands on main.
namespace AgentKit.Prompts;

internal interface IPromptRegistry
{
    string RootDirectory { get; }

    IReadOnlyCollection<string> Names { get; }

    PromptTemplate Get(string name);

    bool TryGet(string name, out PromptTemplate? template);
}

internal sealed class PromptTemplate(string name, string filePath, Func<IReadOnlyDictionary<string, object?>, IList<ChatMessage>> render, ChatOptions? options = null)
{
    public string Name { get; } = name;

    public string FilePath { get; } = filePath;

    public IList<ChatMessage> Render(IReadOnlyDictionary<string, object?> inputs) => render(inputs);

    public ChatOptions CreateChatOptions(ChatOptions? overrides = null) => overrides?.Clone() ?? options?.Clone() ?? new ChatOptions();
}
