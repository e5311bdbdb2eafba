using AgentKit.Abstractions.Tools;
using AgentKit.Agents.Mcp;
using AgentKit.Agents.Tools;
using Microsoft.Extensions.AI;

namespace AgentKit.Hosting.Composition;

/// <summary>
/// A configured MCP server's tools: connecting and listing are bounded by <c>AgentKit:Tools:StartTimeout</c>, and a
/// server that cannot be started or reached fails with a <see cref="ToolCatalogException"/> naming its configuration key.
/// </summary>
internal sealed class NamedMcpToolSource(string key, McpToolSource inner, TimeSpan timeout) : IToolSource, IAsyncDisposable
{
    public async ValueTask<IReadOnlyList<AIFunction>> GetToolsAsync(CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            return await inner.GetToolsAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ToolCatalogException($"{key}: the MCP server did not start and list its tools within {timeout} (AgentKit:Tools:StartTimeout); check its command and arguments, or raise the limit.");
        }
        catch (Exception e) when (e is not OperationCanceledException and not ToolCatalogException)
        {
            throw new ToolCatalogException($"{key}: the MCP server could not be started or reached: {e.Message}", e);
        }
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
