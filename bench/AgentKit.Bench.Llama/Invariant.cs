using System.Globalization;

namespace AgentKit.Bench.Llama;

/// <summary>Culture-independent text for command lines and figures.</summary>
internal static class Invariant
{
    public static string Str(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Str(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
