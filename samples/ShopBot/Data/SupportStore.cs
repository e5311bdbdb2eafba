using System.Globalization;

namespace ShopBot.Data;

/// <summary>Tickets for the human team, the audit log, and which orders each session has verified.</summary>
/// <param name="database">The shop database.</param>
public sealed class SupportStore(ShopDatabase database)
{
    /// <summary>Opens a ticket.</summary>
    /// <param name="sessionId">The conversation.</param>
    /// <param name="order">The order concerned, if any.</param>
    /// <param name="reason">Why (short).</param>
    /// <param name="summary">What the customer needs.</param>
    /// <param name="now">The time.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The ticket.</returns>
    public async Task<SupportTicket> CreateTicketAsync(string sessionId, ShopOrder? order, string reason, string summary, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = SqlCommands.Create(connection, """
            INSERT INTO tickets(ticket_number, session_id, order_id, reason, summary, created_at)
            VALUES ('T-' || $day || '-' || printf('%04d', (SELECT coalesce(max(id), 0) + 1 FROM tickets)), $session, $order, $reason, $summary, $now)
            RETURNING ticket_number;
            """,
            ("$day", now.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture)), ("$session", sessionId), ("$order", order?.Id), ("$reason", reason),
            ("$summary", summary), ("$now", SqlTime.Format(now)));
        var number = (string)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        return new SupportTicket(number, sessionId, order?.OrderNumber, reason, summary, now);
    }

    /// <summary>Every ticket, oldest first.</summary>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The tickets.</returns>
    public async Task<IReadOnlyList<SupportTicket>> ListTicketsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenReadOnlyAsync(cancellationToken).ConfigureAwait(false);
        await using var command = SqlCommands.Create(connection, """
            SELECT t.ticket_number, t.session_id, o.order_number, t.reason, t.summary, t.created_at
            FROM tickets t LEFT JOIN orders o ON o.id = t.order_id ORDER BY t.id;
            """);
        var result = new List<SupportTicket>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(new SupportTicket(reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3), reader.GetString(4), SqlTime.Parse(reader.GetString(5))));
        }

        return result;
    }

    /// <summary>Appends a row to the audit log.</summary>
    /// <param name="entry">The entry.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task.</returns>
    public async Task AuditAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = SqlCommands.Create(connection, """
            INSERT INTO audit_log(at, session_id, tool, order_number, outcome, reason, detail) VALUES ($at, $session, $tool, $order, $outcome, $reason, $detail);
            """,
            ("$at", SqlTime.Format(entry.At)), ("$session", entry.SessionId), ("$tool", entry.Tool), ("$order", entry.OrderNumber),
            ("$outcome", entry.Outcome.ToString().ToLowerInvariant()), ("$reason", entry.Reason), ("$detail", entry.Detail));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The audit log, oldest first, optionally for one session.</summary>
    /// <param name="sessionId">Only this session's rows; all when null.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The rows.</returns>
    public async Task<IReadOnlyList<AuditEntry>> ListAuditAsync(string? sessionId = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenReadOnlyAsync(cancellationToken).ConfigureAwait(false);
        await using var command = SqlCommands.Create(connection, """
            SELECT at, session_id, tool, order_number, outcome, reason, detail FROM audit_log
            WHERE $session IS NULL OR session_id = $session ORDER BY id;
            """, ("$session", sessionId));
        var result = new List<AuditEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(new AuditEntry(
                SqlTime.Parse(reader.GetString(0)), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                Enum.Parse<AuditOutcome>(reader.GetString(4), ignoreCase: true), reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6)));
        }

        return result;
    }

    /// <summary>Whether the session has verified the customer of the order.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="orderId">The order.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>True once verified.</returns>
    public async Task<bool> IsVerifiedAsync(string sessionId, long orderId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenReadOnlyAsync(cancellationToken).ConfigureAwait(false);
        await using var command = SqlCommands.Create(connection,
            "SELECT 1 FROM session_verifications WHERE session_id = $session AND order_id = $order;", ("$session", sessionId), ("$order", orderId));
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
    }

    /// <summary>The customers whose orders the session has verified.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>Customer ids, ascending.</returns>
    public async Task<IReadOnlyList<long>> GetVerifiedCustomerIdsAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenReadOnlyAsync(cancellationToken).ConfigureAwait(false);
        await using var command = SqlCommands.Create(connection, """
            SELECT DISTINCT o.customer_id FROM session_verifications v JOIN orders o ON o.id = v.order_id
            WHERE v.session_id = $session ORDER BY o.customer_id;
            """, ("$session", sessionId));
        var result = new List<long>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(reader.GetInt64(0));
        }

        return result;
    }

    /// <summary>Records a verification attempt, and on success marks the order verified for the session.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="requester">Who is asking (<see cref="ShopBot.Tools.ShopGuard.CurrentRequesterAsync"/>).</param>
    /// <param name="orderNumber">The order number as given.</param>
    /// <param name="verifiedOrderId">The order, when the attempt succeeded.</param>
    /// <param name="now">The time.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task.</returns>
    public async Task RecordAttemptAsync(string sessionId, string requester, string orderNumber, long? verifiedOrderId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = SqlCommands.Create(connection, """
            INSERT INTO verification_attempts(session_id, requester, order_number, succeeded, at) VALUES ($session, $requester, upper($order), $ok, $now);
            INSERT OR IGNORE INTO session_verifications(session_id, order_id, verified_at) SELECT $session, $verified, $now WHERE $verified IS NOT NULL;
            """, ("$session", sessionId), ("$requester", requester), ("$order", orderNumber.Trim()), ("$ok", verifiedOrderId is null ? 0 : 1), ("$verified", verifiedOrderId), ("$now", SqlTime.Format(now)));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Failed verification attempts of a session, and of one requester for an order since a time. Only the
    /// requester's own failures count towards its order lockout, so nobody can lock a customer out of their order
    /// by failing on purpose.
    /// </summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="requester">Who is asking (<see cref="ShopBot.Tools.ShopGuard.CurrentRequesterAsync"/>).</param>
    /// <param name="orderNumber">The order number.</param>
    /// <param name="orderSince">Counts the order's failures from this time on.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The two counts.</returns>
    public async Task<(int Session, int Order)> CountFailedAttemptsAsync(string sessionId, string requester, string orderNumber, DateTimeOffset orderSince, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenReadOnlyAsync(cancellationToken).ConfigureAwait(false);
        await using var command = SqlCommands.Create(connection, """
            SELECT (SELECT count(*) FROM verification_attempts WHERE session_id = $session AND succeeded = 0),
                   (SELECT count(*) FROM verification_attempts WHERE requester = $requester AND order_number = upper($order) AND succeeded = 0 AND at >= $since);
            """, ("$session", sessionId), ("$requester", requester), ("$order", orderNumber.Trim()), ("$since", SqlTime.Format(orderSince)));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return (reader.GetInt32(0), reader.GetInt32(1));
    }
}
