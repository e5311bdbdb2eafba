namespace ShopBot.Data;

/// <summary>One schema step; the file's <c>PRAGMA user_version</c> records the last one applied.</summary>
/// <param name="Version">The version the step brings the schema to.</param>
/// <param name="Description">What it does.</param>
/// <param name="Sql">The statements, run in one transaction.</param>
internal sealed record Migration(int Version, string Description, string Sql);

/// <summary>The versioned schema of the shop database. Add a migration to change it; never edit an applied one.</summary>
internal static class ShopSchema
{
    public static IReadOnlyList<Migration> Migrations { get; } =
    [
        new(1, "catalogue, customers and orders", """
            CREATE TABLE categories (
                code        TEXT PRIMARY KEY,
                name        TEXT NOT NULL,
                returnable  INTEGER NOT NULL CHECK (returnable IN (0, 1))
            );
            CREATE TABLE products (
                sku           TEXT PRIMARY KEY,
                name          TEXT NOT NULL,
                category_code TEXT NOT NULL REFERENCES categories(code),
                price_cents   INTEGER NOT NULL CHECK (price_cents >= 0),
                weight_grams  INTEGER NOT NULL CHECK (weight_grams > 0)
            );
            CREATE TABLE customers (
                id          INTEGER PRIMARY KEY,
                name        TEXT NOT NULL,
                email       TEXT NOT NULL UNIQUE COLLATE NOCASE,
                street      TEXT NOT NULL,
                postal_code TEXT NOT NULL,
                city        TEXT NOT NULL,
                country     TEXT NOT NULL,
                created_at  TEXT NOT NULL
            );
            CREATE TABLE orders (
                id            INTEGER PRIMARY KEY,
                order_number  TEXT NOT NULL UNIQUE COLLATE NOCASE,
                customer_id   INTEGER NOT NULL REFERENCES customers(id),
                status        TEXT NOT NULL CHECK (status IN ('processing', 'shipped', 'delivered', 'cancelled')),
                placed_at     TEXT NOT NULL,
                shipped_at    TEXT,
                delivered_at  TEXT
            );
            CREATE INDEX ix_orders_customer ON orders(customer_id);
            CREATE TABLE order_lines (
                id               INTEGER PRIMARY KEY,
                order_id         INTEGER NOT NULL REFERENCES orders(id),
                line_number      INTEGER NOT NULL,
                sku              TEXT NOT NULL REFERENCES products(sku),
                quantity         INTEGER NOT NULL CHECK (quantity > 0),
                unit_price_cents INTEGER NOT NULL,
                UNIQUE (order_id, line_number)
            );
            """),
        new(2, "returns, tickets, verification and the audit log", """
            CREATE TABLE return_requests (
                id                 INTEGER PRIMARY KEY,
                rma                TEXT NOT NULL UNIQUE,
                order_id           INTEGER NOT NULL REFERENCES orders(id),
                session_id         TEXT NOT NULL,
                line_key           TEXT NOT NULL,
                reason             TEXT NOT NULL,
                status             TEXT NOT NULL CHECK (status IN ('open', 'label_issued', 'label_emailed', 'received', 'refunded', 'cancelled')),
                created_at         TEXT NOT NULL,
                label_id           TEXT,
                tracking_number    TEXT,
                label_url          TEXT,
                label_issued_at    TEXT,
                emailed_to         TEXT,
                emailed_at         TEXT
            );
            CREATE UNIQUE INDEX ux_return_requests_lines ON return_requests(order_id, line_key) WHERE status <> 'cancelled';
            CREATE TABLE return_lines (
                return_id      INTEGER NOT NULL REFERENCES return_requests(id),
                order_line_id  INTEGER NOT NULL REFERENCES order_lines(id),
                quantity       INTEGER NOT NULL CHECK (quantity > 0),
                condition      TEXT NOT NULL,
                PRIMARY KEY (return_id, order_line_id)
            );
            CREATE TABLE tickets (
                id            INTEGER PRIMARY KEY,
                ticket_number TEXT NOT NULL UNIQUE,
                session_id    TEXT NOT NULL,
                order_id      INTEGER REFERENCES orders(id),
                reason        TEXT NOT NULL,
                summary       TEXT NOT NULL,
                status        TEXT NOT NULL DEFAULT 'open',
                created_at    TEXT NOT NULL
            );
            CREATE TABLE session_verifications (
                session_id  TEXT NOT NULL,
                order_id    INTEGER NOT NULL REFERENCES orders(id),
                verified_at TEXT NOT NULL,
                PRIMARY KEY (session_id, order_id)
            );
            CREATE TABLE verification_attempts (
                id           INTEGER PRIMARY KEY,
                session_id   TEXT NOT NULL,
                order_number TEXT NOT NULL,
                succeeded    INTEGER NOT NULL,
                at           TEXT NOT NULL
            );
            CREATE INDEX ix_verification_attempts_session ON verification_attempts(session_id);
            CREATE INDEX ix_verification_attempts_order ON verification_attempts(order_number, at);
            CREATE TABLE audit_log (
                id           INTEGER PRIMARY KEY,
                at           TEXT NOT NULL,
                session_id   TEXT NOT NULL,
                tool         TEXT NOT NULL,
                order_number TEXT,
                outcome      TEXT NOT NULL CHECK (outcome IN ('allowed', 'refused', 'failed')),
                reason       TEXT NOT NULL,
                detail       TEXT
            );
            CREATE INDEX ix_audit_log_session ON audit_log(session_id);
            """),
        new(3, "verification lockouts per requester and order", """
            ALTER TABLE verification_attempts ADD COLUMN requester TEXT;
            UPDATE verification_attempts SET requester = 'session:' || session_id;
            CREATE INDEX ix_verification_attempts_requester ON verification_attempts(requester, order_number, at);
            """),
    ];
}
