using AgentKit.Abstractions.Text;
using AgentKit.Cost.Usage;
using AgentKit.Prompts;
using Microsoft.Extensions.AI;

namespace AgentKit.Cost.Batching;

/// <summary>A worked example shown once to every question of a batch.</summary>
/// <param name="Question">The question.</param>
/// <param name="Answer">Its answer.</param>
public sealed record FewShotExample(string Question, string Answer);

/// <summary>A batch's answers and what batching saved.</summary>
/// <param name="Answers">One answer per question, in the questions' order.</param>
/// <param name="Calls">Model calls made (batches, plus single retries of questions a batch left unanswered).</param>
/// <param name="PromptTokens">Prompt tokens of the calls made.</param>
/// <param name="UnbatchedPromptTokens">Prompt tokens the same questions would have taken one call each, with the same instructions and examples.</param>
/// <param name="Usage">Tokens the model reported for the calls made.</param>
public sealed record BatchAnswers(IReadOnlyList<string> Answers, int Calls, long PromptTokens, long UnbatchedPromptTokens, UsageDetails Usage)
{
    /// <summary>Prompt tokens saved by sharing the instructions and examples.</summary>
    public long PromptTokensSaved => UnbatchedPromptTokens - PromptTokens;
}

/// <summary>Options of a <see cref="PromptBatcher"/>.</summary>
public sealed class PromptBatcherOptions
{
    private int _maxQuestionsPerCall = 16;
    private int _maxQuestions = 1_000;

    /// <summary>Questions per model call; longer lists are split. Default 16; 1 to 128.</summary>
    public int MaxQuestionsPerCall
    {
        get => _maxQuestionsPerCall;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 128);
            _maxQuestionsPerCall = value;
        }
    }

    /// <summary>Most questions one <see cref="PromptBatcher.AnswerAsync"/> takes. Default 1,000; at least 1.</summary>
    public int MaxQuestions
    {
        get => _maxQuestions;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _maxQuestions = value;
        }
    }

    /// <summary>The prompt. Default <c>cost/batch-answer</c>; another must take the same inputs and answer with the same JSON.</summary>
    public string PromptName { get; set; } = "cost/batch-answer";
}

/// <summary>
/// FrugalGPT's prompt adaptation: answers several independent questions with one call that shares the instructions and
/// few-shot examples, asks for JSON keyed by question id (a schema-constrained answer), and splits it reliably —
/// a question the answer leaves out, or answers twice, is asked again on its own. Counts the prompt tokens saved with
/// the model's <see cref="ITokenCounter"/> (or words when the model offers none).
/// </summary>
public sealed class PromptBatcher
{
    private readonly IChatClient _model;
    private readonly IPromptRegistry _prompts;
    private readonly PromptBatcherOptions _options;

    /// <summary>Creates a batcher.</summary>
    /// <param name="model">The model.</param>
    /// <param name="prompts">Where the prompt file lives.</param>
    /// <param name="options">The options.</param>
    public PromptBatcher(IChatClient model, IPromptRegistry prompts, PromptBatcherOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(prompts);
        _model = model;
        _prompts = prompts;
        _options = options ?? new PromptBatcherOptions();
    }

    /// <summary>Answers <paramref name="questions"/>.</summary>
    /// <param name="questions">Independent questions.</param>
    /// <param name="examples">Worked examples shared by all of them.</param>
    /// <param name="instructions">What every answer must do; <see langword="null"/> for the prompt's default.</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <returns>The answers in order, and the token accounting.</returns>
    /// <exception cref="ArgumentException">No questions, more than <see cref="PromptBatcherOptions.MaxQuestions"/>, or an empty one.</exception>
    /// <exception cref="PromptOutputException">The model's answer to a single question is still not valid JSON after one correction.</exception>
    public async Task<BatchAnswers> AnswerAsync(
        IReadOnlyList<string> questions, IReadOnlyList<FewShotExample>? examples = null, string? instructions = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(questions);
        if (questions.Count == 0 || questions.Count > _options.MaxQuestions)
        {
            throw new ArgumentException($"A batch takes 1 to {_options.MaxQuestions} questions (PromptBatcherOptions.MaxQuestions); got {questions.Count}.", nameof(questions));
        }

        var empty = questions.ToList().FindIndex(string.IsNullOrWhiteSpace);
        if (empty >= 0)
        {
            throw new ArgumentException($"Question {empty} is empty.", nameof(questions));
        }

        var prompt = _prompts.Get(_options.PromptName);
        var counter = _model.GetService<ITokenCounter>();
        var shots = (examples ?? []).Select(e => (object?)new Dictionary<string, object?> { ["question"] = e.Question, ["answer"] = e.Answer }).ToList();
        using var meter = new UsageMeter(_model);
        var answers = new string?[questions.Count];
        long promptTokens = 0, unbatched = 0;
        var calls = 0;

        for (var start = 0; start < questions.Count; start += _options.MaxQuestionsPerCall)
        {
            var ids = Enumerable.Range(start, Math.Min(_options.MaxQuestionsPerCall, questions.Count - start)).ToList();
            var inputs = Inputs(shots, instructions, ids, questions);
            promptTokens += Count(counter, prompt.Render(inputs));
            calls++;
            var reply = await meter.GetStructuredAsync<BatchReply>(prompt, inputs, cancellationToken: cancellationToken).ConfigureAwait(false);

            // Ids the reply answers exactly once, and only those the call asked.
            foreach (var group in (reply.Answers ?? []).GroupBy(a => a.Id).Where(g => g.Count() == 1 && ids.Contains(g.Key - 1)))
            {
                answers[group.Key - 1] = group.Single().Answer;
            }
        }

        for (var i = 0; i < questions.Count; i++)
        {
            var single = Inputs(shots, instructions, [i], questions);
            var tokens = Count(counter, prompt.Render(single));
            unbatched += tokens;
            if (answers[i] is null)
            {
                promptTokens += tokens;
                calls++;
                var reply = await meter.GetStructuredAsync<BatchReply>(prompt, single, cancellationToken: cancellationToken).ConfigureAwait(false);
                // Asked alone, the only answer is this question's whatever id the model gave it.
                answers[i] = reply.Answers is { Count: > 0 } items
                    ? items[0].Answer
                    : throw new PromptOutputException($"The model's answer to question {i + 1} on its own holds no answer.");
            }
        }

        return new BatchAnswers([.. answers.Select(a => a!)], calls, promptTokens, unbatched, meter.Total);
    }

    private static Dictionary<string, object?> Inputs(List<object?> shots, string? instructions, IEnumerable<int> ids, IReadOnlyList<string> questions)
    {
        var inputs = new Dictionary<string, object?>
        {
            ["examples"] = shots,
            ["questions"] = ids.Select(i => (object?)new Dictionary<string, object?> { ["id"] = i + 1, ["text"] = questions[i] }).ToList(),
        };
        if (instructions is not null)
        {
            inputs["instructions"] = instructions;
        }

        return inputs;
    }

    private static long Count(ITokenCounter? counter, IList<ChatMessage> messages) =>
        messages.Sum(m => (long)(counter?.CountTokens(m.Text) ?? WordTokenizer.Words(m.Text).Count()));

    internal sealed record BatchReply(IReadOnlyList<BatchItem>? Answers);

    internal sealed record BatchItem(int Id, string Answer);
}
