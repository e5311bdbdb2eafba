namespace AgentKit.LlamaCpp.Models;

internal static class Sha256Hex
{
    public static bool IsValid(string value) => value.Length == 64 && value.All(char.IsAsciiHexDigit);

    /// <summary>
    /// Reads a SHA-256 from an entity tag. Hugging Face tags LFS files with the object's SHA-256, quoted and
    /// sometimes weak (<c>W/"…"</c>); other tags (git blob ids, CDN hashes) are not SHA-256 and give null.
    /// </summary>
    public static string? FromEntityTag(string? tag)
    {
        if (string.IsNullOrWhiteSpace(tag))
        {
            return null;
        }

        var value = tag.Trim();
        if (value.StartsWith("W/", StringComparison.Ordinal))
        {
            value = value[2..];
        }

        value = value.Trim('"');
        return IsValid(value) ? value.ToLowerInvariant() : null;
    }
}
