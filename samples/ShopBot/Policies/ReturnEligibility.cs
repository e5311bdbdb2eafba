using System.Text.Json.Serialization;
using ShopBot.Data;

namespace ShopBot.Policies;

/// <summary>The condition a customer declares for an item going back.</summary>
public enum ItemCondition
{
    /// <summary>Unused, in its original packaging or with its tags on.</summary>
    Unused,

    /// <summary>Tried on or unpacked, but not worn or used, tags still attached.</summary>
    TriedOn,

    /// <summary>Worn, washed or used.</summary>
    Used,

    /// <summary>Damaged after delivery.</summary>
    Damaged,

    /// <summary>Faulty or damaged on arrival.</summary>
    Defective,
}

/// <summary>The verdict for one order line.</summary>
/// <param name="LineNumber">The order line.</param>
/// <param name="Product">The product's name.</param>
/// <param name="Eligible">Whether it can be returned.</param>
/// <param name="Reason">A short code: <c>eligible</c>, <c>not_delivered</c>, <c>window_expired</c>, <c>non_returnable_category</c>, <c>condition_not_accepted</c>, <c>already_returned</c>, <c>quantity_exceeded</c>.</param>
/// <param name="Explanation">One sentence for the customer.</param>
/// <param name="PolicyReference">The policy section the rule comes from, to cite.</param>
/// <param name="ReturnableQuantity">How many of the line can still go back.</param>
public sealed record LineEligibility(
    [property: JsonPropertyName("line_number")] int LineNumber,
    [property: JsonPropertyName("product")] string Product,
    [property: JsonPropertyName("eligible")] bool Eligible,
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("explanation")] string Explanation,
    [property: JsonPropertyName("policy_reference")] string PolicyReference,
    [property: JsonPropertyName("returnable_quantity")] int ReturnableQuantity);

/// <summary>
/// The return rules, in code: the model may explain them, but only this decides. Window from the delivery date,
/// non-returnable categories, the item's condition, and quantities already returned.
/// </summary>
/// <param name="options">The rule parameters.</param>
public sealed class ReturnEligibility(ReturnPolicyOptions options)
{
    /// <summary>Where the window rule is written.</summary>
    public const string WindowSection = "return-policy.md § Return window";

    /// <summary>Where the category rule is written.</summary>
    public const string CategorySection = "return-policy.md § Items that cannot be returned";

    /// <summary>Where the condition rule is written.</summary>
    public const string ConditionSection = "return-policy.md § Condition of returned items";

    /// <summary>The window's last day for an order, or null when it has not been delivered.</summary>
    /// <param name="order">The order.</param>
    /// <returns>The last moment a return can be started.</returns>
    public DateTimeOffset? WindowEnd(ShopOrder order)
    {
        ArgumentNullException.ThrowIfNull(order);
        return order.DeliveredAt?.AddDays(options.WindowDays);
    }

    /// <summary>Decides whether a line can go back.</summary>
    /// <param name="order">The order.</param>
    /// <param name="line">The line.</param>
    /// <param name="condition">The declared condition.</param>
    /// <param name="quantity">How many items; null for all that can still go back.</param>
    /// <param name="alreadyReturned">Items of the line already in open returns.</param>
    /// <param name="now">The time.</param>
    /// <returns>The verdict.</returns>
    public LineEligibility Evaluate(ShopOrder order, OrderLine line, ItemCondition condition, int? quantity, int alreadyReturned, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(line);
        var remaining = Math.Max(0, line.Quantity - alreadyReturned);
        LineEligibility Verdict(bool ok, string reason, string explanation, string section) =>
            new(line.LineNumber, line.ProductName, ok, reason, explanation, section, ok ? remaining : 0);

        if (!line.CategoryReturnable || options.NonReturnableCategories.Contains(line.CategoryCode, StringComparer.OrdinalIgnoreCase))
        {
            return condition == ItemCondition.Defective
                ? Verdict(false, "non_returnable_category", $"{line.CategoryName} cannot be returned; a faulty item is handled by our support team as a warranty claim.", CategorySection)
                : Verdict(false, "non_returnable_category", $"{line.CategoryName} cannot be returned for hygiene or legal reasons.", CategorySection);
        }

        if (order.DeliveredAt is not { } delivered)
        {
            return Verdict(false, "not_delivered", "The order has not been delivered yet; a return can be started once it has arrived.", WindowSection);
        }

        var end = delivered.AddDays(options.WindowDays);
        if (now > end)
        {
            var days = (int)Math.Floor((now - delivered).TotalDays);
            return Verdict(false, "window_expired", $"It was delivered {days} days ago; returns are accepted within {options.WindowDays} days of delivery (the window closed on {end:yyyy-MM-dd}).", WindowSection);
        }

        if (condition is ItemCondition.Used or ItemCondition.Damaged)
        {
            return Verdict(false, "condition_not_accepted", "Items must come back unused (tried on is fine, with tags attached); worn, washed or damaged items cannot be returned.", ConditionSection);
        }

        if (remaining == 0)
        {
            return Verdict(false, "already_returned", "Every item of this line is already part of a return.", WindowSection);
        }

        if (quantity is { } wanted && (wanted < 1 || wanted > remaining))
        {
            return Verdict(false, "quantity_exceeded", $"Only {remaining} item(s) of this line can be returned.", WindowSection);
        }

        return Verdict(true, "eligible", $"Can be returned until {end:yyyy-MM-dd}.", condition == ItemCondition.Defective ? ConditionSection : WindowSection);
    }

    /// <summary>The name the tools use for a condition (<c>tried_on</c>).</summary>
    /// <param name="condition">The condition.</param>
    /// <returns>The name.</returns>
    public static string ConditionName(ItemCondition condition) => condition switch
    {
        ItemCondition.TriedOn => "tried_on",
        _ => condition.ToString().ToLowerInvariant(),
    };

    /// <summary>Parses the condition names the tools accept (<c>unused</c>, <c>tried_on</c>, <c>used</c>, <c>damaged</c>, <c>defective</c>).</summary>
    /// <param name="text">The text.</param>
    /// <param name="condition">The condition.</param>
    /// <returns>Whether it parsed.</returns>
    public static bool TryParseCondition(string? text, out ItemCondition condition)
    {
        condition = default;
        var normalized = (text ?? string.Empty).Trim().Replace("_", string.Empty, StringComparison.Ordinal).Replace("-", string.Empty, StringComparison.Ordinal).Replace(" ", string.Empty, StringComparison.Ordinal);
        return normalized.Length > 0 && !normalized.All(char.IsDigit) && Enum.TryParse(normalized, ignoreCase: true, out condition);
    }
}
