using AgentKit.Abstractions.Tools;

namespace ShopBot.Tools;

/// <summary>
/// ShopBot's tool policies: what a resumed run may do with a tool call that was interrupted by a crash before its
/// result was recorded (see docs/agents.md, "Durable runs"), and each tool's activity in plain words for the web chat.
/// </summary>
internal static class ToolPolicies
{
    public static void Apply(ToolPipelineOptions options)
    {
        // What the web chat shows the customer while each tool runs and once it succeeded.
        Describe(options, ToolNames.LookupOrder, "Looking up your order…", "Order found");
        Describe(options, ToolNames.VerifyCustomer, "Checking your e-mail address…", "E-mail address checked");
        Describe(options, ToolNames.CheckEligibility, "Checking what can be returned…", "Return options checked");
        Describe(options, ToolNames.CreateReturn, "Registering your return…", "Return registered");
        Describe(options, ToolNames.RequestLabel, "Getting your return label…", "Label ready");
        Describe(options, ToolNames.EmailLabel, "E-mailing your label…", "Label sent");
        Describe(options, ToolNames.Escalate, "Handing over to a colleague…", "A colleague will get back to you");
        Describe(options, ToolNames.SearchPolicies, "Reading our return policy…", "Policy checked");

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

    private static void Describe(ToolPipelineOptions options, string tool, string running, string completed) =>
        options.Policies[tool] = (options.Policies.TryGetValue(tool, out var policy) ? policy : new ToolPolicy()) with { Activity = running, Completed = completed };

    private static void Declare(ToolPipelineOptions options, string tool, ToolIdempotency idempotency) =>
        options.Policies[tool] = (options.Policies.TryGetValue(tool, out var policy) ? policy : new ToolPolicy()) with { Idempotency = idempotency };
}
