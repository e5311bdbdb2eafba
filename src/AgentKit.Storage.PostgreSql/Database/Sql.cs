using Npgsql;
using NpgsqlTypes;

namespace AgentKit.Storage.PostgreSql.Database;

/// <summary>Commands with positional parameters, as every store on the database builds them.</summary>
internal static class Sql
{
    public static NpgsqlCommand Command(NpgsqlConnection connection, string sql, params object?[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(Parameter(parameter));
        }

        return command;
    }

    public static NpgsqlBatchCommand BatchCommand(string sql, params object?[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(Parameter(parameter));
        }

        return command;
    }

    // Nulls are typed as text: PostgreSQL cannot infer a type for an untyped null in "$1 IS NULL".
    private static NpgsqlParameter Parameter(object? value) =>
        value is null ? new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text } : new NpgsqlParameter { Value = value };
}
