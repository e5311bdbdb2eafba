using AgentKit.Agents;
using AgentKit.Agents.Tools.Selection;
using AgentKit.Hosting.Configuration;
using AgentKit.Hosting.Models;
using AgentKit.Memory;
using AgentKit.Memory.Agents;
using AgentKit.Planning;
using AgentKit.Plugins.Knowledge;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentKit.Hosting.Composition;

/// <summary>Builds the <see cref="AgentDefinition"/> of an <c>AgentKit:Agents</c> entry, after start-up validation has named any bad value.</summary>
internal static class ConfiguredAgents
{
    public static AgentDefinition Create(IServiceProvider services, string name, AgentOptions agent, AgentKitOptions options)
    {
        var model = agent.Model ?? options.DefaultChatModel;
        var defaults = new AgentLimits();
        List<string> tools = [.. agent.Tools];
        if (agent.Knowledge.Count > 0 && !tools.Contains(KnowledgePlugin.FunctionName, StringComparer.Ordinal))
        {
            tools.Add(KnowledgePlugin.FunctionName);
        }

        return new AgentDefinition
        {
            Name = name,
            Instructions = AgentInstructions.Parse(agent.Instructions ?? string.Empty),
            ChatClientKey = model is null ? null : ModelKeys.ForAgents(model),
            Tools = tools,
            UseAgentToolSources = agent.MadeTools,
            Limits = defaults with
            {
                MaxSteps = agent.MaxSteps ?? defaults.MaxSteps,
                MaxTokens = agent.MaxTokens ?? defaults.MaxTokens,
                Timeout = agent.Timeout ?? defaults.Timeout,
            },
            ContextTokenBudget = agent.ContextTokenBudget,
            ToolSelection = agent.ToolSelection is { } selection
                ? new ToolSelectionOptions { TopK = selection.TopK, FindTopK = selection.FindTopK, AlwaysOn = [.. selection.AlwaysOn] }
                : null,
            ChatOptions = agent.Temperature is null && agent.MaxOutputTokens is null
                ? null
                : new ChatOptions { Temperature = agent.Temperature, MaxOutputTokens = agent.MaxOutputTokens },
            Memory = agent.Memory is { Enabled: true } memory
                ? new MemoryAgentHook(services.GetRequiredService<AgentMemory>(), new MemoryAgentHookOptions
                {
                    TokenBudget = memory.TokenBudget,
                    RecordObservations = memory.RecordObservations,
                    RestrictToSession = memory.Scope == AgentMemoryScope.Session,
                }, services.GetService<ILogger<MemoryAgentHook>>())
                : null,
            Planner = agent.Planner is { } planner
                ? new PlanningAgentPlanner(planner.Kind) { UseAgentTools = planner.UseTools, Budget = CompositionValidator.PlannerBudget(planner) }
                : null,
        };
    }
}
