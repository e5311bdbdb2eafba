using Microsoft.Extensions.AI;

namespace AgentKit.Planning;

/// <summary>Options of <see cref="CritiquePlanner"/>; the answer, revision and budget settings (shared by answerer and critic) are <see cref="ReviewOptions"/>'.</summary>
public sealed record CritiqueOptions : ReviewOptions
{
    /// <summary>
    /// The keyed <see cref="IChatClient"/> service the critic runs on when the planner is selected by name
    /// (<see cref="IPlanner"/>); checked at start. Default: none (the answerer's client, in the critic's role).
    /// </summary>
    public string? CriticModel { get; init; }

    /// <summary>The critic's prompt (structured <c>{accept, feedback}</c>). Default: <c>planning/critique</c>.</summary>
    public string CriticPrompt { get; init; } = "planning/critique";

    internal override void Validate()
    {
        base.Validate();
        if (CriticModel is { } key && string.IsNullOrWhiteSpace(key))
        {
            throw new ArgumentException("CritiqueOptions.CriticModel must name a keyed chat client (or be null for the answerer's).", nameof(CriticModel));
        }
    }
}
