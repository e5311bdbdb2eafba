using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;

namespace ShopBot.Data;

/// <summary>Return requests (RMAs): created idempotently per set of order lines, then labelled and e-mailed.</summary>
/// <param name="database">The shop database.</param>
/// <param name="newRma">Makes RMA numbers; random when null. Evaluation runs use a fixed sequence, so a re-run sends the model the same tool results and its cached answers apply.</param>
public sealed class ReturnStore(ShopDatabase database, Func<string>? newRma = null)
{
    /// <summary>
    /// Creates a return for the given lines, or returns the open one that already covers exactly the same lines and
    /// quantities (so a repeated call, by a retrying model or a double-clicking customer, makes one RMA).
    /// </summary>
    /// <param name="order">The order.</param>
    /// <param name="lines">What goes back.</param>
    /// <param name="reason">Why.</param>
    /// <param name="sessionId">The conversation asking.</param>
    /// <param name="now">The time.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The return and whether this call created it.</returns>
    public async Task<(ReturnRequest Return, bool Created)> CreateAsync(
        ShopOrder order, IReadOnlyList<ReturnLine> lines, string reason, string sessionId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(lines);
        var lineKey = string.Join(',', lines.OrderBy(l => l.OrderLineId).Select(l => string.Create(CultureInfo.InvariantCulture, $"{l.OrderLineId}x{l.Quantity}")));
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        if (await FindIdAsync(connection, order.Id, lineKey, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return ((await LoadAsync(connection, existing, cancellationToken).ConfigureAwait(false))!, false);
        }

        var rma = newRma?.Invoke() ?? "RMA-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(4));
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        long id;
        try
        {
            await using (var insert = SqlCommands.Create(connection, """
                INSERT INTO return_requests(rma, order_id, session_id, line_key, reason, status, created_at)
                VALUES ($rma, $order, $session, $key, $reason, 'open', $now) RETURNING id;
                """, ("$rma", rma), ("$order", order.Id), ("$session", sessionId), ("$key", lineKey), ("$reason", reason), ("$now", SqlTime.Format(now))))
            {
                insert.Transaction = transaction;
                id = Convert.ToInt64(await insert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
            }

            foreach (var line in lines)
            {
                await using var insertLine = SqlCommands.Create(connection,
                    "INSERT INTO return_lines(return_id, order_line_id, quantity, condition) VALUES ($return, $line, $qty, $condition);",
                    ("$return", id), ("$line", line.OrderLineId), ("$qty", line.Quantity), ("$condition", line.Condition));
                insertLine.Transaction = transaction;
                await insertLine.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            // Another session created the same return between our check and our insert: that one stands.
            await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
            var winner = await FindIdAsync(connection, order.Id, lineKey, cancellationToken).ConfigureAwait(false)
                ?? throw new ShopDatabaseException($"A return for order {order.OrderNumber} could not be written: {e.Message}", e);
            return ((await LoadAsync(connection, winner, cancellationToken).ConfigureAwait(false))!, false);
        }

        return ((await LoadAsync(connection, id, cancellationToken).ConfigureAwait(false))!, true);
    }

    /// <summary>Finds a return by its RMA number.</summary>
    /// <param name="rma">The RMA number (case-insensitive).</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The return, or null.</returns>
    public async Task<ReturnRequest?> FindAsync(string rma, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rma);
        await using var connection = await database.OpenReadOnlyAsync(cancellationToken).ConfigureAwait(false);
        await using var command = SqlCommands.Create(connection, "SELECT id FROM return_requests WHERE rma = upper($rma);", ("$rma", rma.Trim()));
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long id
            ? await LoadAsync(connection, id, cancellationToken).ConfigureAwait(false)
            : null;
    }

    /// <summary>Every return of an order, oldest first.</summary>
    /// <param name="orderId">The order.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The returns.</returns>
    public async Task<IReadOnlyList<ReturnRequest>> ListForOrderAsync(long orderId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenReadOnlyAsync(cancellationToken).ConfigureAwait(false);
        var ids = new List<long>();
        await using (var command = SqlCommands.Create(connection, "SELECT id FROM return_requests WHERE order_id = $order ORDER BY id;", ("$order", orderId)))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                ids.Add(reader.GetInt64(0));
            }
        }

        var result = new List<ReturnRequest>(ids.Count);
        foreach (var id in ids)
        {
            result.Add((await LoadAsync(connection, id, cancellationToken).ConfigureAwait(false))!);
        }

        return result;
    }

    /// <summary>Stores the label the carrier issued and moves the return to <c>label_issued</c>.</summary>
    /// <param name="returnId">The return.</param>
    /// <param name="label">The label.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task.</returns>
    public Task RecordLabelAsync(long returnId, IssuedReturnLabel label, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(label);
        return ExecuteAsync("""
            UPDATE return_requests SET label_id = $id, tracking_number = $tracking, label_url = $url, label_issued_at = $at, status = 'label_issued'
            WHERE id = $return AND label_id IS NULL;
            """, cancellationToken, ("$id", label.LabelId), ("$tracking", label.TrackingNumber), ("$url", label.LabelUrl.ToString()), ("$at", SqlTime.Format(label.IssuedAt)), ("$return", returnId));
    }

    /// <summary>Records that the label was e-mailed and moves the return to <c>label_emailed</c>.</summary>
    /// <param name="returnId">The return.</param>
    /// <param name="recipient">Where it went.</param>
    /// <param name="at">When.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task.</returns>
    public Task RecordEmailAsync(long returnId, string recipient, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        ExecuteAsync("UPDATE return_requests SET emailed_to = $to, emailed_at = $at, status = 'label_emailed' WHERE id = $return;",
            cancellationToken, ("$to", recipient), ("$at", SqlTime.Format(at)), ("$return", returnId));

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = SqlCommands.Create(connection, sql, parameters);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<long?> FindIdAsync(SqliteConnection connection, long orderId, string lineKey, CancellationToken cancellationToken)
    {
        await using var command = SqlCommands.Create(connection,
            "SELECT id FROM return_requests WHERE order_id = $order AND line_key = $key AND status <> 'cancelled';", ("$order", orderId), ("$key", lineKey));
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as long?;
    }

    private static async Task<ReturnRequest?> LoadAsync(SqliteConnection connection, long id, CancellationToken cancellationToken)
    {
        var lines = new List<ReturnLine>();
        await using (var linesCommand = SqlCommands.Create(connection, """
            SELECT rl.order_line_id, ol.line_number, rl.quantity, rl.condition
            FROM return_lines rl JOIN order_lines ol ON ol.id = rl.order_line_id
            WHERE rl.return_id = $id ORDER BY ol.line_number;
            """, ("$id", id)))
        await using (var reader = await linesCommand.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                lines.Add(new ReturnLine(reader.GetInt64(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetString(3)));
            }
        }

        await using var command = SqlCommands.Create(connection, """
            SELECT r.rma, r.order_id, o.order_number, r.session_id, r.reason, r.status, r.created_at,
                   r.label_id, r.tracking_number, r.label_url, r.label_issued_at, r.emailed_to, r.emailed_at
            FROM return_requests r JOIN orders o ON o.id = r.order_id WHERE r.id = $id;
            """, ("$id", id));
        await using var row = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await row.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        IssuedReturnLabel? label = row.IsDBNull(7)
            ? null
            : new IssuedReturnLabel(row.GetString(7), row.GetString(8), new Uri(row.GetString(9)), SqlTime.Parse(row.GetString(10)));
        return new ReturnRequest(
            id, row.GetString(0), row.GetInt64(1), row.GetString(2), row.GetString(3), row.GetString(4), row.GetString(5), SqlTime.Parse(row.GetString(6)), lines,
            label, row.IsDBNull(11) ? null : row.GetString(11), SqlTime.ParseNullable(row.GetValue(12)));
    }
}
