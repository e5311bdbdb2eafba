using AgentKit.Hosting.Configuration;
using AgentKit.Hosting.Knowledge;
using AgentKit.LlamaCpp.Chat;
using AgentKit.Memory;
using AgentKit.Planning;
using AgentKit.Plugins.Knowledge;
using AgentKit.Prompts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AgentKit.Hosting.Composition;

/// <summary>
/// Checks what <c>AgentKit:Tools</c> and each agent refer to (plugins, plugin types, MCP commands, knowledge bases,
/// prompt files, planners, the model's context size, <c>ConfigureChatPipeline</c> models) at start-up; each failure
/// names its configuration key and what to do. Tool names are checked once the tools are listed (<see cref="AgentToolsStartupCheck"/>).
/// </summary>
internal sealed class CompositionValidator(IServiceProvider services, IHostEnvironment environment, IConfiguration configuration) : IValidateOptions<AgentKitOptions>
{
    private const string Section = AgentKitOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, AgentKitOptions options)
    {
        var failures = new List<string>();
        ValidateTools(options.Tools, failures);
        // Bases configured under AgentKit:Knowledge and those added in code with AddAgentKitKnowledge.
        var knowledgeBases = configuration.GetSection($"{Section}:Knowledge").GetChildren().Select(c => c.Key)
            .Concat(services.GetServices<KnowledgeBaseName>().Select(k => k.Name))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var (agentName, agent) in options.Agents)
        {
            ValidateAgent($"{Section}:Agents:{agentName}", agent, options, knowledgeBases, failures);
        }

        foreach (var pipeline in services.GetServices<ChatPipelineConfiguration>())
        {
            ModelChecks.CheckUse(options, pipeline.ModelName, ModelKind.Chat, $"ConfigureChatPipeline(\"{pipeline.ModelName}\")", failures);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private void ValidateTools(ToolsOptions tools, List<string> failures)
    {
        const string key = $"{Section}:Tools";
        for (var i = 0; i < tools.Plugins.Count; i++)
        {
            if (!BuiltInPlugins.All.Contains(tools.Plugins[i], StringComparer.OrdinalIgnoreCase))
            {
                failures.Add($"{key}:Plugins:{i}: no built-in plugin is named '{tools.Plugins[i]}'; the built-in plugins are {string.Join(", ", BuiltInPlugins.All)} (plugin classes go under {key}:PluginTypes).");
            }
            else if (string.Equals(tools.Plugins[i], BuiltInPlugins.Graph, StringComparison.OrdinalIgnoreCase)
                && services.GetService<IServiceProviderIsService>()?.IsService(typeof(AgentKit.Graph.GraphGlobalSearch)) != true)
            {
                failures.Add($"{key}:Plugins:{i}: the built-in plugin '{BuiltInPlugins.Graph}' searches the knowledge graph, and none is configured; add the {Section}:Graph section.");
            }
        }

        for (var i = 0; i < tools.PluginTypes.Count; i++)
        {
            var type = ConfiguredTools.ResolveType(tools.PluginTypes[i]);
            if (type is null)
            {
                failures.Add($"{key}:PluginTypes:{i}: no type named '{tools.PluginTypes[i]}' could be loaded; give its full name and assembly ('Namespace.Type, Assembly') and reference the assembly.");
            }
            else if (!type.IsClass || type.IsAbstract)
            {
                failures.Add($"{key}:PluginTypes:{i}: '{type.FullName}' is not a concrete class; a plugin is a class with [KernelFunction] methods.");
            }
        }

        if (tools.StartTimeout < TimeSpan.FromSeconds(1) || tools.StartTimeout > TimeSpan.FromMinutes(10))
        {
            failures.Add($"{key}:StartTimeout: must be between 00:00:01 and 00:10:00 (was {tools.StartTimeout}).");
        }

        foreach (var (serverName, server) in tools.McpServers)
        {
            var serverKey = $"{key}:McpServers:{serverName}";
            if ((server.Command is null) == (server.Url is null))
            {
                failures.Add($"{serverKey}: set either Command (a server started over stdio) or Url (an HTTP server), not both or neither.");
            }
            else if (server.Command is { } command)
            {
                if (string.IsNullOrWhiteSpace(command) || ConfiguredTools.ResolveCommand(environment, command) is null)
                {
                    failures.Add($"{serverKey}:Command: the program '{command}' was not found (as a path under the content root or on PATH); install it or give its full path.");
                }

                if (server.WorkingDirectory is { } folder && !Directory.Exists(AgentKitPaths.Resolve(environment, folder)))
                {
                    failures.Add($"{serverKey}:WorkingDirectory: the folder '{AgentKitPaths.Resolve(environment, folder)}' does not exist.");
                }
            }
            else if (server.Url is { IsAbsoluteUri: false } or { Scheme: not ("http" or "https") })
            {
                failures.Add($"{serverKey}:Url: '{server.Url}' is not an absolute http or https URL.");
            }
        }
    }

    private void ValidateAgent(string key, AgentOptions agent, AgentKitOptions options, HashSet<string> knowledgeBases, List<string> failures)
    {
        if (!string.IsNullOrWhiteSpace(agent.Instructions) && Agents.AgentInstructions.Parse(agent.Instructions).PromptName is { } prompt)
        {
            var registry = services.GetRequiredService<IPromptRegistry>();
            if (!registry.TryGet(prompt, out _))
            {
                failures.Add($"{key}:Instructions: no prompt file is named '{prompt}' in '{registry.RootDirectory}'; add {prompt}.prompty there or fix the name.");
            }
        }

        for (var i = 0; i < agent.Knowledge.Count; i++)
        {
            if (!knowledgeBases.Contains(agent.Knowledge[i]))
            {
                failures.Add($"{key}:Knowledge:{i}: no knowledge base is named '{agent.Knowledge[i]}' under {Section}:Knowledge ({(knowledgeBases.Count == 0 ? "none is configured" : "configured: " + string.Join(", ", knowledgeBases.Order(StringComparer.OrdinalIgnoreCase)))}).");
            }
        }

        if (agent.Knowledge.Count == 0 && agent.Tools.Contains(KnowledgePlugin.FunctionName, StringComparer.Ordinal)
            && !options.Tools.Plugins.Contains(BuiltInPlugins.Knowledge, StringComparer.OrdinalIgnoreCase))
        {
            failures.Add($"{key}:Knowledge: the agent lists the tool '{KnowledgePlugin.FunctionName}' but names no knowledge base to search; list the bases under {key}:Knowledge.");
        }

        if (agent.MadeTools && !options.Tools.Plugins.Contains(BuiltInPlugins.ToolMaking, StringComparer.OrdinalIgnoreCase))
        {
            failures.Add($"{key}:MadeTools: the agent uses made tools, which come from the built-in plugin '{BuiltInPlugins.ToolMaking}'; add it to {Section}:Tools:Plugins.");
        }

        ValidateMemory(key, agent, options, failures);
        ValidatePlanner(key, agent.Planner, failures);

        var modelName = agent.Model ?? options.DefaultChatModel;
        if (agent.ContextTokenBudget is { } budget && modelName is not null && options.Models.TryGetValue(modelName, out var model) && model.Provider == ModelProvider.Llama)
        {
            var contextSize = model.ContextSize ?? new LlamaChatClientOptions().Context.ContextSize;
            if (budget > contextSize)
            {
                failures.Add($"{key}:ContextTokenBudget: {budget} tokens is more than the context of its model '{modelName}' ({contextSize} tokens, {Section}:Models:{modelName}:ContextSize); lower the budget or raise the model's ContextSize.");
            }
        }
    }

    private static void ValidateMemory(string key, AgentOptions agent, AgentKitOptions options, List<string> failures)
    {
        var memoryTools = agent.Tools.Where(t => t is MemoryTools.RememberName or MemoryTools.RecallName or MemoryTools.ForgetName).ToList();
        if (agent.Memory is not { Enabled: true } memory)
        {
            if (memoryTools.Count > 0)
            {
                failures.Add($"{key}:Memory: the agent lists the memory tools ({string.Join(", ", memoryTools)}) but has no memory; add {key}:Memory (Enabled: true).");
            }

            return;
        }

        if (memoryTools.Count > 0 && !options.Tools.Plugins.Contains(BuiltInPlugins.Memory, StringComparer.OrdinalIgnoreCase))
        {
            failures.Add($"{key}:Tools: the memory tools ({string.Join(", ", memoryTools)}) come from the built-in plugin '{BuiltInPlugins.Memory}'; add it to {Section}:Tools:Plugins.");
        }

        if (!Enum.IsDefined(memory.Scope))
        {
            failures.Add($"{key}:Memory:Scope: must be Agent or Session.");
        }

        AgentKitOptionsValidator.CheckRange(failures, $"{key}:Memory:TokenBudget", memory.TokenBudget, 1, 1 << 20);
    }

    private void ValidatePlanner(string key, AgentPlannerOptions? planner, List<string> failures)
    {
        if (planner is null)
        {
            return;
        }

        if (planner.Kind is { } kind)
        {
            var names = services.GetServices<PlannerRegistration>().SelectMany(r => r.Aliases.Prepend(r.Name)).ToList();
            if (!names.Contains(kind.Trim(), StringComparer.OrdinalIgnoreCase))
            {
                failures.Add($"{key}:Planner:Kind: no planner is named '{kind}'. Registered planners: {string.Join(", ", names.Order(StringComparer.OrdinalIgnoreCase))} (add one with AddAgentKitPlanner<T>(name)).");
            }
        }

        try
        {
            PlannerBudget(planner)?.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            failures.Add($"{key}:Planner:{e.ParamName}: must be positive (was {e.ActualValue}).");
        }
    }

    internal static PlanningBudget? PlannerBudget(AgentPlannerOptions planner) =>
        planner.MaxCalls is null && planner.MaxTokens is null && planner.MaxDuration is null
            ? null
            : new PlanningBudget { MaxCalls = planner.MaxCalls, MaxTokens = planner.MaxTokens, MaxDuration = planner.MaxDuration };
}
