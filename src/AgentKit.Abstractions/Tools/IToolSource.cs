using Microsoft.Extensions.AI;

namespace AgentKit.Abstractions.Tools;

/// <summary>Supplies tools to the agent runtime's tool catalog: plain functions, Semantic Kernel plugins, MCP servers.</summary>
public interface IToolSource
{
    /// <summary>The tools this source offers now.</summary>
    /// <param name="cancellationToken">Cancels the lookup (an MCP source may connect first).</param>
    /// <returns>The tools; names must be unique across all sources.</returns>
    ValueTask<IReadOnlyList<AIFunction>> GetToolsAsync(CancellationToken cancellationToken);
}

/// <summary>A fixed list of tools.</summary>
/// <param name="tools">The tools.</param>
public sealed class StaticToolSource(IEnumerable<AIFunction> tools) : IToolSource
{
    private readonly IReadOnlyList<AIFunction> _tools = [.. tools ?? throw new ArgumentNullException(nameof(tools))];

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<AIFunction>> GetToolsAsync(CancellationToken cancellationToken) => ValueTask.FromResult(_tools);
}
