using System.ComponentModel;
using Microsoft.SemanticKernel;
using ShopBot.Data;
using ShopBot.Policies;

namespace ShopBot.Tools;

/// <summary>Return eligibility and creation (tools <c>returns_check_return_eligibility</c>, <c>returns_create_return</c>).</summary>
/// <param name="orders">Order lookups.</param>
/// <param name="returns">Return requests.</param>
/// <param name="guard">Session, verification, audit.</param>
/// <param name="eligibility">The rules.</param>
public sealed class ReturnsPlugin(OrderStore orders, ReturnStore returns, ShopGuard guard, ReturnEligibility eligibility)
{
    /// <summary>Checks which lines of a verified order can be returned in the declared condition.</summary>
    /// <param name="orderNumber">The order.</param>
    /// <param name="condition">The items' condition.</param>
    /// <param name="lineNumbers">The lines to check; all when empty.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>The verdict per line.</returns>
    [KernelFunction("check_return_eligibility")]
    [Description("Checks whether items of a verified order can be returned: the return window from the delivery date, non-returnable categories (underwear, swimwear, gift cards) and the items' condition. The verdict is binding; explain it with the policy references it gives.")]
    public async Task<EligibilityResult> CheckReturnEligibilityAsync(
        [Description("The order number.")] string orderNumber,
        [Description("The items' condition: unused, tried_on, used, damaged or defective.")] string condition,
        [Description("The order line numbers to check; leave empty to check every line.")] int[]? lineNumbers = null,
        CancellationToken cancellationToken = default)
    {
        var (order, refusal) = await guard.RequireVerifiedOrderAsync(ToolNames.CheckEligibility, orderNumber, cancellationToken).ConfigureAwait(false);
        if (order is null)
        {
            return new EligibilityResult(orderNumber, false, [], refusal!);
        }

        if (!ReturnEligibility.TryParseCondition(condition, out var parsed))
        {
            await guard.AuditAsync(ToolNames.CheckEligibility, order.OrderNumber, AuditOutcome.Refused, "invalid_condition", condition, cancellationToken).ConfigureAwait(false);
            return new EligibilityResult(order.OrderNumber, false, [], $"Unknown condition '{condition}'. Ask the customer and use one of: unused, tried_on, used, damaged, defective.");
        }

        var (lines, unknown) = SelectLines(order, lineNumbers);
        if (unknown.Count > 0)
        {
            return new EligibilityResult(order.OrderNumber, false, [], $"Order {order.OrderNumber} has no line(s) {string.Join(", ", unknown)}; its lines are 1 to {order.Lines.Count}.");
        }

        var returned = await orders.GetReturnedQuantitiesAsync(order.Id, cancellationToken).ConfigureAwait(false);
        var verdicts = lines.Select(l => eligibility.Evaluate(order, l, parsed, null, returned.GetValueOrDefault(l.Id), guard.Now)).ToList();
        var any = verdicts.Any(v => v.Eligible);
        await guard.AuditAsync(ToolNames.CheckEligibility, order.OrderNumber, AuditOutcome.Allowed, any ? "eligible" : "not_eligible",
            string.Join("; ", verdicts.Select(v => $"line {v.LineNumber}: {v.Reason}")), cancellationToken).ConfigureAwait(false);
        var message = any
            ? "Lines marked eligible can be returned; returns_create_return registers them. Explain any others with their policy reference."
            : "Nothing in this request can be returned. Explain why with the policy references, and offer support_escalate_to_human if the customer disagrees or the item is faulty.";
        return new EligibilityResult(order.OrderNumber, any, verdicts, message);
    }

    /// <summary>Registers a return (RMA) for eligible lines; the same lines again give the same RMA.</summary>
    /// <param name="orderNumber">The order.</param>
    /// <param name="lineNumbers">The lines going back.</param>
    /// <param name="condition">Their condition.</param>
    /// <param name="reason">Why they go back.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The RMA, or why not.</returns>
    [KernelFunction("create_return")]
    [Description("Registers a return (RMA) for lines of a verified order after the customer confirmed which items go back and why. Every line must be eligible; calling it again for the same lines returns the same RMA.")]
    public async Task<ActionResult> CreateReturnAsync(
        [Description("The order number.")] string orderNumber,
        [Description("The order line numbers going back (every remaining item of each line).")] int[] lineNumbers,
        [Description("The items' condition: unused, tried_on, used, damaged or defective.")] string condition,
        [Description("The customer's reason, in a few words (e.g. 'too small').")] string reason,
        CancellationToken cancellationToken = default)
    {
        var (order, refusal) = await guard.RequireVerifiedOrderAsync(ToolNames.CreateReturn, orderNumber, cancellationToken).ConfigureAwait(false);
        if (order is null)
        {
            return ActionResult.Refused(refusal!);
        }

        if (!ReturnEligibility.TryParseCondition(condition, out var parsed) || lineNumbers is not { Length: > 0 } || string.IsNullOrWhiteSpace(reason))
        {
            await guard.AuditAsync(ToolNames.CreateReturn, order.OrderNumber, AuditOutcome.Refused, "invalid_request", $"condition '{condition}', lines [{string.Join(",", lineNumbers ?? [])}]", cancellationToken).ConfigureAwait(false);
            return ActionResult.Refused("Refused: give at least one line number, a condition (unused, tried_on, used, damaged, defective) and the customer's reason.");
        }

        var (lines, unknown) = SelectLines(order, lineNumbers);
        if (unknown.Count > 0)
        {
            await guard.AuditAsync(ToolNames.CreateReturn, order.OrderNumber, AuditOutcome.Refused, "unknown_line", string.Join(",", unknown), cancellationToken).ConfigureAwait(false);
            return ActionResult.Refused($"Refused: order {order.OrderNumber} has no line(s) {string.Join(", ", unknown)}.");
        }

        // Idempotency first: the lines of an existing return count as "already returned" for the rules below.
        var wanted = lines.Select(l => l.LineNumber).ToHashSet();
        var existing = (await returns.ListForOrderAsync(order.Id, cancellationToken).ConfigureAwait(false))
            .FirstOrDefault(r => r.Status != "cancelled" && r.Lines.Select(l => l.LineNumber).ToHashSet().SetEquals(wanted));
        if (existing is not null)
        {
            await guard.AuditAsync(ToolNames.CreateReturn, order.OrderNumber, AuditOutcome.Allowed, "existing_return", existing.Rma, cancellationToken).ConfigureAwait(false);
            return new ActionResult("ok", $"Return {existing.Rma} already covers these items; nothing new was created.", existing.Rma, existing.Label?.TrackingNumber, existing.Label?.LabelUrl.ToString());
        }

        var returned = await orders.GetReturnedQuantitiesAsync(order.Id, cancellationToken).ConfigureAwait(false);
        var verdicts = lines.Select(l => (Line: l, Verdict: eligibility.Evaluate(order, l, parsed, null, returned.GetValueOrDefault(l.Id), guard.Now))).ToList();
        var refused = verdicts.Where(v => !v.Verdict.Eligible).ToList();
        if (refused.Count > 0)
        {
            var why = string.Join(" ", refused.Select(v => $"Line {v.Line.LineNumber} ({v.Line.ProductName}): {v.Verdict.Explanation} [{v.Verdict.PolicyReference}]"));
            await guard.AuditAsync(ToolNames.CreateReturn, order.OrderNumber, AuditOutcome.Refused, "not_eligible", string.Join("; ", refused.Select(v => $"line {v.Line.LineNumber}: {v.Verdict.Reason}")), cancellationToken).ConfigureAwait(false);
            return ActionResult.Refused($"Refused: {why}");
        }

        var returnLines = verdicts.Select(v => new ReturnLine(v.Line.Id, v.Line.LineNumber, v.Verdict.ReturnableQuantity, ReturnEligibility.ConditionName(parsed))).ToList();
        var (created, _) = await returns.CreateAsync(order, returnLines, reason.Trim(), ShopGuard.CurrentSessionId, guard.Now, cancellationToken).ConfigureAwait(false);
        await guard.AuditAsync(ToolNames.CreateReturn, order.OrderNumber, AuditOutcome.Allowed, "created", created.Rma, cancellationToken).ConfigureAwait(false);
        return new ActionResult("ok", $"Return {created.Rma} is registered for line(s) {string.Join(", ", created.Lines.Select(l => l.LineNumber))}. Next: shipping_request_return_label.", created.Rma);
    }

    private static (List<OrderLine> Lines, List<int> Unknown) SelectLines(ShopOrder order, int[]? lineNumbers)
    {
        if (lineNumbers is not { Length: > 0 })
        {
            return ([.. order.Lines], []);
        }

        var byNumber = order.Lines.ToDictionary(l => l.LineNumber);
        var distinct = lineNumbers.Distinct().ToList();
        return ([.. distinct.Where(byNumber.ContainsKey).Select(n => byNumber[n])], [.. distinct.Where(n => !byNumber.ContainsKey(n))]);
    }
}
