using System.Globalization;

namespace AgentKit.Rag.Readers;

/// <summary>Cell values as spreadsheets show them, shared by the Excel readers (<c>.xlsx</c> and <c>.xls</c>).</summary>
internal static class SpreadsheetValues
{
    /// <summary>Whether a built-in number format (ids 14–22 and 45–47) shows a date or time.</summary>
    public static bool IsBuiltInDateFormat(int id) => id is >= 14 and <= 22 or >= 45 and <= 47;

    /// <summary>Whether a custom number format shows a date or time: d, m, y, h or s outside quotes and brackets.</summary>
    public static bool IsDateFormat(string code)
    {
        if (code.Equals("General", StringComparison.OrdinalIgnoreCase) || code.Equals("Standard", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var quoted = false;
        var bracket = false;
        for (var i = 0; i < code.Length; i++)
        {
            var c = code[i];
            if (c == '\\' || c == '_' || c == '*')
            {
                i++;
                continue;
            }

            quoted ^= c == '"';
            bracket = c == '[' || (bracket && c != ']');
            if (!quoted && !bracket && char.ToLowerInvariant(c) is 'd' or 'm' or 'y' or 'h' or 's')
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A date serial (days since 1899-12-30, Excel's 1900 system) as an ISO date, with the time when it has one; null out of range.</summary>
    public static string? Date(double serial)
    {
        if (serial is < 0 or > 2_958_465)
        {
            return null;
        }

        var date = DateTime.FromOADate(serial);
        return date.TimeOfDay == TimeSpan.Zero
            ? date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : serial < 1 ? date.ToString("HH:mm:ss", CultureInfo.InvariantCulture) : date.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
    }
}
