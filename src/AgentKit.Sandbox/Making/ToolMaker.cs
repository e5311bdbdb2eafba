using System.Text.Json;
using System.Text.RegularExpressions;
using AgentKit.Abstractions.Json;
using Microsoft.Extensions.Options;

namespace AgentKit.Sandbox.Making;

/// <summary>
/// Makes tools from the model's proposals, and lists, approves and removes them. A proposal is checked field by field
/// (name pattern and uniqueness against every registered tool, a parameter schema AgentKit can enforce, sizes, example
/// count, each example's input against the schema), then each example runs in the sandbox with its limits and its
/// result must equal the expected output; only then is it stored, as the next version of its name.
/// </summary>
public sealed partial class ToolMaker
{
    private readonly MadeToolStore _store;
    private readonly IJavaScriptSandbox _sandbox;
    private readonly ToolMakingOptions _options;
    private readonly Func<CancellationToken, ValueTask<IReadOnlyCollection<string>>> _registeredNames;

    /// <summary>Creates the maker.</summary>
    /// <param name="store">Where made tools are kept.</param>
    /// <param name="sandbox">Where examples run.</param>
    /// <param name="options">Bounds and policies; validated here.</param>
    /// <param name="registeredNames">The names of the tools registered otherwise (built-in, plugin, MCP), which a made tool may not take; none when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public ToolMaker(MadeToolStore store, IJavaScriptSandbox sandbox, IOptions<ToolMakingOptions> options, Func<CancellationToken, ValueTask<IReadOnlyCollection<string>>>? registeredNames = null)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _sandbox = sandbox ?? throw new ArgumentNullException(nameof(sandbox));
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _options.Validate();
        _registeredNames = registeredNames ?? (_ => ValueTask.FromResult<IReadOnlyCollection<string>>([]));
    }

    /// <summary>The options.</summary>
    public ToolMakingOptions Options => _options;

    /// <summary>The store.</summary>
    public MadeToolStore Store => _store;

    /// <summary>The scope a tool made by <paramref name="agentName"/> goes to: the agent's own, or shared when <see cref="ToolMakingOptions.Scope"/> says so or no agent is running.</summary>
    /// <param name="agentName">The agent; <see langword="null"/> outside an agent run.</param>
    /// <returns>The scope.</returns>
    public string ScopeFor(string? agentName) =>
        _options.Scope == MadeToolScope.Shared || string.IsNullOrWhiteSpace(agentName) ? MadeToolScopes.Shared : MadeToolScopes.ForAgent(agentName);

    /// <summary>The scopes whose tools <paramref name="agentName"/> sees: its own and the shared ones.</summary>
    /// <param name="agentName">The agent; <see langword="null"/> sees the shared ones only.</param>
    /// <returns>The scopes.</returns>
    public static IReadOnlyCollection<string> VisibleScopes(string? agentName) =>
        string.IsNullOrWhiteSpace(agentName) ? [MadeToolScopes.Shared] : [MadeToolScopes.ForAgent(agentName), MadeToolScopes.Shared];

    /// <summary>Checks <paramref name="proposal"/>, runs its examples and stores it as the next version.</summary>
    /// <param name="proposal">The proposal.</param>
    /// <param name="agentName">The agent proposing it (decides the scope, <see cref="ScopeFor"/>); <see langword="null"/> outside an agent run.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>The stored version.</returns>
    /// <exception cref="ToolProposalException">A field is invalid, the name is taken, or an example failed; nothing was stored.</exception>
    /// <exception cref="MadeToolStoreException">The store could not be written.</exception>
    public async Task<MadeTool> ProposeAsync(MadeToolProposal proposal, string? agentName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        await CheckNameAsync(proposal.Name, cancellationToken).ConfigureAwait(false);
        CheckDescription(proposal.Description);
        var schema = CheckSchema(proposal.ParametersSchema);
        CheckBody(proposal.Body);
        CheckExamples(proposal.Examples, schema);
        for (var i = 0; i < proposal.Examples.Count; i++)
        {
            await RunExampleAsync(proposal.Body, proposal.Examples[i], i, cancellationToken).ConfigureAwait(false);
        }

        return await _store.AddAsync(ScopeFor(agentName), proposal, approved: !_options.RequireApproval, _options.MaxTools, _options.MaxVersions, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The versions not removed that <paramref name="agentName"/> sees (its own and shared).</summary>
    /// <param name="agentName">The agent; <see langword="null"/> for the shared ones.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The versions, by scope, name and version.</returns>
    public Task<IReadOnlyList<MadeTool>> ListAsync(string? agentName, CancellationToken cancellationToken = default) =>
        _store.ListAsync(VisibleScopes(agentName), includeRemoved: false, cancellationToken);

    /// <summary>Removes a tool (every version) or one version from the scope <paramref name="agentName"/> makes tools in.</summary>
    /// <param name="agentName">The agent; <see langword="null"/> for the shared scope.</param>
    /// <param name="name">The tool.</param>
    /// <param name="version">One version; <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>How many versions were removed.</returns>
    public Task<int> RemoveAsync(string? agentName, string name, int? version = null, CancellationToken cancellationToken = default) =>
        _store.RemoveAsync(ScopeFor(agentName), name, version, cancellationToken);

    /// <summary>The program that runs a body: the body becomes a function of <c>input</c>, called once; the arguments arrive as the sandbox's <c>input</c> data, never as source.</summary>
    internal static string Program(string body) => "(function (input) { " + body + "\n}).call(undefined, input);";

    /// <summary>Runs <paramref name="body"/> on <paramref name="input"/> in the sandbox; its return value as JSON (<c>null</c> for <c>undefined</c>).</summary>
    internal static async Task<JsonElement> RunAsync(IJavaScriptSandbox sandbox, string body, JsonElement input, CancellationToken cancellationToken)
    {
        var result = await sandbox.RunAsync(new SandboxRequest(Program(body)) { Input = input }, cancellationToken).ConfigureAwait(false);
        using var document = JsonDocument.Parse(result.Result ?? "null");
        return document.RootElement.Clone();
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    private async Task CheckNameAsync(string name, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(name) || !NamePattern().IsMatch(name))
        {
            throw new ToolProposalException("name", $"The name '{name}' is not valid: it must start with a letter and hold only letters, digits and underscores, at most 64 characters (e.g. 'convert_units').");
        }

        // Case-insensitively: the pipeline resolves a name the model miscased to the registered tool.
        if ((await _registeredNames(cancellationToken).ConfigureAwait(false)).FirstOrDefault(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase)) is { } taken)
        {
            throw new ToolProposalException("name", $"The name '{name}' is taken by the registered tool '{taken}'; a made tool cannot replace a built-in, plugin or MCP tool. Choose another name.");
        }
    }

    private void CheckDescription(string description)
    {
        if (string.IsNullOrWhiteSpace(description))
        {
            throw new ToolProposalException("description", "The description is empty; say what the tool does and what it returns.");
        }

        if (description.Length > _options.MaxDescriptionChars)
        {
            throw new ToolProposalException("description", $"The description has {description.Length} characters; at most {_options.MaxDescriptionChars} are accepted ({ToolMakingOptions.SectionName}:MaxDescriptionChars).");
        }
    }

    private JsonSchemaValidator CheckSchema(JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object || !schema.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "object")
        {
            throw new ToolProposalException("parametersSchema", "The parameter schema must be a JSON Schema object with \"type\": \"object\" describing the argument object (its \"properties\" and \"required\").");
        }

        var length = schema.GetRawText().Length;
        if (length > _options.MaxSchemaChars)
        {
            throw new ToolProposalException("parametersSchema", $"The parameter schema has {length} characters of JSON; at most {_options.MaxSchemaChars} are accepted ({ToolMakingOptions.SectionName}:MaxSchemaChars).");
        }

        try
        {
            return JsonSchemaValidator.Create(schema);
        }
        catch (JsonSchemaNotSupportedException e)
        {
            throw new ToolProposalException("parametersSchema", $"The parameter schema cannot be enforced: {e.Message}", e);
        }
    }

    private void CheckBody(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            throw new ToolProposalException("body", "The body is empty; write a JavaScript function body that reads `input` and returns the result.");
        }

        if (body.Length > _options.MaxBodyChars)
        {
            throw new ToolProposalException("body", $"The body has {body.Length} characters; at most {_options.MaxBodyChars} are accepted ({ToolMakingOptions.SectionName}:MaxBodyChars).");
        }
    }

    private void CheckExamples(IReadOnlyList<MadeToolExample> examples, JsonSchemaValidator schema)
    {
        if (examples is null || examples.Count < _options.MinExamples || examples.Count > _options.MaxExamples)
        {
            throw new ToolProposalException("examples", $"{examples?.Count ?? 0} examples were given; between {_options.MinExamples} and {_options.MaxExamples} are needed ({ToolMakingOptions.SectionName}:MinExamples, MaxExamples), each an input and the expected output.");
        }

        for (var i = 0; i < examples.Count; i++)
        {
            var (input, expected) = (examples[i].Input, examples[i].Expected);
            if (input.ValueKind != JsonValueKind.Object)
            {
                throw new ToolProposalException($"examples[{i}].input", $"Example {i + 1}'s input is {Kind(input)}; it must be the argument object the tool is called with.");
            }

            CheckSize(input, $"examples[{i}].input");
            if (expected.ValueKind == JsonValueKind.Undefined)
            {
                throw new ToolProposalException($"examples[{i}].expected", $"Example {i + 1} has no expected output.");
            }

            CheckSize(expected, $"examples[{i}].expected");
            if (schema.Validate(input) is { Count: > 0 } errors)
            {
                throw new ToolProposalException($"examples[{i}].input", $"Example {i + 1}'s input does not satisfy the parameter schema: {string.Join("; ", errors)}.");
            }
        }
    }

    private void CheckSize(JsonElement value, string field)
    {
        var length = value.GetRawText().Length;
        if (length > _options.MaxExampleChars)
        {
            throw new ToolProposalException(field, $"{field} has {length} characters of JSON; at most {_options.MaxExampleChars} are accepted ({ToolMakingOptions.SectionName}:MaxExampleChars).");
        }
    }

    private async Task RunExampleAsync(string body, MadeToolExample example, int index, CancellationToken cancellationToken)
    {
        var field = $"examples[{index}]";
        JsonElement actual;
        try
        {
            actual = await RunAsync(_sandbox, body, example.Input, cancellationToken).ConfigureAwait(false);
        }
        catch (SandboxScriptException e) when (e.Kind == SandboxErrorKind.Syntax)
        {
            throw new ToolProposalException("body", $"The body does not parse: {e.Message}", e);
        }
        catch (SandboxLimitExceededException e)
        {
            throw new ToolProposalException(field, $"Example {index + 1} (input {example.Input.GetRawText()}) was stopped by the sandbox: {e.Message}", e);
        }
        catch (SandboxScriptException e)
        {
            throw new ToolProposalException(field, $"Example {index + 1} (input {example.Input.GetRawText()}) threw: {e.Message}", e);
        }

        if (!JsonSchemaValidator.JsonEquals(actual, example.Expected))
        {
            throw new ToolProposalException(field, $"Example {index + 1} failed: for input {example.Input.GetRawText()} the body returned {Clip(actual.GetRawText())}, but {example.Expected.GetRawText()} was expected.");
        }
    }

    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Undefined => "missing",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        var kind => $"a {kind.ToString().ToLowerInvariant()}",
    };

    private static string Clip(string json) => json.Length <= 500 ? json : string.Concat(json.AsSpan(0, 500), "…");
}
