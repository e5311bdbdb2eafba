using System.Text.Json;
using AgentKit.Abstractions.Json;
using Microsoft.Extensions.AI;

namespace AgentKit.Sandbox.Making;

/// <summary>
/// One stored version of a made tool as an <see cref="AIFunction"/>: its arguments are checked against its schema
/// (again: the pipeline checked them first) and handed to its body as the sandbox's <c>input</c> data; the body runs
/// in the sandbox and its return value is the result, as JSON. The first call that runs records the version's approval
/// (the pipeline runs a tool that needs approval only once a person approved the call).
/// </summary>
internal sealed class MadeToolFunction : AIFunction
{
    private readonly MadeTool _tool;
    private readonly IJavaScriptSandbox _sandbox;
    private readonly MadeToolStore _store;
    private readonly JsonSchemaValidator _validator;
    private volatile bool _approved;

    public MadeToolFunction(MadeTool tool, IJavaScriptSandbox sandbox, MadeToolStore store)
    {
        _tool = tool;
        _sandbox = sandbox;
        _store = store;
        _validator = JsonSchemaValidator.Create(tool.ParametersSchema);
        _approved = tool.Approved is not null;
    }

    public override string Name => _tool.Name;

    public override string Description => _tool.Description;

    public override JsonElement JsonSchema => _tool.ParametersSchema;

    public override IReadOnlyDictionary<string, object?> AdditionalProperties { get; } = new Dictionary<string, object?>();

    public MadeTool Tool => _tool;

    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        var input = JsonSerializer.SerializeToElement(
            new Dictionary<string, object?>(arguments),
            AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, object?>)));
        if (_validator.Validate(input) is { Count: > 0 } errors)
        {
            throw new ArgumentException($"The arguments do not satisfy the parameter schema of '{Name}': {string.Join("; ", errors)}.", nameof(arguments));
        }

        if (!_approved)
        {
            await _store.MarkApprovedAsync(_tool.Id, cancellationToken).ConfigureAwait(false);
            _approved = true;
        }

        return await ToolMaker.RunAsync(_sandbox, _tool.Body, input, cancellationToken).ConfigureAwait(false);
    }
}
