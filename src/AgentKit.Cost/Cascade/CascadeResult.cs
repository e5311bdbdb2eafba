using Microsoft.Extensions.AI;

namespace AgentKit.Cost.Cascade;

/// <summary>One model's turn in a cascade.</summary>
/// <param name="Model">The step's name.</param>
/// <param name="Score">Its scorer's verdict, or <see langword="null"/> for the last step (not scored).</param>
/// <param name="Accepted">Whether its answer was taken.</param>
/// <param name="Usage">Tokens of the answer and of its scoring.</param>
/// <param name="Cost">Their cost at the step's price.</param>
public sealed record CascadeAttempt(string Model, double? Score, bool Accepted, UsageDetails Usage, decimal Cost);

/// <summary>A cascade's answer: which model gave it, every step's score and the total cost.</summary>
/// <param name="Response">The accepted answer.</param>
/// <param name="AnsweredBy">The model that gave it.</param>
/// <param name="Attempts">Every step run, in order.</param>
public sealed record CascadeResult(ChatResponse Response, string AnsweredBy, IReadOnlyList<CascadeAttempt> Attempts)
{
    /// <summary>The property of a cascade's <see cref="ChatResponse"/> that holds this result.</summary>
    public const string ResponsePropertyKey = "agentkit.cascade";

    /// <summary>Total cost of every step.</summary>
    public decimal Cost => Attempts.Sum(a => a.Cost);
}
