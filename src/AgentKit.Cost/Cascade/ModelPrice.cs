using Microsoft.Extensions.AI;

namespace AgentKit.Cost.Cascade;

/// <summary>What a model's tokens cost, in any currency unit the application chooses, per million tokens.</summary>
/// <param name="InputPerMillionTokens">Price of a million input (prompt) tokens.</param>
/// <param name="OutputPerMillionTokens">Price of a million output tokens.</param>
public sealed record ModelPrice(decimal InputPerMillionTokens, decimal OutputPerMillionTokens)
{
    /// <summary>A model that costs nothing (a cache, a rule).</summary>
    public static ModelPrice Free { get; } = new(0, 0);

    /// <summary>The cost of <paramref name="usage"/>; 0 when unknown.</summary>
    /// <param name="usage">The tokens used.</param>
    /// <returns>The cost.</returns>
    public decimal CostOf(UsageDetails? usage) =>
        usage is null ? 0 : ((usage.InputTokenCount ?? 0) * InputPerMillionTokens + (usage.OutputTokenCount ?? 0) * OutputPerMillionTokens) / 1_000_000m;
}
