using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace AgentKit.VectorStores.Sqlite.Storage;

/// <summary>
/// A statement prepared once on the writer connection and run once per row of a batch, through SQLite's own API
/// (the one Microsoft.Data.Sqlite wraps), inside the connection's current transaction. It binds values by position
/// and vectors straight from their float memory (<see cref="MemoryMarshal.AsBytes{T}(ReadOnlySpan{T})"/>, which
/// SQLite copies once), so that a row costs no ADO.NET command, parameter or data reader, and no byte array.
/// </summary>
internal sealed class BatchStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;

    internal BatchStatement(SqliteConnection connection, string sql)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("The writer connection is not open.");
        var rc = raw.sqlite3_prepare_v2(_db, sql, out _statement);
        SqliteException.ThrowExceptionForRC(rc, _db);
    }

    /// <summary>The row id of the last row inserted on the connection.</summary>
    internal long LastInsertRowId => raw.sqlite3_last_insert_rowid(_db);

    /// <summary>Rows changed by the last statement run on the connection (triggers not counted).</summary>
    internal int Changes => raw.sqlite3_changes(_db);

    /// <summary>Binds a value in SQLite form (<see cref="DBNull"/>, <see cref="long"/>, <see cref="double"/>, <see cref="string"/>, byte array) to parameter <paramref name="index"/> (from 1).</summary>
    internal void Bind(int index, object value)
    {
        var rc = value switch
        {
            DBNull => raw.sqlite3_bind_null(_statement, index),
            long integer => raw.sqlite3_bind_int64(_statement, index, integer),
            double real => raw.sqlite3_bind_double(_statement, index, real),
            string text => raw.sqlite3_bind_text(_statement, index, text),
            byte[] bytes => raw.sqlite3_bind_blob(_statement, index, bytes),
            _ => throw new NotSupportedException($"A value of type '{value.GetType().Name}' cannot be bound to a SQLite parameter."),
        };
        SqliteException.ThrowExceptionForRC(rc, _db);
    }

    internal void Bind(int index, long value) => SqliteException.ThrowExceptionForRC(raw.sqlite3_bind_int64(_statement, index, value), _db);

    /// <summary>Binds a vector as a float32 BLOB, or NULL.</summary>
    internal void Bind(int index, ReadOnlyMemory<float>? vector)
    {
        var rc = vector is { } value
            ? raw.sqlite3_bind_blob(_statement, index, MemoryMarshal.AsBytes(value.Span))
            : raw.sqlite3_bind_null(_statement, index);
        SqliteException.ThrowExceptionForRC(rc, _db);
    }

    /// <summary>Runs the statement to completion and resets it; returns the first column of the first result row, if any.</summary>
    internal long? Run()
    {
        try
        {
            long? first = null;
            int rc;
            while ((rc = raw.sqlite3_step(_statement)) == raw.SQLITE_ROW)
            {
                first ??= raw.sqlite3_column_int64(_statement, 0);
            }

            if (rc != raw.SQLITE_DONE)
            {
                SqliteException.ThrowExceptionForRC(rc, _db);
            }

            return first;
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    public void Dispose() => _statement.Dispose();
}
