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
    /// <returns>The definition.</returns>
    public static AgentDefinition Create(ReturnPolicyOptions returns)
    {
        ArgumentNullException.ThrowIfNull(returns);
        return new AgentDefinition
        {
            Name = Name,
            Instructions = AgentInstructions.FromPrompt(PromptName, new Dictionary<string, object?>
            {
                ["shop_name"] = "ShopBot",
                ["return_window_days"] = returns.WindowDays,
            }),
            Tools = ToolNames.All,
            ChatOptions = new ChatOptions { Temperature = 0.2f, MaxOutputTokens = 600 },
            Limits = new AgentLimits { MaxSteps = 12, Timeout = TimeSpan.FromMinutes(3) },
            ContextTokenBudget = 6_000,
        };
    }
}
