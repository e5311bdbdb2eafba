using System.Collections.Concurrent;
using AgentKit.Abstractions.Tools;
using Microsoft.Extensions.AI;

namespace AgentKit.Sandbox.Making;

/// <summary>
/// Offers each agent the latest version, not removed, of every made tool it sees (its own and shared), read from the
/// store at every lookup — an agent run looks up at the start of each turn — so a tool made, approved or removed by
/// this process or another on the same file is offered, or withdrawn, from the next turn. A version not yet approved
/// is offered wrapped in <see cref="ApprovalRequiredAIFunction"/> when <see cref="ToolMakingOptions.RequireApproval"/>
/// is on, so its first call goes through the pipeline's approval handler.
/// </summary>
public sealed class MadeToolSource : IAgentToolSource
{
    // One function per stored version and approval state, so its compiled schema and selection embedding are reused.
    private const int MaxCached = 4096;
    private readonly ToolMaker _maker;
    private readonly IJavaScriptSandbox _sandbox;
    private readonly ConcurrentDictionary<(long Id, bool Approved), AIFunction> _functions = new();

    /// <summary>Creates the source.</summary>
    /// <param name="maker">The maker, whose store and options it reads.</param>
    /// <param name="sandbox">Where the tools' bodies run.</param>
    public MadeToolSource(ToolMaker maker, IJavaScriptSandbox sandbox)
    {
        _maker = maker ?? throw new ArgumentNullException(nameof(maker));
        _sandbox = sandbox ?? throw new ArgumentNullException(nameof(sandbox));
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<AIFunction>> GetToolsAsync(string agentName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(agentName);
        var offered = await _maker.Store.ListOfferedAsync(ToolMaker.VisibleScopes(agentName), cancellationToken).ConfigureAwait(false);
        if (_functions.Count > MaxCached)
        {
            _functions.Clear();
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var tools = new List<AIFunction>(offered.Count);
        foreach (var tool in offered)
        {
            // The store keeps a name in one scope; should a file edited by hand hold it in two, the agent's own wins.
            if (names.Add(tool.Name))
            {
                tools.Add(_functions.GetOrAdd((tool.Id, tool.Approved is not null), _ => Create(tool)));
            }
        }

        return tools;
    }

    private AIFunction Create(MadeTool tool)
    {
        var function = new MadeToolFunction(tool, _sandbox, _maker.Store);
        return _maker.Options.RequireApproval && tool.Approved is null ? new ApprovalRequiredAIFunction(function) : function;
    }
}
