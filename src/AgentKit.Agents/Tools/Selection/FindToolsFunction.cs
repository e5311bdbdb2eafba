using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace AgentKit.Agents.Tools.Selection;

/// <summary>
/// The <c>find_tools</c> meta-tool: searches the agent's tools that selection did not show and names the best
/// matches, which the model may call from its next step on (<see cref="ToolSelectingChatClient"/> shows them for
/// the rest of the turn). It runs through the governed pipeline like any tool.
/// </summary>
internal sealed class FindToolsFunction : AIFunction
{
    public const string QueryParameter = "query";

    /// <summary>A description beyond this is cut in the result: the model needs enough to choose, not the manual.</summary>
    private const int MaxDescriptionLength = 240;

    private static readonly JsonElement Schema = JsonDocument.Parse("""
        {
          "type": "object",
          "properties": {
            "query": { "type": "string", "minLength": 1, "maxLength": 500, "description": "What the tool you need should do, in a few words (for example: create a calendar event)." }
          },
          "required": ["query"],
          "additionalProperties": false
        }
        """).RootElement.Clone();

    private readonly ToolSelector _selector;
    private readonly IReadOnlyList<AIFunctionDeclaration> _candidates;
    private readonly ToolSelectionOptions _options;

    public FindToolsFunction(ToolSelector selector, IEnumerable<AIFunctionDeclaration> tools, ToolSelectionOptions options)
    {
        _selector = selector;
        _options = options;
        var alwaysOn = options.AlwaysOn.ToHashSet(StringComparer.Ordinal);
        _candidates = [.. tools.Where(t => !alwaysOn.Contains(t.Name))];
    }

    public override string Name => ToolSelectionOptions.FindToolsName;

    public override string Description =>
        "Searches your other tools when none of the tools you have fits the task. Returns the best matching tools, which you can call right after.";

    public override JsonElement JsonSchema => Schema;

    /// <summary>The tools one <c>find_tools</c> call names; the same on every call with the same query and tools.</summary>
    internal static Task<IReadOnlyList<ToolMatch>> FindAsync(
        ToolSelector selector, IReadOnlyList<AIFunctionDeclaration> candidates, string query, ToolSelectionOptions options, CancellationToken cancellationToken) =>
        selector.RankAsync(candidates, query, options.FindTopK, options.KeywordWeight, cancellationToken);

    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        var query = arguments.TryGetValue(QueryParameter, out var value) ? value?.ToString() : null;
        if (string.IsNullOrWhiteSpace(query))
        {
            return "Error: find_tools needs a 'query' saying what the tool should do.";
        }

        var matches = await FindAsync(_selector, _candidates, query, _options, cancellationToken).ConfigureAwait(false);
        var text = new StringBuilder($"Tools matching \"{query}\" (you can call them now):");
        foreach (var match in matches)
        {
            var description = match.Tool.Description.ReplaceLineEndings(" ");
            text.Append("\n- ").Append(match.Tool.Name).Append(": ")
                .Append(description.Length > MaxDescriptionLength ? description[..MaxDescriptionLength] + "…" : description);
        }

        return text.ToString();
    }
}
