using System.Text.Json.Serialization;

namespace ShopBot.Tools;

/// <summary>What <c>orders_lookup_order</c> tells the model.</summary>
/// <param name="Found">Whether the order exists.</param>
/// <param name="Verified">Whether this session verified its customer (details only then).</param>
/// <param name="Message">What to do next.</param>
/// <param name="Order">The details, when verified.</param>
public sealed record OrderLookupResult(
    [property: JsonPropertyName("found")] bool Found,
    [property: JsonPropertyName("verified")] bool Verified,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("order")] OrderDetails? Order);

/// <summary>An order as a verified customer sees it.</summary>
/// <param name="OrderNumber">The number.</param>
/// <param name="Status">Its status.</param>
/// <param name="CustomerName">Who ordered.</param>
/// <param name="PlacedOn">When it was placed.</param>
/// <param name="DeliveredOn">When it was delivered, if it was.</param>
/// <param name="ReturnWindowEndsOn">The last day to start a return, once delivered.</param>
/// <param name="Lines">The lines.</param>
/// <param name="Returns">Returns already made.</param>
public sealed record OrderDetails(
    [property: JsonPropertyName("order_number")] string OrderNumber,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("customer_name")] string CustomerName,
    [property: JsonPropertyName("placed_on")] string PlacedOn,
    [property: JsonPropertyName("delivered_on")] string? DeliveredOn,
    [property: JsonPropertyName("return_window_ends_on")] string? ReturnWindowEndsOn,
    [property: JsonPropertyName("lines")] IReadOnlyList<OrderLineDetails> Lines,
    [property: JsonPropertyName("returns")] IReadOnlyList<ExistingReturn> Returns);

/// <summary>An order line.</summary>
/// <param name="LineNumber">Its number.</param>
/// <param name="Product">The product.</param>
/// <param name="Category">The category.</param>
/// <param name="Quantity">How many.</param>
/// <param name="UnitPrice">Price per item in EUR.</param>
public sealed record OrderLineDetails(
    [property: JsonPropertyName("line_number")] int LineNumber,
    [property: JsonPropertyName("product")] string Product,
    [property: JsonPropertyName("category")] string Category,
    [property: JsonPropertyName("quantity")] int Quantity,
    [property: JsonPropertyName("unit_price_eur")] decimal UnitPrice);

/// <summary>A return already made for an order.</summary>
/// <param name="Rma">Its RMA number.</param>
/// <param name="Status">Where it stands.</param>
/// <param name="LineNumbers">The lines.</param>
/// <param name="TrackingNumber">The label's tracking number, once issued.</param>
public sealed record ExistingReturn(
    [property: JsonPropertyName("rma")] string Rma,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("line_numbers")] IReadOnlyList<int> LineNumbers,
    [property: JsonPropertyName("tracking_number")] string? TrackingNumber);

/// <summary>What <c>orders_verify_customer</c> tells the model.</summary>
/// <param name="Verified">Whether the customer is now verified for the order.</param>
/// <param name="AttemptsLeft">Failed attempts this session may still make.</param>
/// <param name="Message">What to do next.</param>
public sealed record VerificationResult(
    [property: JsonPropertyName("verified")] bool Verified,
    [property: JsonPropertyName("attempts_left")] int AttemptsLeft,
    [property: JsonPropertyName("message")] string Message);

/// <summary>What <c>returns_check_return_eligibility</c> tells the model.</summary>
/// <param name="OrderNumber">The order.</param>
/// <param name="AnyEligible">Whether at least one line can go back.</param>
/// <param name="Lines">The verdict per line.</param>
/// <param name="Message">A summary; cite the policy references when explaining.</param>
public sealed record EligibilityResult(
    [property: JsonPropertyName("order_number")] string OrderNumber,
    [property: JsonPropertyName("any_eligible")] bool AnyEligible,
    [property: JsonPropertyName("lines")] IReadOnlyList<Policies.LineEligibility> Lines,
    [property: JsonPropertyName("message")] string Message);

/// <summary>What <c>returns_create_return</c>, <c>shipping_request_return_label</c>, <c>shipping_email_label</c> and <c>support_escalate_to_human</c> tell the model.</summary>
/// <param name="Status"><c>ok</c>, <c>refused</c> or <c>unavailable</c>.</param>
/// <param name="Message">What happened, in plain words to pass on.</param>
/// <param name="Rma">The return, when one is concerned.</param>
/// <param name="TrackingNumber">The label's tracking number, once issued.</param>
/// <param name="LabelUrl">The label PDF's address, once issued.</param>
/// <param name="TicketNumber">The support ticket, when one was opened.</param>
public sealed record ActionResult(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("rma"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Rma = null,
    [property: JsonPropertyName("tracking_number"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TrackingNumber = null,
    [property: JsonPropertyName("label_url"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? LabelUrl = null,
    [property: JsonPropertyName("ticket_number"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TicketNumber = null)
{
    /// <summary>A refusal.</summary>
    /// <param name="message">Why.</param>
    /// <returns>The result.</returns>
    public static ActionResult Refused(string message) => new("refused", message);
}

/// <summary>The tool names the agent allowlists (plugin name, underscore, function name).</summary>
public static class ToolNames
{
    /// <summary><c>orders_lookup_order</c>.</summary>
    public const string LookupOrder = "orders_lookup_order";

    /// <summary><c>orders_verify_customer</c>.</summary>
    public const string VerifyCustomer = "orders_verify_customer";

    /// <summary><c>returns_check_return_eligibility</c>.</summary>
    public const string CheckEligibility = "returns_check_return_eligibility";

    /// <summary><c>returns_create_return</c>.</summary>
    public const string CreateReturn = "returns_create_return";

    /// <summary><c>shipping_request_return_label</c>.</summary>
    public const string RequestLabel = "shipping_request_return_label";

    /// <summary><c>shipping_email_label</c>.</summary>
    public const string EmailLabel = "shipping_email_label";

    /// <summary><c>support_escalate_to_human</c>.</summary>
    public const string Escalate = "support_escalate_to_human";

    /// <summary><c>search_knowledge</c>: the Knowledge plugin over the policy documents.</summary>
    public const string SearchPolicies = AgentKit.Plugins.Knowledge.KnowledgePlugin.FunctionName;

    /// <summary>Every tool ShopBot's agent may call.</summary>
    public static IReadOnlyList<string> All { get; } = [LookupOrder, VerifyCustomer, CheckEligibility, CreateReturn, RequestLabel, EmailLabel, Escalate, SearchPolicies];
}
