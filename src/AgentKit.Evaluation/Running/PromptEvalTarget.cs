using AgentKit.Evaluation.Datasets;
using AgentKit.Evaluation.Expectations;
using AgentKit.Prompts;
using Microsoft.Extensions.AI;

namespace AgentKit.Evaluation.Running;

/// <summary>
/// A prompt file on a model: the case's <c>inputs</c> render the prompt; a user message fills the prompt's
/// <c>input</c> variable when it has one, and is appended as a user message otherwise (later turns always are).
/// </summary>
/// <param name="prompt">The prompt file.</param>
/// <param name="model">The model.</param>
public sealed class PromptEvalTarget(PromptTemplate prompt, IChatClient model) : IEvalTarget
{
    /// <summary>The prompt variable a case's message fills, when the prompt declares it.</summary>
    public const string InputVariable = "input";

    /// <inheritdoc/>
    public string Name => $"prompt {prompt.Name}";

    /// <inheritdoc/>
    public ValueTask<IEvalSession> StartAsync(EvalCase evalCase, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(evalCase);
        return ValueTask.FromResult<IEvalSession>(new Session(prompt, model, evalCase));
    }

    /// <summary>The messages a case's first turn sends: the prompt rendered with the case's inputs, and the user's message.</summary>
    internal static List<ChatMessage> RenderFirstTurn(PromptTemplate prompt, EvalCase evalCase, string? userMessage)
    {
        var inputs = new Dictionary<string, object?>(evalCase.Inputs, StringComparer.Ordinal);
        var fillsInput = userMessage is not null && prompt.Inputs.ContainsKey(InputVariable) && !inputs.ContainsKey(InputVariable);
        if (fillsInput)
        {
            inputs[InputVariable] = userMessage;
        }

        var messages = new List<ChatMessage>(prompt.Render(inputs));
        if (userMessage is not null && !fillsInput)
        {
            messages.Add(new ChatMessage(ChatRole.User, userMessage));
        }

        return messages;
    }

    private sealed class Session(PromptTemplate prompt, IChatClient model, EvalCase evalCase) : IEvalSession
    {
        private readonly List<ChatMessage> _conversation = [];

        public async Task<EvalTurn> SendAsync(string? userMessage, CancellationToken cancellationToken)
        {
            var added = new List<ChatMessage>();
            if (_conversation.Count == 0)
            {
                added.AddRange(RenderFirstTurn(prompt, evalCase, userMessage));
            }
            else if (userMessage is not null)
            {
                added.Add(new ChatMessage(ChatRole.User, userMessage));
            }

            _conversation.AddRange(added);
            var response = await model.GetResponseAsync(_conversation, prompt.CreateChatOptions(), cancellationToken).ConfigureAwait(false);
            _conversation.AddRange(response.Messages);
            added.AddRange(response.Messages);
            return new EvalTurn(added, response.Text);
        }

        public ValueTask<ExpectationResult> CheckEndStateAsync(EndStateCheck check, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new ExpectationResult(check.ToString(), false, "a prompt target has no end state to check; use 'expect'."));

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
