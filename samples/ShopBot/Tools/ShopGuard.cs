using AgentKit.Agents;
using AgentKit.Agents.Sessions;
using ShopBot.Data;

namespace ShopBot.Tools;

/// <summary>
/// The authorization every ShopBot tool goes through: the caller's session comes from the agent runtime
/// (<see cref="AgentRunContext"/>), never from a model argument; order details, returns, labels and e-mails need
/// the session to have verified the customer of that very order; every decision is written to the audit log.
/// </summary>
/// <param name="orders">Order lookups.</param>
/// <param name="support">Verification state and the audit log.</param>
/// <param name="time">The clock.</param>
/// <param name="sessions">The conversations, to find who started the current one.</param>
public sealed class ShopGuard(OrderStore orders, SupportStore support, TimeProvider time, ISessionStore sessions)
{
    /// <summary>The session of the agent run calling the tool.</summary>
    /// <exception cref="ToolContextException">The tool was called outside an agent run.</exception>
    public static string CurrentSessionId => AgentRunContext.Current?.SessionId
        ?? throw new ToolContextException("ShopBot tools act for a conversation: call them from an agent run (AgentSession.RunAsync), where AgentRunContext.Current names the session.");

    /// <summary>
    /// Who is behind the current conversation: the signed-in web client that owns the session
    /// (<see cref="AgentSessionInfo.Owner"/>), or <c>session:</c> and the session id for a conversation without an
    /// owner (the terminal). Per-requester limits, such as the verification lockout, count this.
    /// </summary>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The requester.</returns>
    public async Task<string> CurrentRequesterAsync(CancellationToken cancellationToken)
    {
        var sessionId = CurrentSessionId;
        var info = await sessions.GetAsync(sessionId, cancellationToken).ConfigureAwait(false);
        return info?.Owner ?? "session:" + sessionId;
    }

    /// <summary>The clock's time.</summary>
    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>Writes an audit row for the current session.</summary>
    /// <param name="tool">The tool.</param>
    /// <param name="orderNumber">The order, when known.</param>
    /// <param name="outcome">The decision.</param>
    /// <param name="reason">A short code.</param>
    /// <param name="detail">Text for people.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task.</returns>
    public Task AuditAsync(string tool, string? orderNumber, AuditOutcome outcome, string reason, string? detail = null, CancellationToken cancellationToken = default) =>
        support.AuditAsync(new AuditEntry(Now, CurrentSessionId, tool, orderNumber, outcome, reason, detail), cancellationToken);

    /// <summary>
    /// The order, when it exists and this session has verified its customer; otherwise a refusal text for the
    /// model (already audited).
    /// </summary>
    /// <param name="tool">The tool asking.</param>
    /// <param name="orderNumber">The order number.</param>
    /// <param name="cancellationToken">Cancels the lookups.</param>
    /// <returns>The order or the refusal.</returns>
    public async Task<(ShopOrder? Order, string? Refusal)> RequireVerifiedOrderAsync(string tool, string orderNumber, CancellationToken cancellationToken)
    {
        var order = await orders.FindAsync(orderNumber, cancellationToken).ConfigureAwait(false);
        if (order is null)
        {
            await AuditAsync(tool, orderNumber, AuditOutcome.Refused, "order_not_found", cancellationToken: cancellationToken).ConfigureAwait(false);
            return (null, $"Refused: there is no order '{orderNumber}'. Ask the customer to check the order number.");
        }

        return await RequireVerifiedAsync(tool, order, cancellationToken).ConfigureAwait(false)
            ? (order, null)
            : (null, NotVerifiedText(order.OrderNumber));
    }

    /// <summary>Whether this session verified the order's customer; audits a refusal when not.</summary>
    /// <param name="tool">The tool asking.</param>
    /// <param name="order">The order.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>True when verified.</returns>
    public async Task<bool> RequireVerifiedAsync(string tool, ShopOrder order, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (await support.IsVerifiedAsync(CurrentSessionId, order.Id, cancellationToken).ConfigureAwait(false))
        {
            return true;
        }

        await AuditAsync(tool, order.OrderNumber, AuditOutcome.Refused, "not_verified", "The session has not verified the customer of this order.", cancellationToken).ConfigureAwait(false);
        return false;
    }

    /// <summary>Whether this session verified the order's customer (no audit).</summary>
    /// <param name="order">The order.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>True when verified.</returns>
    public Task<bool> IsVerifiedAsync(ShopOrder order, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        return support.IsVerifiedAsync(CurrentSessionId, order.Id, cancellationToken);
    }

    /// <summary>The refusal text for an unverified order.</summary>
    /// <param name="orderNumber">The order number.</param>
    /// <returns>The text.</returns>
    public static string NotVerifiedText(string orderNumber) =>
        $"Refused: this conversation has not verified the customer of order {orderNumber}. Ask the customer for the e-mail address used for the order and call orders_verify_customer first.";
}

/// <summary>A ShopBot tool was called without the agent run context it needs.</summary>
public sealed class ToolContextException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ToolContextException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What is wrong and what to do.</param>
    public ToolContextException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a cause.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause.</param>
    public ToolContextException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
