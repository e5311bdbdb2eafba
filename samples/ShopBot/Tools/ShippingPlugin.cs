using System.ComponentModel;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel;
using ShopBot.Carrier;
using ShopBot.Data;
using ShopBot.Email;

namespace ShopBot.Tools;

/// <summary>Return labels from the carrier and label e-mails (tools <c>shipping_request_return_label</c>, <c>shipping_email_label</c>).</summary>
/// <param name="orders">Order lookups.</param>
/// <param name="returns">Return requests.</param>
/// <param name="support">Tickets.</param>
/// <param name="guard">Session, verification, audit.</param>
/// <param name="carrier">The label API.</param>
/// <param name="mailer">SMTP.</param>
/// <param name="options">The warehouse address.</param>
/// <param name="logger">Logs failures of the carrier and the mail server.</param>
public sealed partial class ShippingPlugin(
    OrderStore orders, ReturnStore returns, SupportStore support, ShopGuard guard, CarrierClient carrier, LabelMailer mailer, CarrierClientOptions options, ILogger<ShippingPlugin> logger)
{
    /// <summary>Gets a prepaid return label for a registered return of a verified order.</summary>
    /// <param name="rma">The return's RMA number.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The label, or why there is none.</returns>
    [KernelFunction("request_return_label")]
    [Description("Asks the shipping partner for a prepaid return label for a registered return (RMA) of a verified order. Returns the tracking number and the label link. If the partner is down, says so and opens a ticket: tell the customer plainly.")]
    public async Task<ActionResult> RequestReturnLabelAsync(
        [Description("The RMA number returns_create_return gave, e.g. RMA-1A2B3C4D.")] string rma,
        CancellationToken cancellationToken = default)
    {
        var (request, order, refusal) = await AuthorizeAsync(ToolNames.RequestLabel, rma, cancellationToken).ConfigureAwait(false);
        if (refusal is not null)
        {
            return refusal;
        }

        if (request!.Label is { } existing)
        {
            await guard.AuditAsync(ToolNames.RequestLabel, order!.OrderNumber, AuditOutcome.Allowed, "existing_label", request.Rma, cancellationToken).ConfigureAwait(false);
            return Issued(request, existing, "The label was already issued.");
        }

        var customer = order!.Customer;
        var warehouse = options.Warehouse;
        var weight = request.Lines.Sum(l => l.Quantity * order.Lines.First(o => o.Id == l.OrderLineId).WeightGrams) + 100;
        var labelRequest = new LabelRequest(
            request.Rma,
            new LabelAddress(customer.Name, customer.Street, customer.PostalCode, customer.City, customer.Country),
            new LabelAddress(warehouse.Name, warehouse.Street, warehouse.PostalCode, warehouse.City, warehouse.Country),
            weight);
        try
        {
            var response = await carrier.CreateLabelAsync(labelRequest, request.Rma, cancellationToken).ConfigureAwait(false);
            var label = new IssuedReturnLabel(response.LabelId, response.TrackingNumber, response.LabelUrl, guard.Now);
            await returns.RecordLabelAsync(request.Id, label, cancellationToken).ConfigureAwait(false);
            await guard.AuditAsync(ToolNames.RequestLabel, order.OrderNumber, AuditOutcome.Allowed, "label_issued", $"{request.Rma} {label.TrackingNumber}", cancellationToken).ConfigureAwait(false);
            return Issued(request, label, "The return label is ready. Next: shipping_email_label sends it to the address on the order.");
        }
        catch (Exception e) when (e is CarrierUnavailableException or CarrierRejectedException)
        {
            Log.CarrierFailed(logger, e, request.Rma);
            var ticket = await support.CreateTicketAsync(ShopGuard.CurrentSessionId, order, "carrier_unavailable",
                $"Return label for {request.Rma} could not be created: {e.Message}", guard.Now, cancellationToken).ConfigureAwait(false);
            await guard.AuditAsync(ToolNames.RequestLabel, order.OrderNumber, AuditOutcome.Failed, "carrier_unavailable", $"{e.Message} Ticket {ticket.TicketNumber}.", cancellationToken).ConfigureAwait(false);
            return new ActionResult(
                "unavailable",
                $"Our shipping partner's label service is not working right now, so no label could be created. The return {request.Rma} is registered; " +
                $"ticket {ticket.TicketNumber} was opened and a colleague will e-mail the label as soon as the service is back. Tell the customer exactly this.",
                request.Rma,
                TicketNumber: ticket.TicketNumber);
        }
    }

    /// <summary>E-mails the label of a verified return to the address on the order, and only there.</summary>
    /// <param name="rma">The return's RMA number.</param>
    /// <param name="recipient">Leave empty. If given, it must be the order's own address; any other is refused.</param>
    /// <param name="cancellationToken">Cancels the delivery.</param>
    /// <returns>Whether it was sent.</returns>
    [KernelFunction("email_label")]
    [Description("E-mails the return label (PDF attached, with the link) to the e-mail address on the order. It is only ever sent to that address; leave recipient empty.")]
    public async Task<ActionResult> EmailLabelAsync(
        [Description("The RMA number.")] string rma,
        [Description("Leave empty: the label always goes to the address on the order. Any other address is refused.")] string? recipient = null,
        CancellationToken cancellationToken = default)
    {
        var (request, order, refusal) = await AuthorizeAsync(ToolNames.EmailLabel, rma, cancellationToken).ConfigureAwait(false);
        if (refusal is not null)
        {
            return refusal;
        }

        var to = order!.Customer.Email;
        if (!string.IsNullOrWhiteSpace(recipient) && !string.Equals(recipient.Trim(), to, StringComparison.OrdinalIgnoreCase))
        {
            await guard.AuditAsync(ToolNames.EmailLabel, order.OrderNumber, AuditOutcome.Refused, "recipient_mismatch", $"Asked to send {request!.Rma} to another address.", cancellationToken).ConfigureAwait(false);
            return ActionResult.Refused("Refused: labels are only sent to the e-mail address on the order. Nothing was sent. Call shipping_email_label without a recipient to send it there.");
        }

        if (request!.Label is not { } label)
        {
            await guard.AuditAsync(ToolNames.EmailLabel, order.OrderNumber, AuditOutcome.Refused, "no_label", request.Rma, cancellationToken).ConfigureAwait(false);
            return ActionResult.Refused($"Refused: return {request.Rma} has no label yet; call shipping_request_return_label first.");
        }

        byte[]? pdf;
        try
        {
            pdf = await carrier.DownloadLabelAsync(label.LabelUrl, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is CarrierUnavailableException or CarrierRejectedException)
        {
            // The link in the e-mail still works once the carrier is back; the attachment is a convenience.
            Log.LabelDownloadFailed(logger, e, request.Rma);
            pdf = null;
        }

        try
        {
            await mailer.SendLabelAsync(to, order.Customer.Name, request, pdf, cancellationToken).ConfigureAwait(false);
        }
        catch (MailDeliveryException e)
        {
            Log.MailFailed(logger, e, request.Rma);
            var ticket = await support.CreateTicketAsync(ShopGuard.CurrentSessionId, order, "email_failed", $"Label e-mail for {request.Rma} failed: {e.Message}", guard.Now, cancellationToken).ConfigureAwait(false);
            await guard.AuditAsync(ToolNames.EmailLabel, order.OrderNumber, AuditOutcome.Failed, "smtp_unavailable", $"{e.Message} Ticket {ticket.TicketNumber}.", cancellationToken).ConfigureAwait(false);
            return new ActionResult(
                "unavailable",
                $"The e-mail could not be sent because our mail server is not responding. The label is still available at {label.LabelUrl}; ticket {ticket.TicketNumber} was opened so a colleague sends it again. Tell the customer exactly this.",
                request.Rma, label.TrackingNumber, label.LabelUrl.ToString(), ticket.TicketNumber);
        }

        await returns.RecordEmailAsync(request.Id, to, guard.Now, cancellationToken).ConfigureAwait(false);
        await guard.AuditAsync(ToolNames.EmailLabel, order.OrderNumber, AuditOutcome.Allowed, "label_emailed", $"{request.Rma}{(pdf is null ? " (link only)" : string.Empty)}", cancellationToken).ConfigureAwait(false);
        return new ActionResult("ok", $"The label was e-mailed to the address on the order{(pdf is null ? " (as a link; the PDF could not be attached)" : string.Empty)}.", request.Rma, label.TrackingNumber, label.LabelUrl.ToString());
    }

    private async Task<(ReturnRequest? Return, ShopOrder? Order, ActionResult? Refusal)> AuthorizeAsync(string tool, string rma, CancellationToken cancellationToken)
    {
        var request = await returns.FindAsync(rma, cancellationToken).ConfigureAwait(false);
        var order = request is null ? null : await orders.FindAsync(request.OrderNumber, cancellationToken).ConfigureAwait(false);
        if (request is null || order is null)
        {
            await guard.AuditAsync(tool, null, AuditOutcome.Refused, "return_not_found", rma, cancellationToken).ConfigureAwait(false);
            return (null, null, ActionResult.Refused($"Refused: there is no return '{rma}'. Use the RMA number returns_create_return gave."));
        }

        if (!await guard.RequireVerifiedAsync(tool, order, cancellationToken).ConfigureAwait(false))
        {
            return (null, null, ActionResult.Refused(ShopGuard.NotVerifiedText(order.OrderNumber)));
        }

        return (request, order, null);
    }

    private static ActionResult Issued(ReturnRequest request, IssuedReturnLabel label, string message) =>
        new("ok", $"{message} Tracking number {label.TrackingNumber}; label: {label.LabelUrl}", request.Rma, label.TrackingNumber, label.LabelUrl.ToString());

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "No return label for {Rma}: the carrier failed")]
        public static partial void CarrierFailed(ILogger logger, Exception exception, string rma);

        [LoggerMessage(Level = LogLevel.Warning, Message = "The label PDF of {Rma} could not be downloaded; sending the link only")]
        public static partial void LabelDownloadFailed(ILogger logger, Exception exception, string rma);

        [LoggerMessage(Level = LogLevel.Error, Message = "The label e-mail of {Rma} could not be delivered")]
        public static partial void MailFailed(ILogger logger, Exception exception, string rma);
    }
}
