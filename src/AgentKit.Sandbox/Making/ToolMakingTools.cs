using System.ComponentModel;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace AgentKit.Sandbox.Making;

/// <summary>What <c>propose_tool</c> returns: the stored version, or why the proposal was refused (the field and what to change).</summary>
/// <param name="Stored">Whether the tool was stored.</param>
/// <param name="Name">The tool's name.</param>
/// <param name="Version">The stored version; null when refused.</param>
/// <param name="Note">When it is offered and whether a person must approve its first call.</param>
/// <param name="Field">The field at fault when refused.</param>
/// <param name="Error">Why it was refused.</param>
public sealed record ProposeToolResult(bool Stored, string Name, int? Version = null, string? Note = null, string? Field = null, string? Error = null);

/// <summary>One entry of <c>list_made_tools</c>.</summary>
/// <param name="Name">The tool.</param>
/// <param name="Version">The version.</param>
/// <param name="Scope"><c>agent:&lt;name&gt;</c> or <c>shared</c>.</param>
/// <param name="Description">What it does.</param>
/// <param name="Approved">Whether a person approved it.</param>
/// <param name="Created">When it was stored.</param>
public sealed record MadeToolListing(string Name, int Version, string Scope, string Description, bool Approved, DateTimeOffset Created);

/// <summary>
/// The tools through which a model makes tools: <c>propose_tool</c>, <c>list_made_tools</c> and <c>remove_tool</c>.
/// They are ordinary tools, offered and governed by the tool pipeline like any other; a refused proposal is an answer
/// for the model to correct (<see cref="ProposeToolResult.Error"/>), not a tool failure.
/// </summary>
public static class ToolMakingTools
{
    /// <summary>The name of the tool that proposes a tool.</summary>
    public const string ProposeName = "propose_tool";

    /// <summary>The name of the tool that lists made tools.</summary>
    public const string ListName = "list_made_tools";

    /// <summary>The name of the tool that removes a made tool.</summary>
    public const string RemoveName = "remove_tool";

    private const string ProposeDescription =
        "Makes a new tool you can call from your next turn on: give its name, what it does, the JSON Schema of its argument object, a JavaScript function body " +
        "that reads the arguments as `input` and returns the result (a JSON value; strict mode, no files, network or modules, time and memory limited), " +
        "and examples of inputs with the exact outputs expected. Every example is run; the tool is stored only if all pass. Proposing an existing name of yours " +
        "stores a new version. A person may have to approve its first call.";

    /// <summary>Creates the three tools over <paramref name="maker"/>.</summary>
    /// <param name="maker">Makes, lists and removes the tools.</param>
    /// <param name="currentAgent">The agent whose run calls the tool (hosting passes <c>AgentRunContext.Current?.AgentName</c>); <see langword="null"/> outside a run.</param>
    /// <returns><c>propose_tool</c>, <c>list_made_tools</c>, <c>remove_tool</c>.</returns>
    public static IReadOnlyList<AIFunction> Create(ToolMaker maker, Func<string?> currentAgent)
    {
        ArgumentNullException.ThrowIfNull(maker);
        ArgumentNullException.ThrowIfNull(currentAgent);

        async Task<ProposeToolResult> ProposeAsync(
            [Description("The tool's name: a letter, then letters, digits or underscores (at most 64).")] string name,
            [Description("What the tool does and returns, for choosing it later.")] string description,
            [Description("JSON Schema of the argument object: {\"type\":\"object\",\"properties\":{...},\"required\":[...]}.")] JsonElement parametersSchema,
            [Description("JavaScript function body, e.g. `return input.a + input.b;`.")] string body,
            [Description("Array of examples, each {\"input\": {arguments}, \"expected\": result}.")] JsonElement examples,
            CancellationToken cancellationToken = default)
        {
            try
            {
                var tool = await maker.ProposeAsync(new MadeToolProposal(name, description, parametersSchema, body, ReadExamples(examples)), currentAgent(), cancellationToken).ConfigureAwait(false);
                var note = tool.Approved is null
                    ? "Stored. It is offered from your next turn; a person must approve its first call."
                    : "Stored. It is offered from your next turn.";
                return new ProposeToolResult(true, tool.Name, tool.Version, note);
            }
            catch (ToolProposalException e)
            {
                return new ProposeToolResult(false, name, Field: e.Field, Error: e.Message);
            }
        }

        async Task<IReadOnlyList<MadeToolListing>> ListAsync(CancellationToken cancellationToken = default) =>
            [.. (await maker.ListAsync(currentAgent(), cancellationToken).ConfigureAwait(false))
                .Select(t => new MadeToolListing(t.Name, t.Version, t.Scope, t.Description, t.Approved is not null, t.Created))];

        async Task<string> RemoveAsync(
            [Description("The made tool's name.")] string name,
            [Description("One version to remove; omit to remove every version.")] int? version = null,
            CancellationToken cancellationToken = default)
        {
            var removed = await maker.RemoveAsync(currentAgent(), name, version, cancellationToken).ConfigureAwait(false);
            return removed == 0
                ? $"No made tool '{name}'{(version is null ? "" : $" version {version}")} of yours was found; nothing was removed."
                : $"Removed {removed} version(s) of '{name}'.";
        }

        return
        [
            AIFunctionFactory.Create(ProposeAsync, new AIFunctionFactoryOptions { Name = ProposeName, Description = ProposeDescription }),
            AIFunctionFactory.Create(ListAsync, new AIFunctionFactoryOptions { Name = ListName, Description = "Lists the tools you made (and shared ones): name, version, scope, description, whether approved." }),
            AIFunctionFactory.Create(RemoveAsync, new AIFunctionFactoryOptions { Name = RemoveName, Description = "Removes a tool you made: every version, or one. A removed tool is no longer offered." }),
        ];
    }

    /// <summary>Reads the <c>examples</c> argument: an array of <c>{ "input": …, "expected": … }</c>.</summary>
    /// <exception cref="ToolProposalException">It is not such an array (the field names the entry).</exception>
    internal static List<MadeToolExample> ReadExamples(JsonElement examples)
    {
        if (examples.ValueKind != JsonValueKind.Array)
        {
            throw new ToolProposalException("examples", "The examples must be an array of {\"input\": {...}, \"expected\": ...}.");
        }

        var list = new List<MadeToolExample>();
        var i = 0;
        foreach (var example in examples.EnumerateArray())
        {
            if (example.ValueKind != JsonValueKind.Object || !example.TryGetProperty("input", out var input))
            {
                throw new ToolProposalException($"examples[{i}]", $"Example {i + 1} must be an object with \"input\" (the argument object) and \"expected\" (the result).");
            }

            list.Add(new MadeToolExample(input.Clone(), example.TryGetProperty("expected", out var expected) ? expected.Clone() : default));
            i++;
        }

        return list;
    }
}
