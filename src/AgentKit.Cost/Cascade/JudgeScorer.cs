using System.Text;
using AgentKit.Cost.Usage;
using AgentKit.Prompts;
using Microsoft.Extensions.AI;

namespace AgentKit.Cost.Cascade;

/// <summary>
/// Scores an answer with an LLM judge: the prompt file <c>cost/judge-answer</c> (or another with the same inputs and
/// an integer <c>score</c> from 0 to 10) asks a judge model how likely the answer is right.
/// </summary>
public sealed class JudgeScorer : ICascadeScorer
{
    /// <summary>The default prompt's name.</summary>
    public const string DefaultPromptName = "cost/judge-answer";

    private readonly IChatClient _judge;
    private readonly IPromptRegistry _prompts;
    private readonly string _promptName;
    private readonly ModelPrice? _judgePrice;

    /// <summary>Creates a judge.</summary>
    /// <param name="judge">The judge model.</param>
    /// <param name="prompts">Where the prompt file lives.</param>
    /// <param name="promptName">The prompt. Default <see cref="DefaultPromptName"/>.</param>
    /// <param name="judgePrice">The judge's price; <see langword="null"/> bills its tokens at the judged step's price.</param>
    public JudgeScorer(IChatClient judge, IPromptRegistry prompts, string promptName = DefaultPromptName, ModelPrice? judgePrice = null)
    {
        ArgumentNullException.ThrowIfNull(judge);
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentException.ThrowIfNullOrWhiteSpace(promptName);
        _judge = judge;
        _prompts = prompts;
        _promptName = promptName;
        _judgePrice = judgePrice;
    }

    /// <inheritdoc/>
    public async Task<CascadeScore> ScoreAsync(CascadeScoringRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var transcript = new StringBuilder();
        foreach (var message in request.Messages)
        {
            if (message.Text is { Length: > 0 } text)
            {
                transcript.Append(message.Role.Value).Append(": ").AppendLine(text);
            }
        }

        using var meter = new UsageMeter(_judge);
        var verdict = await meter.GetStructuredAsync<JudgeVerdict>(
            _prompts.Get(_promptName),
            new Dictionary<string, object?> { ["request"] = transcript.ToString(), ["answer"] = request.Response.Text },
            cancellationToken: cancellationToken).ConfigureAwait(false);
        var usage = meter.Total;
        return new CascadeScore(Math.Clamp(verdict.Score / 10.0, 0, 1), _judgePrice is null ? usage : null, _judgePrice?.CostOf(usage));
    }

    internal sealed record JudgeVerdict(string Reasoning, int Score);
}
