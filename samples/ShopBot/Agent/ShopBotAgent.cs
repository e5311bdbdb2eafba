using AgentKit.Abstractions.Agents;
using AgentKit.Agents;
using Microsoft.Extensions.AI;
using ShopBot.Tools;

namespace ShopBot.Agent;

/// <summary>The ShopBot agent's definition: instructions from <c>prompts/shopbot/system.prompty</c>, the allowlisted tools, limits.</summary>
public static class ShopBotAgent
{
    /// <summary>The agent's name.</summary>
    public const string Name = "shopbot";

    /// <summary>The instructions prompt's name.</summary>
    public const string PromptName = "shopbot/system";

    private const string ShopName = "ShopBot";

    /// <summary>The instructions prompt's inputs as the runtime renders them for a session (with a session id as long as the runtime's), for measuring them.</summary>
    /// <param name="returns">The return rules, quoted in the instructions.</param>
    /// <returns>The inputs.</returns>
    internal static Dictionary<string, object?> PromptInputs(ReturnPolicyOptions returns) => new(StringComparer.Ordinal)
    {
        ["agent_name"] = Name,
        ["session_id"] = Guid.Empty.ToString("N"),
        ["shop_name"] = ShopName,
        ["return_window_days"] = returns.WindowDays,
    };

    /// <summary>Builds the definition.</summary>
    /// <param name="returns">The return rules, quoted in the instructions.</param>
    /// <param name="agent">Model settings and limits.</param>
    /// <param name="context">How the model's context is shared out; its history share becomes the context budget.</param>
    /// <param name="memory">Remembers verified customers across conversations; none when null.</param>
    /// <returns>The definition.</returns>
    public static AgentDefinition Create(ReturnPolicyOptions returns, AgentOptions agent, ContextPlan context, IAgentMemory? memory = null)
    {
        ArgumentNullException.ThrowIfNull(returns);
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(context);
        return new AgentDefinition
        {
            Name = Name,
            Instructions = AgentInstructions.FromPrompt(PromptName, new Dictionary<string, object?>
            {
                ["shop_name"] = ShopName,
                ["return_window_days"] = returns.WindowDays,
            }),
            Tools = ToolNames.All,
            ChatOptions = new ChatOptions { Temperature = agent.Temperature, MaxOutputTokens = agent.MaxOutputTokens },
            Limits = new AgentLimits { MaxSteps = agent.MaxSteps, Timeout = agent.Timeout },
            // What the model's context holds besides the instructions, tool schemas, memories, one turn's tool results and the answer.
            ContextTokenBudget = context.HistoryTokens,
            Memory = memory,
        };
    }
}
