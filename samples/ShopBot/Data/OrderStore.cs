using Microsoft.Data.Sqlite;

namespace ShopBot.Data;

/// <summary>Order lookups: read-only connections and parameterized SQL only.</summary>
/// <param name="database">The shop database.</param>
public sealed class OrderStore(ShopDatabase database)
{
    /// <summary>Finds an order by its number (case-insensitive, surrounding spaces ignored).</summary>
    /// <param name="orderNumber">The order number.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The order, or null when there is none.</returns>
    public async Task<ShopOrder?> FindAsync(string orderNumber, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(orderNumber);
        await using var connection = await database.OpenReadOnlyAsync(cancellationToken).ConfigureAwait(false);
        await using var command = SqlCommands.Create(connection, """
            SELECT o.id, o.order_number, o.status, o.placed_at, o.shipped_at, o.delivered_at,
                   c.id, c.name, c.email, c.street, c.postal_code, c.city, c.country
            FROM orders o JOIN customers c ON c.id = o.customer_id
            WHERE o.order_number = $number;
            """, ("$number", orderNumber.Trim()));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var id = reader.GetInt64(0);
        var customer = new ShopCustomer(reader.GetInt64(6), reader.GetString(7), reader.GetString(8), reader.GetString(9), reader.GetString(10), reader.GetString(11), reader.GetString(12));
        var number = reader.GetString(1);
        var status = reader.GetString(2);
        var placed = SqlTime.Parse(reader.GetString(3));
        var shipped = SqlTime.ParseNullable(reader.GetValue(4));
        var delivered = SqlTime.ParseNullable(reader.GetValue(5));
        var lines = await ReadLinesAsync(connection, id, cancellationToken).ConfigureAwait(false);
        return new ShopOrder(id, number, status, placed, shipped, delivered, customer, lines);
    }

    /// <summary>How many items of each order line are already in returns that are not cancelled.</summary>
    /// <param name="orderId">The order.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>Quantities by order line id.</returns>
    public async Task<IReadOnlyDictionary<long, int>> GetReturnedQuantitiesAsync(long orderId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenReadOnlyAsync(cancellationToken).ConfigureAwait(false);
        await using var command = SqlCommands.Create(connection, """
            SELECT rl.order_line_id, sum(rl.quantity)
            FROM return_lines rl JOIN return_requests r ON r.id = rl.return_id
            WHERE r.order_id = $order AND r.status <> 'cancelled'
            GROUP BY rl.order_line_id;
            """, ("$order", orderId));
        var result = new Dictionary<long, int>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result[reader.GetInt64(0)] = reader.GetInt32(1);
        }

        return result;
    }

    private static async Task<IReadOnlyList<OrderLine>> ReadLinesAsync(SqliteConnection connection, long orderId, CancellationToken cancellationToken)
    {
        await using var command = SqlCommands.Create(connection, """
            SELECT l.id, l.line_number, l.sku, p.name, c.code, c.name, c.returnable, l.quantity, l.unit_price_cents, p.weight_grams
            FROM order_lines l JOIN products p ON p.sku = l.sku JOIN categories c ON c.code = p.category_code
            WHERE l.order_id = $order ORDER BY l.line_number;
            """, ("$order", orderId));
        var lines = new List<OrderLine>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            lines.Add(new OrderLine(
                reader.GetInt64(0), reader.GetInt32(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5),
                reader.GetInt64(6) == 1, reader.GetInt32(7), reader.GetInt32(8), reader.GetInt32(9)));
        }

        return lines;
    }
}
