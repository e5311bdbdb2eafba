using System.Globalization;
using System.Text.Json;
using AgentKit.Abstractions.Prompts;
using AgentKit.Abstractions.Text;
using AgentKit.Agents;
using AgentKit.Agents.Tools;
using AgentKit.Hosting.Configuration;
using AgentKit.Hosting.Models;
using AgentKit.LlamaCpp;
using AgentKit.LlamaCpp.Chat;
using AgentKit.LlamaCpp.Grammars;
using AgentKit.Prompts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ShopBot.Startup;
using ShopBot.Tools;

namespace ShopBot.Agent;

/// <summary>
/// How the model's context is shared out in every call of the ShopBot agent, in the model's own tokens: the system
/// instructions, the tool schemas as the chat template shows them, the recalled memories, one turn's tool calls and
/// results (retrieved policy passages included), the answer, and what is left for the conversation history — the
/// agent's <see cref="AgentDefinition.ContextTokenBudget"/>. Measured at start-up with the configured model's
/// tokenizer; the parts add up to at most <see cref="ContextTokens"/>.
/// </summary>
/// <param name="ContextTokens">The model's context window.</param>
/// <param name="InstructionsTokens">The rendered <c>shopbot/system</c> prompt.</param>
/// <param name="ToolSchemaTokens">The tool list the chat template adds to the system turn.</param>
/// <param name="MemoryTokens">Recalled memories (<c>ShopBot:Memory:RecallTokenBudget</c>; 0 when memory is off).</param>
/// <param name="TurnTokens">One turn's tool calls and results: the largest policy search plus <c>ShopBot:Agent:ToolExchangeTokens</c>.</param>
/// <param name="OutputTokens">The answer (<c>ShopBot:Agent:MaxOutputTokens</c>).</param>
/// <param name="TemplateTokens">The chat template's own tokens around the messages.</param>
/// <param name="HistoryTokens">What is left for the conversation history; older turns are summarised above it.</param>
public sealed record ContextPlan(
    int ContextTokens, int InstructionsTokens, int ToolSchemaTokens, int MemoryTokens, int TurnTokens, int OutputTokens, int TemplateTokens, int HistoryTokens)
{
    /// <summary>The least history worth having: below it the agent forgets the customer's order within a turn or two.</summary>
    public const int MinimumHistoryTokens = 1024;

    /// <summary>The context assumed for a model whose window ShopBot cannot read (an OpenAI-compatible endpoint) unless <c>ShopBot:Agent:ContextTokens</c> says.</summary>
    public const int DefaultRemoteContextTokens = 16_384;

    /// <summary>Policy passages one <c>search_knowledge</c> call returns at most.</summary>
    public const int MaxPolicyPassages = 8;

    // The chat template's tokens per message (role markers, separators) and the retrieved passage's JSON around its text.
    private const int TemplateTokensPerMessage = 8;
    private const int PassageOverheadTokens = 48;

    /// <summary>Everything the model sees in the fullest call, in tokens.</summary>
    public int Total => InstructionsTokens + ToolSchemaTokens + MemoryTokens + TurnTokens + OutputTokens + TemplateTokens + HistoryTokens;

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"context {ContextTokens} tokens = instructions {InstructionsTokens} + tool schemas {ToolSchemaTokens} + memories {MemoryTokens} + one turn's tool calls and results {TurnTokens} + answer {OutputTokens} + chat template {TemplateTokens} + history {HistoryTokens}");

    /// <summary>Measures the plan for the running application's model, prompt and tools.</summary>
    /// <param name="services">The built application's services (the chat client, prompts, tool catalog, AgentKit options).</param>
    /// <param name="options">ShopBot's options.</param>
    /// <param name="chunkTokens">The policy knowledge base's largest passage, in tokens.</param>
    /// <param name="cancellationToken">Cancels the measurement.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="ContextPlanException">The configured context cannot hold the fixed parts and <see cref="MinimumHistoryTokens"/> of history; the message names the keys to change.</exception>
    public static async Task<ContextPlan> MeasureAsync(IServiceProvider services, ShopBotOptions options, int chunkTokens, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        var chat = services.GetRequiredKeyedService<IChatClient>(AgentChatClients.DefaultKey);
        var kit = services.GetRequiredService<IOptions<AgentKitOptions>>().Value;
        var modelName = kit.DefaultChatModel ?? kit.Models.Where(m => m.Value.Kind == ModelKind.Chat).Select(m => m.Key).FirstOrDefault();
        if (modelName is not null && services.GetService<ModelCatalog>() is { } catalog)
        {
            // A local model loads now, not at the first customer's message: its tokenizer counts, its metadata knows its window.
            await catalog.WarmUpAsync(modelName, cancellationToken).ConfigureAwait(false);
        }

        var (context, contextKey) = ContextWindow(kit, modelName, chat, options.Agent);
        var counter = chat.GetService(typeof(ITokenCounter)) as ITokenCounter;
        int Count(string text) => counter?.CountTokens(text) ?? EstimateTokens(text);

        var instructions = services.GetRequiredService<IPromptRegistry>().Get(ShopBotAgent.PromptName).Render(ShopBotAgent.PromptInputs(options.Returns));
        var tools = await services.GetRequiredService<ToolCatalog>().ResolveAsync(ToolNames.All, cancellationToken).ConfigureAwait(false);
        var toolList = RenderToolList(services.GetRequiredService<IToolPromptSource>(), chat, tools);

        // The fullest call: instructions, memories, the history (a summary and recent turns), this turn's user message,
        // and a tool call with its result per allowed step.
        var messages = instructions.Count + 1 + 1 + 8 + 1 + (2 * options.Agent.MaxSteps);
        var plan = new ContextPlan(
            context,
            instructions.Sum(m => Count(m.Text)),
            Count(toolList),
            options.Memory.Enabled ? options.Memory.RecallTokenBudget : 0,
            (MaxPolicyPassages * (chunkTokens + PassageOverheadTokens)) + options.Agent.ToolExchangeTokens,
            options.Agent.MaxOutputTokens,
            messages * TemplateTokensPerMessage,
            HistoryTokens: 0);
        var history = context - plan.Total;
        if (history < MinimumHistoryTokens)
        {
            var shares = (plan with { HistoryTokens = history }).ToString();
            throw new ContextPlanException(
                string.Create(CultureInfo.InvariantCulture, $"The model's context of {context} tokens ({contextKey}) cannot hold ShopBot's agent: {shares}, ") +
                string.Create(CultureInfo.InvariantCulture, $"and the history needs at least {MinimumHistoryTokens}. Raise {contextKey} (Qwen2.5 models are trained for 32768), ") +
                "or lower ShopBot:Agent:MaxOutputTokens, ShopBot:Agent:ToolExchangeTokens or ShopBot:Memory:RecallTokenBudget.");
        }

        return plan with { HistoryTokens = history };
    }

    /// <summary>A conservative estimate for text without the model's tokenizer: about three characters per token, as JSON and short words tokenize.</summary>
    /// <param name="text">The text.</param>
    /// <returns>Estimated tokens.</returns>
    public static int EstimateTokens(string text) => ((text ?? throw new ArgumentNullException(nameof(text))).Length + 2) / 3;

    private static (int Tokens, string Key) ContextWindow(AgentKitOptions kit, string? modelName, IChatClient chat, AgentOptions agent)
    {
        if (agent.ContextTokens is { } configured)
        {
            return (configured, "ShopBot:Agent:ContextTokens");
        }

        if (chat.GetService(typeof(LlamaModel)) is not LlamaModel model)
        {
            return (DefaultRemoteContextTokens, "ShopBot:Agent:ContextTokens, unset for a model whose window ShopBot cannot read");
        }

        var name = modelName ?? ModelSetup.DefaultModelName;
        var size = kit.Models.TryGetValue(name, out var entry) && entry.ContextSize is { } set ? set : new LlamaContextOptions().ContextSize;
        return (size == 0 ? model.Metadata.TrainingContextLength : size, $"AgentKit:Models:{name}:ContextSize");
    }

    /// <summary>The tool list exactly as the local engine puts it into the system turn; remote servers render a similar list with their template.</summary>
    private static string RenderToolList(IToolPromptSource prompts, IChatClient chat, IReadOnlyList<AIFunction> tools)
    {
        var format = (chat.GetService(typeof(LlamaChatClient)) as LlamaChatClient)?.ToolCallFormat ?? ToolCallFormat.Hermes;
        var file = format switch
        {
            ToolCallFormat.Hermes => "hermes",
            ToolCallFormat.Llama3Json => "llama3",
            _ => "generic",
        };
        return prompts.Render("llama/tools/" + file, new Dictionary<string, object?>
        {
            ["tools"] = tools.Select(t => (object?)new Dictionary<string, object?>
            {
                ["name"] = t.Name,
                ["name_json"] = JsonSerializer.Serialize(t.Name, AIJsonUtilities.DefaultOptions),
                ["description"] = t.Description,
                ["description_json"] = JsonSerializer.Serialize(t.Description, AIJsonUtilities.DefaultOptions),
                ["parameters_json"] = t.JsonSchema.GetRawText(),
            }).ToList(),
            ["tool_choice"] = "auto",
        });
    }
}

/// <summary>ShopBot's configuration leaves the model too little context for its agent; the message says which keys to change.</summary>
public sealed class ContextPlanException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public ContextPlanException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What does not fit and what to change.</param>
    public ContextPlanException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What does not fit and what to change.</param>
    /// <param name="innerException">The cause.</param>
    public ContextPlanException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
