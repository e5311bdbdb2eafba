namespace ShopBot.Data;

/// <summary>A customer as the order database holds them.</summary>
/// <param name="Id">The id.</param>
/// <param name="Name">Full name.</param>
/// <param name="Email">The e-mail address on the account: the only address labels are sent to.</param>
/// <param name="Street">Street and number.</param>
/// <param name="PostalCode">Postal code.</param>
/// <param name="City">City.</param>
/// <param name="Country">ISO country code.</param>
public sealed record ShopCustomer(long Id, string Name, string Email, string Street, string PostalCode, string City, string Country);

/// <summary>One line of an order.</summary>
/// <param name="Id">The line's database id.</param>
/// <param name="LineNumber">The line's number within the order, from 1 (what customers and the model refer to).</param>
/// <param name="Sku">The product.</param>
/// <param name="ProductName">The product's name.</param>
/// <param name="CategoryCode">The product category.</param>
/// <param name="CategoryName">The category's display name.</param>
/// <param name="CategoryReturnable">Whether the category can be returned at all.</param>
/// <param name="Quantity">How many were bought.</param>
/// <param name="UnitPriceCents">Price per item.</param>
/// <param name="WeightGrams">Weight per item.</param>
public sealed record OrderLine(
    long Id, int LineNumber, string Sku, string ProductName, string CategoryCode, string CategoryName, bool CategoryReturnable, int Quantity, int UnitPriceCents, int WeightGrams);

/// <summary>An order with its customer and lines.</summary>
/// <param name="Id">The database id.</param>
/// <param name="OrderNumber">The number customers know (<c>SB-10421</c>).</param>
/// <param name="Status"><c>processing</c>, <c>shipped</c>, <c>delivered</c> or <c>cancelled</c>.</param>
/// <param name="PlacedAt">When it was placed.</param>
/// <param name="ShippedAt">When it left the warehouse.</param>
/// <param name="DeliveredAt">When it was delivered; the return window counts from here.</param>
/// <param name="Customer">Who ordered.</param>
/// <param name="Lines">The lines, by line number.</param>
public sealed record ShopOrder(
    long Id, string OrderNumber, string Status, DateTimeOffset PlacedAt, DateTimeOffset? ShippedAt, DateTimeOffset? DeliveredAt, ShopCustomer Customer, IReadOnlyList<OrderLine> Lines);

/// <summary>A line of a return request.</summary>
/// <param name="OrderLineId">The order line.</param>
/// <param name="LineNumber">Its number within the order.</param>
/// <param name="Quantity">How many items go back.</param>
/// <param name="Condition">The condition the customer declared.</param>
public sealed record ReturnLine(long OrderLineId, int LineNumber, int Quantity, string Condition);

/// <summary>A return (RMA) and where it stands.</summary>
/// <param name="Id">The database id.</param>
/// <param name="Rma">The return merchandise authorization number customers see.</param>
/// <param name="OrderId">The order.</param>
/// <param name="OrderNumber">The order's number.</param>
/// <param name="SessionId">The session that created it.</param>
/// <param name="Reason">Why the items go back.</param>
/// <param name="Status">Where it stands.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="Lines">What goes back.</param>
/// <param name="Label">The return label, once issued.</param>
/// <param name="EmailedTo">Where the label was e-mailed, once it was.</param>
/// <param name="EmailedAt">When.</param>
public sealed record ReturnRequest(
    long Id, string Rma, long OrderId, string OrderNumber, string SessionId, string Reason, string Status, DateTimeOffset CreatedAt, IReadOnlyList<ReturnLine> Lines,
    IssuedReturnLabel? Label, string? EmailedTo, DateTimeOffset? EmailedAt);

/// <summary>A return label the carrier issued.</summary>
/// <param name="LabelId">The carrier's id.</param>
/// <param name="TrackingNumber">The parcel's tracking number.</param>
/// <param name="LabelUrl">Where the PDF is.</param>
/// <param name="IssuedAt">When ShopBot received it.</param>
public sealed record IssuedReturnLabel(string LabelId, string TrackingNumber, Uri LabelUrl, DateTimeOffset IssuedAt);

/// <summary>A ticket for the human support team.</summary>
/// <param name="TicketNumber">The number to quote.</param>
/// <param name="SessionId">The conversation it came from.</param>
/// <param name="OrderNumber">The order, when one is concerned.</param>
/// <param name="Reason">Why it was opened.</param>
/// <param name="Summary">What the customer needs.</param>
/// <param name="CreatedAt">When.</param>
public sealed record SupportTicket(string TicketNumber, string SessionId, string? OrderNumber, string Reason, string Summary, DateTimeOffset CreatedAt);

/// <summary>What a tool decided.</summary>
public enum AuditOutcome
{
    /// <summary>The action ran.</summary>
    Allowed,

    /// <summary>The action was refused (not verified, wrong address, locked out, not eligible, …).</summary>
    Refused,

    /// <summary>The action was allowed but a dependency failed (carrier, SMTP).</summary>
    Failed,
}

/// <summary>One row of the audit log.</summary>
/// <param name="At">When.</param>
/// <param name="SessionId">Which conversation.</param>
/// <param name="Tool">Which tool.</param>
/// <param name="OrderNumber">Which order, when known.</param>
/// <param name="Outcome">What was decided.</param>
/// <param name="Reason">A short machine-friendly reason (<c>not_verified</c>, <c>recipient_mismatch</c>, …).</param>
/// <param name="Detail">Free text for people.</param>
public sealed record AuditEntry(DateTimeOffset At, string SessionId, string Tool, string? OrderNumber, AuditOutcome Outcome, string Reason, string? Detail);
