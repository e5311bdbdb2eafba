using System.ComponentModel;
using Microsoft.SemanticKernel;
using ShopBot.Data;
using ShopBot.Policies;

namespace ShopBot.Tools;

/// <summary>Order lookup and customer verification (tools <c>orders_lookup_order</c>, <c>orders_verify_customer</c>).</summary>
/// <param name="orders">Order lookups.</param>
/// <param name="returns">Existing returns.</param>
/// <param name="support">Verification attempts.</param>
/// <param name="guard">Session, verification, audit.</param>
/// <param name="eligibility">The return window.</param>
/// <param name="options">Attempt limits.</param>
public sealed class OrdersPlugin(OrderStore orders, ReturnStore returns, SupportStore support, ShopGuard guard, ReturnEligibility eligibility, VerificationOptions options)
{
    /// <summary>Looks an order up. Until the session verified the customer, only says whether the order exists.</summary>
    /// <param name="orderNumber">The order number.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>What the session may see.</returns>
    [KernelFunction("lookup_order")]
    [Description("Looks up an order by its number (like SB-10421). Before the customer is verified for that order it only says whether the order exists; after orders_verify_customer succeeded it returns the order's status, delivery date, lines (line numbers, products, categories) and existing returns.")]
    public async Task<OrderLookupResult> LookupOrderAsync(
        [Description("The order number, e.g. SB-10421.")] string orderNumber,
        CancellationToken cancellationToken = default)
    {
        var order = await orders.FindAsync(orderNumber, cancellationToken).ConfigureAwait(false);
        if (order is null)
        {
            await guard.AuditAsync(ToolNames.LookupOrder, orderNumber, AuditOutcome.Allowed, "not_found", cancellationToken: cancellationToken).ConfigureAwait(false);
            return new OrderLookupResult(false, false, $"No order '{orderNumber}' exists. Ask the customer to check the number (it looks like SB-10421).", null);
        }

        if (!await guard.IsVerifiedAsync(order, cancellationToken).ConfigureAwait(false))
        {
            await guard.AuditAsync(ToolNames.LookupOrder, order.OrderNumber, AuditOutcome.Allowed, "found_unverified", "Only existence disclosed.", cancellationToken).ConfigureAwait(false);
            return new OrderLookupResult(true, false, $"Order {order.OrderNumber} exists. Its details are shown only after the customer is verified: ask for the e-mail address used for the order and call orders_verify_customer.", null);
        }

        var existing = await returns.ListForOrderAsync(order.Id, cancellationToken).ConfigureAwait(false);
        await guard.AuditAsync(ToolNames.LookupOrder, order.OrderNumber, AuditOutcome.Allowed, "details_shown", cancellationToken: cancellationToken).ConfigureAwait(false);
        var details = new OrderDetails(
            order.OrderNumber,
            order.Status,
            order.Customer.Name,
            order.PlacedAt.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            order.DeliveredAt?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            eligibility.WindowEnd(order)?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            [.. order.Lines.Select(l => new OrderLineDetails(l.LineNumber, l.ProductName, l.CategoryName, l.Quantity, l.UnitPriceCents / 100m))],
            [.. existing.Select(r => new ExistingReturn(r.Rma, r.Status, [.. r.Lines.Select(l => l.LineNumber)], r.Label?.TrackingNumber))]);
        return new OrderLookupResult(true, true, $"Order {order.OrderNumber} ({order.Status}).", details);
    }

    /// <summary>Verifies the customer by the e-mail address on the order; limited attempts per session and per order.</summary>
    /// <param name="orderNumber">The order number.</param>
    /// <param name="email">The address the customer gave.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>Whether the customer is verified for the order.</returns>
    [KernelFunction("verify_customer")]
    [Description("Verifies that the person in this conversation owns the order: the e-mail address they give must match the one on the order. Attempts are limited; after too many wrong addresses the conversation is locked out of verification. Never guess or suggest an address.")]
    public async Task<VerificationResult> VerifyCustomerAsync(
        [Description("The order number.")] string orderNumber,
        [Description("The e-mail address exactly as the customer wrote it.")] string email,
        CancellationToken cancellationToken = default)
    {
        var session = ShopGuard.CurrentSessionId;
        var requester = await guard.CurrentRequesterAsync(cancellationToken).ConfigureAwait(false);
        var now = guard.Now;
        var (sessionFailures, orderFailures) = await support.CountFailedAttemptsAsync(session, requester, orderNumber, now - options.OrderLockoutWindow, cancellationToken).ConfigureAwait(false);
        if (sessionFailures >= options.MaxFailedAttemptsPerSession)
        {
            await guard.AuditAsync(ToolNames.VerifyCustomer, orderNumber, AuditOutcome.Refused, "session_locked_out", $"{sessionFailures} failed attempts in this session.", cancellationToken).ConfigureAwait(false);
            return new VerificationResult(false, 0, "Refused: too many wrong e-mail addresses in this conversation; verification is locked. Offer to hand over to a human colleague (support_escalate_to_human).");
        }

        if (orderFailures >= options.MaxFailedAttemptsPerOrder)
        {
            await guard.AuditAsync(ToolNames.VerifyCustomer, orderNumber, AuditOutcome.Refused, "order_locked_out", $"{orderFailures} failed attempts by this requester for this order recently.", cancellationToken).ConfigureAwait(false);
            return new VerificationResult(false, 0, "Refused: too many failed verification attempts for this order from you recently; verification of it is locked for now. Offer to hand over to a human colleague (support_escalate_to_human).");
        }

        var order = await orders.FindAsync(orderNumber, cancellationToken).ConfigureAwait(false);
        var matches = order is not null && string.Equals(order.Customer.Email.Trim(), email.Trim(), StringComparison.OrdinalIgnoreCase);
        await support.RecordAttemptAsync(session, requester, orderNumber, matches ? order!.Id : null, now, cancellationToken).ConfigureAwait(false);
        if (matches)
        {
            await guard.AuditAsync(ToolNames.VerifyCustomer, order!.OrderNumber, AuditOutcome.Allowed, "verified", cancellationToken: cancellationToken).ConfigureAwait(false);
            return new VerificationResult(true, options.MaxFailedAttemptsPerSession - sessionFailures, $"Verified: the customer owns order {order.OrderNumber}. Call orders_lookup_order to see its details.");
        }

        var left = Math.Max(0, options.MaxFailedAttemptsPerSession - sessionFailures - 1);
        await guard.AuditAsync(ToolNames.VerifyCustomer, orderNumber, AuditOutcome.Refused, order is null ? "order_not_found" : "email_mismatch", $"{left} attempt(s) left.", cancellationToken).ConfigureAwait(false);
        return new VerificationResult(false, left, left > 0
            ? $"Not verified: that e-mail address does not match order {orderNumber}. {left} attempt(s) left. Do not reveal or guess the address."
            : "Not verified, and no attempts are left: verification is now locked for this conversation. Offer to hand over to a human colleague (support_escalate_to_human).");
    }
}
