using System.ComponentModel;
using Microsoft.SemanticKernel;
using ShopBot.Data;

namespace ShopBot.Tools;

/// <summary>Hand-over to the human team (tool <c>support_escalate_to_human</c>).</summary>
/// <param name="orders">Order lookups.</param>
/// <param name="support">Tickets.</param>
/// <param name="guard">Session and audit.</param>
public sealed class SupportPlugin(OrderStore orders, SupportStore support, ShopGuard guard)
{
    /// <summary>Opens a ticket for a human colleague.</summary>
    /// <param name="reason">Why, in a few words.</param>
    /// <param name="summary">What the customer needs.</param>
    /// <param name="orderNumber">The order concerned, if any.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The ticket number.</returns>
    [KernelFunction("escalate_to_human")]
    [Description("Hands the conversation over to a human colleague by opening a support ticket: use it when you cannot help (locked verification, a faulty non-returnable item, a complaint, anything outside returns). Tell the customer the ticket number.")]
    public async Task<ActionResult> EscalateToHumanAsync(
        [Description("Why, in a few words (e.g. 'verification locked', 'faulty item').")] string reason,
        [Description("What the customer needs, in one or two sentences.")] string summary,
        [Description("The order number, if one is concerned.")] string? orderNumber = null,
        CancellationToken cancellationToken = default)
    {
        var order = string.IsNullOrWhiteSpace(orderNumber) ? null : await orders.FindAsync(orderNumber, cancellationToken).ConfigureAwait(false);
        var ticket = await support.CreateTicketAsync(ShopGuard.CurrentSessionId, order, reason.Trim(), summary.Trim(), guard.Now, cancellationToken).ConfigureAwait(false);
        await guard.AuditAsync(ToolNames.Escalate, order?.OrderNumber ?? orderNumber, AuditOutcome.Allowed, "ticket_opened", ticket.TicketNumber, cancellationToken).ConfigureAwait(false);
        return new ActionResult("ok", $"Ticket {ticket.TicketNumber} is open; a colleague will reply by e-mail within one business day.", TicketNumber: ticket.TicketNumber);
    }
}
