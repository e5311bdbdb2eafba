using AgentKit.Abstractions.Tools;

namespace ShopBot.Tools;

/// <summary>
/// What a resumed run may do with a ShopBot tool call that was interrupted by a crash before its result was
/// recorded (see docs/agents.md, "Durable runs").
/// </summary>
internal static class ToolPolicies
{
    public static void Apply(ToolPipelineOptions options)
    {
        // Reads, and writes that find their own earlier effect (an existing return, an already verified customer).
        foreach (var name in new[] { ToolNames.LookupOrder, ToolNames.VerifyCustomer, ToolNames.CheckEligibility, ToolNames.CreateReturn, ToolNames.SearchPolicies })
        {
            Declare(options, name, ToolIdempotency.Idempotent);
        }

        // The carrier deduplicates label requests by their Idempotency-Key (the RMA), so a repeat returns the same label.
        Declare(options, ToolNames.RequestLabel, ToolIdempotency.IdempotencyKey);

        // An e-mail sent twice and a second ticket are visible to the customer: a person decides.
        Declare(options, ToolNames.EmailLabel, ToolIdempotency.NotIdempotent);
        Declare(options, ToolNames.Escalate, ToolIdempotency.NotIdempotent);
    }

    private static void Declare(ToolPipelineOptions options, string tool, ToolIdempotency idempotency) =>
        options.Policies[tool] = (options.Policies.TryGetValue(tool, out var policy) ? policy : new ToolPolicy()) with { Idempotency = idempotency };
}
