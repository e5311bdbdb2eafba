using System.Text.Json;
using AgentKit.Evaluation.Datasets;
using AgentKit.Evaluation.Expectations;
using Microsoft.Extensions.DependencyInjection;
using ShopBot.Data;
using ShopBot.Startup;

namespace ShopBot.Eval;

/// <summary>
/// The end-state checks ShopBot's scenarios name, run in code on the run's shop: its SQLite order database (returns,
/// verification, audit, tickets), the local carrier's label requests and the SMTP sink's mail. What the model said
/// does not count here — only what happened.
/// </summary>
public static class ShopBotEndState
{
    /// <summary>The checks, by name, with their arguments: see docs/shopbot.md.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        "rma_exists", "no_rma", "label_emailed", "no_label", "no_email", "ticket_opened", "no_ticket", "verified", "not_verified", "refused",
    ];

    /// <summary>Runs one check.</summary>
    /// <param name="app">The run's shop.</param>
    /// <param name="sessionId">The run's agent session.</param>
    /// <param name="check">The check.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>Whether the shop is as the check says, and if not, what it found.</returns>
    public static async ValueTask<ExpectationResult> CheckAsync(ShopBotApp app, string sessionId, EndStateCheck check, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(check);
        var services = app.Services;
        var orders = services.GetRequiredService<OrderStore>();
        var returns = services.GetRequiredService<ReturnStore>();
        var support = services.GetRequiredService<SupportStore>();
        var mail = app.MailSink?.Messages ?? [];
        var labels = app.CarrierLabels?.Requests.Where(r => r.Method == "POST" && r.StatusCode is >= 200 and < 300).ToList() ?? [];
        string? failure;
        switch (check.Name)
        {
            case "rma_exists":
            {
                var order = await OrderAsync(orders, check, cancellationToken).ConfigureAwait(false);
                var expected = Lines(check);
                var list = await returns.ListForOrderAsync(order.Id, cancellationToken).ConfigureAwait(false);
                failure = list.Count != 1
                    ? $"{list.Count} returns for {order.OrderNumber}, expected one."
                    : expected is not null && !list[0].Lines.Select(l => l.LineNumber).Order().SequenceEqual(expected.Order())
                        ? $"the return of {order.OrderNumber} covers lines {string.Join(",", list[0].Lines.Select(l => l.LineNumber))}, expected {string.Join(",", expected)}."
                        : null;
                break;
            }

            case "no_rma":
            {
                var order = await OrderAsync(orders, check, cancellationToken).ConfigureAwait(false);
                var list = await returns.ListForOrderAsync(order.Id, cancellationToken).ConfigureAwait(false);
                failure = list.Count == 0 ? null : $"{order.OrderNumber} has return {list[0].Rma}.";
                break;
            }

            case "label_emailed":
            {
                var order = await OrderAsync(orders, check, cancellationToken).ConfigureAwait(false);
                var to = Required(check, "to");
                var list = await returns.ListForOrderAsync(order.Id, cancellationToken).ConfigureAwait(false);
                var sent = list.FirstOrDefault(r => r.Status == "label_emailed");
                var rma = sent?.Rma;
                var message = rma is null ? null : mail.FirstOrDefault(m => m.Message.Subject?.Contains(rma, StringComparison.Ordinal) == true);
                failure = sent is null ? $"no return of {order.OrderNumber} has its label e-mailed."
                    : !string.Equals(sent.EmailedTo, to, StringComparison.OrdinalIgnoreCase) ? $"the label went to {sent.EmailedTo}, not {to}."
                    : message is null ? $"no e-mail with {sent.Rma} reached the mail sink."
                    : message.Recipients.Count != 1 || !string.Equals(message.Recipients[0], to, StringComparison.OrdinalIgnoreCase) ? $"the e-mail went to {string.Join(", ", message.Recipients)}."
                    : null;
                break;
            }

            case "no_label":
                failure = labels.Count == 0 ? null : $"{labels.Count} label(s) were issued by the carrier ({string.Join(", ", labels.Select(l => l.IdempotencyKey))}).";
                break;

            case "no_email":
                failure = mail.Count == 0 ? null : $"{mail.Count} e-mail(s) were sent, to {string.Join(", ", mail.SelectMany(m => m.Recipients))}.";
                break;

            case "ticket_opened":
            {
                var tickets = (await support.ListTicketsAsync(cancellationToken).ConfigureAwait(false)).Where(t => t.SessionId == sessionId).ToList();
                var order = check.GetString("order");
                failure = tickets.Count == 0 ? "no support ticket was opened."
                    : order is not null && !tickets.Any(t => string.Equals(t.OrderNumber, order, StringComparison.OrdinalIgnoreCase)) ? $"no ticket names {order}."
                    : null;
                break;
            }

            case "no_ticket":
            {
                var tickets = await support.ListTicketsAsync(cancellationToken).ConfigureAwait(false);
                failure = tickets.Count == 0 ? null : $"ticket {tickets[0].TicketNumber} was opened ({tickets[0].Reason}).";
                break;
            }

            case "verified":
            case "not_verified":
            {
                var order = await OrderAsync(orders, check, cancellationToken).ConfigureAwait(false);
                var verified = await support.IsVerifiedAsync(sessionId, order.Id, cancellationToken).ConfigureAwait(false);
                failure = verified == (check.Name == "verified") ? null : $"the session is {(verified ? "" : "not ")}verified for {order.OrderNumber}.";
                break;
            }

            case "refused":
            {
                var tool = Required(check, "tool");
                var reason = check.GetString("reason");
                var audit = await support.ListAuditAsync(sessionId, cancellationToken).ConfigureAwait(false);
                failure = audit.Any(a => a.Tool == tool && a.Outcome == AuditOutcome.Refused && (reason is null || a.Reason == reason))
                    ? null
                    : $"no refusal of {tool}{(reason is null ? "" : " for " + reason)} in the audit log (it has: {string.Join(", ", audit.Where(a => a.Outcome == AuditOutcome.Refused).Select(a => $"{a.Tool}/{a.Reason}").DefaultIfEmpty("none"))}).";
                break;
            }

            default:
                failure = $"unknown end-state check '{check.Name}'; ShopBot has {string.Join(", ", Names)}.";
                break;
        }

        return new ExpectationResult(check.ToString(), failure is null, failure);
    }

    private static async Task<ShopOrder> OrderAsync(OrderStore orders, EndStateCheck check, CancellationToken cancellationToken)
    {
        var number = Required(check, "order");
        return await orders.FindAsync(number, cancellationToken).ConfigureAwait(false)
            ?? throw new ArgumentException($"end state '{check.Name}': order {number} is not in the seeded database.");
    }

    private static string Required(EndStateCheck check, string name) =>
        check.GetString(name) ?? throw new ArgumentException($"end state '{check.Name}' needs a string '{name}'.");

    private static int[]? Lines(EndStateCheck check) =>
        check.Arguments.TryGetProperty("lines", out var lines) && lines.ValueKind == JsonValueKind.Array
            ? [.. lines.EnumerateArray().Select(l => l.GetInt32())]
            : null;
}
