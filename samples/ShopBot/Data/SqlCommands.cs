using System.Globalization;
using Microsoft.Data.Sqlite;

namespace ShopBot.Data;

/// <summary>Parameterized commands: every value reaches SQLite as a parameter, never spliced into SQL text.</summary>
internal static class SqlCommands
{
    public static SqliteCommand Create(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }
}

/// <summary>How times are stored: ISO 8601 UTC text, so text order is time order.</summary>
internal static class SqlTime
{
    public static string Format(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static DateTimeOffset Parse(string value) => DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    public static DateTimeOffset? ParseNullable(object value) => value is string s ? Parse(s) : null;
}
