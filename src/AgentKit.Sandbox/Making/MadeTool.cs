using System.Text.Json;

namespace AgentKit.Sandbox.Making;

/// <summary>A tool as the model proposes it: what it is called and does, its parameters, its JavaScript body and examples that show it works.</summary>
/// <param name="Name">The tool's name: a letter, then letters, digits and underscores, at most 64 characters.</param>
/// <param name="Description">What it does, as a model reads it when choosing tools.</param>
/// <param name="ParametersSchema">The JSON Schema of its argument object (<c>"type": "object"</c>).</param>
/// <param name="Body">
/// The JavaScript function body: it reads the arguments as <c>input</c> and <c>return</c>s the result, a JSON value
/// (<c>return input.a + input.b;</c>). It runs in the sandbox only.
/// </param>
/// <param name="Examples">Inputs and the outputs the body must return for them.</param>
public sealed record MadeToolProposal(string Name, string Description, JsonElement ParametersSchema, string Body, IReadOnlyList<MadeToolExample> Examples);

/// <summary>One example of a made tool: arguments and the result the body must return for them (compared as JSON, numbers by value, objects regardless of property order).</summary>
/// <param name="Input">The argument object; it must satisfy the tool's parameter schema.</param>
/// <param name="Expected">The result.</param>
public sealed record MadeToolExample(JsonElement Input, JsonElement Expected);

/// <summary>A stored version of a made tool.</summary>
/// <param name="Id">The row's id in the store.</param>
/// <param name="Scope">Whose it is: <c>agent:&lt;name&gt;</c> or <c>shared</c> (<see cref="MadeToolScopes"/>).</param>
/// <param name="Name">The tool's name.</param>
/// <param name="Version">Its version, from 1, one more for each proposal under the same name and scope.</param>
/// <param name="Description">What it does.</param>
/// <param name="ParametersSchema">The JSON Schema of its arguments.</param>
/// <param name="Body">The JavaScript body.</param>
/// <param name="Examples">The examples it passed.</param>
/// <param name="Created">When it was stored.</param>
/// <param name="Approved">When a person approved it (its first approved call, or an explicit approval); <see langword="null"/> while not approved.</param>
/// <param name="Removed">When it was removed; <see langword="null"/> while it is offered.</param>
public sealed record MadeTool(
    long Id,
    string Scope,
    string Name,
    int Version,
    string Description,
    JsonElement ParametersSchema,
    string Body,
    IReadOnlyList<MadeToolExample> Examples,
    DateTimeOffset Created,
    DateTimeOffset? Approved,
    DateTimeOffset? Removed);

/// <summary>The scope strings of <see cref="MadeTool.Scope"/>.</summary>
public static class MadeToolScopes
{
    /// <summary>Tools every agent that uses made tools sees.</summary>
    public const string Shared = "shared";

    /// <summary>The scope of the tools one agent made for itself.</summary>
    /// <param name="agentName">The agent.</param>
    /// <returns><c>agent:&lt;name&gt;</c>.</returns>
    public static string ForAgent(string agentName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(agentName);
        return "agent:" + agentName;
    }
}
