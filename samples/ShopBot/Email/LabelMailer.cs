using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using ShopBot.Data;

namespace ShopBot.Email;

/// <summary>Sends return labels by SMTP (MailKit): the PDF attached and the link in the text.</summary>
/// <param name="options">Server, credentials, sender.</param>
public sealed class LabelMailer(SmtpOptions options)
{
    /// <summary>The subject line of label e-mails; the RMA number follows.</summary>
    public const string SubjectPrefix = "Your return label for";

    /// <summary>The server used: the local sink's port when it runs; set by the application at start.</summary>
    internal int? LocalSinkPort { get; set; }

    /// <summary>Sends the label.</summary>
    /// <param name="recipient">The address on the order (the caller has checked it).</param>
    /// <param name="customerName">The customer's name for the greeting.</param>
    /// <param name="returnRequest">The return with its label.</param>
    /// <param name="labelPdf">The label PDF to attach, or null to send only the link.</param>
    /// <param name="cancellationToken">Cancels the delivery.</param>
    /// <returns>The message id.</returns>
    /// <exception cref="MailDeliveryException">The server could not be reached or refused the message.</exception>
    public async Task<string> SendLabelAsync(string recipient, string customerName, ReturnRequest returnRequest, byte[]? labelPdf, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(returnRequest);
        var label = returnRequest.Label ?? throw new InvalidOperationException($"Return {returnRequest.Rma} has no label yet.");
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(options.FromName, options.From));
        message.To.Add(new MailboxAddress(customerName, recipient));
        message.Subject = $"{SubjectPrefix} {returnRequest.Rma} (order {returnRequest.OrderNumber})";
        var body = new BodyBuilder
        {
            TextBody = $"""
                Hello {customerName},

                your return {returnRequest.Rma} for order {returnRequest.OrderNumber} is registered.

                Print the attached label (or open it here: {label.LabelUrl}), stick it on the parcel and hand it to any
                drop-off point of our shipping partner within 14 days. Tracking number: {label.TrackingNumber}.

                We refund the items within 5 business days of receiving them.

                ShopBot Returns
                """,
        };
        if (labelPdf is not null)
        {
            body.Attachments.Add($"return-label-{returnRequest.Rma}.pdf", labelPdf, new ContentType("application", "pdf"));
        }

        message.Body = body.ToMessageBody();

        using var client = new SmtpClient { Timeout = (int)options.Timeout.TotalMilliseconds };
        try
        {
            if (LocalSinkPort is { } port)
            {
                await client.ConnectAsync("127.0.0.1", port, SecureSocketOptions.None, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var host = options.Host ?? throw new MailDeliveryException("ShopBot:Smtp:Host is not set and the local sink is off; set the SMTP server.");
                var security = !options.UseTls ? SecureSocketOptions.None : options.Port == 465 ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTls;
                await client.ConnectAsync(host, options.Port, security, cancellationToken).ConfigureAwait(false);
                if (options.UserName is { Length: > 0 } user)
                {
                    await client.AuthenticateAsync(user, options.Password ?? string.Empty, cancellationToken).ConfigureAwait(false);
                }
            }

            var response = await client.SendAsync(message, cancellationToken).ConfigureAwait(false);
            await client.DisconnectAsync(quit: true, cancellationToken).ConfigureAwait(false);
            return message.MessageId ?? response;
        }
        catch (Exception e) when (e is SocketException or IOException or SmtpCommandException or SmtpProtocolException or AuthenticationException or ServiceNotConnectedException or TimeoutException)
        {
            throw new MailDeliveryException($"The label e-mail could not be delivered: {e.Message}", e);
        }
    }
}

/// <summary>An e-mail could not be delivered.</summary>
public sealed class MailDeliveryException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MailDeliveryException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What happened.</param>
    public MailDeliveryException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a cause.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The cause.</param>
    public MailDeliveryException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
