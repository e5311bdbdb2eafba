using System.Globalization;
using Microsoft.Data.Sqlite;

namespace ShopBot.Data;

/// <summary>
/// Fills an empty shop database with a small, realistic catalogue, customers and orders whose dates are relative
/// to "now" (so the demo always has an order inside the return window, one outside it, one not delivered yet, …).
/// </summary>
public static class ShopSeeder
{
    private sealed record Category(string Code, string Name, bool Returnable);

    private sealed record Product(string Sku, string Name, string Category, int PriceCents, int WeightGrams);

    private sealed record Customer(int Id, string Name, string Email, string Street, string PostalCode, string City, string Country, int SinceDays);

    private sealed record Order(string Number, int CustomerId, string Status, int PlacedDaysAgo, int? ShippedDaysAgo, int? DeliveredDaysAgo, (string Sku, int Quantity)[] Lines);

    private static readonly Category[] Categories =
    [
        new("jeans", "Jeans", true),
        new("tops", "Tops and knitwear", true),
        new("shoes", "Shoes", true),
        new("outerwear", "Jackets and coats", true),
        new("accessories", "Accessories", true),
        new("underwear", "Underwear", false),
        new("swimwear", "Swimwear", false),
        new("gift-cards", "Gift cards", false),
    ];

    private static readonly Product[] Products =
    [
        new("JN-501-32", "Classic straight jeans, indigo, W32 L32", "jeans", 7995, 650),
        new("JN-SLIM-30", "Slim fit jeans, black, W30 L32", "jeans", 8495, 600),
        new("TS-ORG-M", "Organic cotton T-shirt, white, M", "tops", 1995, 180),
        new("SW-MER-L", "Merino crew-neck sweater, navy, L", "tops", 6995, 400),
        new("SH-TRL-42", "Trail running shoes, EU 42", "shoes", 11995, 900),
        new("JK-RAIN-M", "Waterproof rain jacket, M", "outerwear", 12995, 700),
        new("AC-BELT-95", "Leather belt, brown, 95 cm", "accessories", 3495, 250),
        new("UW-BOX-3M", "Boxer briefs, 3-pack, M", "underwear", 2495, 150),
        new("SWM-SHORT-M", "Swim shorts, M", "swimwear", 2995, 200),
        new("GC-50", "Gift card, EUR 50", "gift-cards", 5000, 20),
    ];

    private static readonly Customer[] Customers =
    [
        new(1, "Emma Larsen", "emma.larsen@example.com", "Nørrebrogade 12", "2200", "København N", "DK", 400),
        new(2, "Jonas Weber", "jonas.weber@example.de", "Bergmannstraße 5", "10961", "Berlin", "DE", 250),
        new(3, "Aisha Khan", "aisha.khan@example.co.uk", "14 Elm Road", "M14 5TP", "Manchester", "GB", 120),
        new(4, "Lucas Martin", "lucas.martin@example.fr", "8 Rue des Lilas", "69003", "Lyon", "FR", 90),
        new(5, "Sofia Rossi", "sofia.rossi@example.it", "Via Roma 21", "20121", "Milano", "IT", 60),
    ];

    private static readonly Order[] Orders =
    [
        new("SB-10421", 1, "delivered", 14, 12, 10, [("JN-501-32", 1), ("TS-ORG-M", 2)]),
        new("SB-10422", 1, "delivered", 6, 5, 3, [("UW-BOX-3M", 1), ("GC-50", 1)]),
        new("SB-10388", 2, "delivered", 50, 48, 45, [("SH-TRL-42", 1)]),
        new("SB-10435", 2, "shipped", 3, 1, null, [("JK-RAIN-M", 1)]),
        new("SB-10440", 3, "delivered", 9, 8, 6, [("SW-MER-L", 1), ("AC-BELT-95", 1)]),
        new("SB-10402", 4, "delivered", 24, 22, 20, [("JN-SLIM-30", 1), ("SWM-SHORT-M", 1)]),
        new("SB-10399", 5, "delivered", 33, 31, 29, [("AC-BELT-95", 2)]),
        new("SB-10450", 5, "processing", 1, null, null, [("TS-ORG-M", 3)]),
    ];

    /// <summary>Seeds the database when it has no customers yet; returns whether it did.</summary>
    /// <param name="database">The migrated database.</param>
    /// <param name="time">Gives "now"; dates are relative to it.</param>
    /// <param name="cancellationToken">Cancels the seeding (nothing is written then).</param>
    /// <returns>True when the data was written.</returns>
    public static async Task<bool> SeedAsync(ShopDatabase database, TimeProvider time, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(time);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (var count = connection.CreateCommand())
        {
            count.CommandText = "SELECT count(*) FROM customers;";
            if (Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) > 0)
            {
                return false;
            }
        }

        var now = time.GetUtcNow();
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var c in Categories)
        {
            await ExecAsync(connection, transaction, "INSERT INTO categories(code, name, returnable) VALUES ($code, $name, $returnable);", cancellationToken,
                ("$code", c.Code), ("$name", c.Name), ("$returnable", c.Returnable ? 1 : 0)).ConfigureAwait(false);
        }

        foreach (var p in Products)
        {
            await ExecAsync(connection, transaction, "INSERT INTO products(sku, name, category_code, price_cents, weight_grams) VALUES ($sku, $name, $category, $price, $weight);", cancellationToken,
                ("$sku", p.Sku), ("$name", p.Name), ("$category", p.Category), ("$price", p.PriceCents), ("$weight", p.WeightGrams)).ConfigureAwait(false);
        }

        foreach (var c in Customers)
        {
            await ExecAsync(connection, transaction, "INSERT INTO customers(id, name, email, street, postal_code, city, country, created_at) VALUES ($id, $name, $email, $street, $postal, $city, $country, $created);", cancellationToken,
                ("$id", c.Id), ("$name", c.Name), ("$email", c.Email), ("$street", c.Street), ("$postal", c.PostalCode), ("$city", c.City), ("$country", c.Country), ("$created", DaysAgo(now, c.SinceDays))).ConfigureAwait(false);
        }

        var prices = Products.ToDictionary(p => p.Sku, p => p.PriceCents, StringComparer.Ordinal);
        foreach (var o in Orders)
        {
            var orderId = await ExecScalarAsync(connection, transaction,
                "INSERT INTO orders(order_number, customer_id, status, placed_at, shipped_at, delivered_at) VALUES ($number, $customer, $status, $placed, $shipped, $delivered) RETURNING id;", cancellationToken,
                ("$number", o.Number), ("$customer", o.CustomerId), ("$status", o.Status), ("$placed", DaysAgo(now, o.PlacedDaysAgo)),
                ("$shipped", o.ShippedDaysAgo is { } s ? DaysAgo(now, s) : null), ("$delivered", o.DeliveredDaysAgo is { } d ? DaysAgo(now, d) : null)).ConfigureAwait(false);
            for (var i = 0; i < o.Lines.Length; i++)
            {
                var (sku, quantity) = o.Lines[i];
                await ExecAsync(connection, transaction, "INSERT INTO order_lines(order_id, line_number, sku, quantity, unit_price_cents) VALUES ($order, $line, $sku, $qty, $price);", cancellationToken,
                    ("$order", orderId), ("$line", i + 1), ("$sku", sku), ("$qty", quantity), ("$price", prices[sku])).ConfigureAwait(false);
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    private static string DaysAgo(DateTimeOffset now, int days) => SqlTime.Format(now.AddDays(-days));

    private static async Task ExecAsync(SqliteConnection connection, SqliteTransaction transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = SqlCommands.Create(connection, sql, parameters);
        command.Transaction = transaction;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<long> ExecScalarAsync(SqliteConnection connection, SqliteTransaction transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = SqlCommands.Create(connection, sql, parameters);
        command.Transaction = transaction;
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }
}
