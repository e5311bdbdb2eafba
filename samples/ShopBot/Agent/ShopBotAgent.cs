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

    /// <summary>Builds the definition.</summary>
    /// <param name="returns">The return rules, quoted in the instructions.</param>
    /// <param name="agent">Model settings and limits.</param>
    /// <param name="memory">Remembers verified customers across conversations; none when null.</param>
    /// <returns>The definition.</returns>
    public static AgentDefinition Create(ReturnPolicyOptions returns, AgentOptions agent, IAgentMemory? memory = null)
    {
        ArgumentNullException.ThrowIfNull(returns);
        ArgumentNullException.ThrowIfNull(agent);
        return new AgentDefinition
        {
            Name = Name,
            Instructions = AgentInstructions.FromPrompt(PromptName, new Dictionary<string, object?>
            {
                ["shop_name"] = "ShopBot",
                ["return_window_days"] = returns.WindowDays,
            }),
            Tools = ToolNames.All,
            ChatOptions = new ChatOptions { Temperature = agent.Temperature, MaxOutputTokens = agent.MaxOutputTokens },
            Limits = new AgentLimits { MaxSteps = agent.MaxSteps, Timeout = TimeSpan.FromMinutes(3) },
            // Below the model's default 4,096-token context, leaving room for the instructions, tool schemas and the answer.
            ContextTokenBudget = 3_000,
            Memory = memory,
        };
    }
}
