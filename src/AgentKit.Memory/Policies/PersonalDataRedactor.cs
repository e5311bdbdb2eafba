using System.Text;
using System.Text.RegularExpressions;

namespace AgentKit.Memory.Policies;

/// <summary>
/// Replaces e-mail addresses, card numbers and phone numbers in a text by placeholders (<c>[email]</c>,
/// <c>[card]</c>, <c>[phone]</c>). A card number is 13–19 digits, optionally grouped by spaces or dashes, that passes
/// the Luhn check; a digit run that fails it (an order number, a tracking code) is left alone unless it reads as a
/// phone number.
/// </summary>
public static partial class PersonalDataRedactor
{
    /// <summary>Replaces e-mail addresses.</summary>
    public const string EmailPlaceholder = "[email]";

    /// <summary>Replaces card numbers.</summary>
    public const string CardPlaceholder = "[card]";

    /// <summary>Replaces phone numbers.</summary>
    public const string PhonePlaceholder = "[phone]";

    /// <summary>Redacts <paramref name="text"/>.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The text with personal data replaced.</returns>
    public static string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var redacted = EmailPattern().Replace(text, EmailPlaceholder);
        redacted = CardPattern().Replace(redacted, m => IsLuhnValid(m.Value) ? CardPlaceholder : m.Value);
        return PhonePattern().Replace(redacted, m => IsPhone(m.Value) ? PhonePlaceholder : m.Value);
    }

    /// <summary>Whether the digits of <paramref name="candidate"/> (other characters ignored) pass the Luhn check.</summary>
    /// <param name="candidate">The number, possibly with separators.</param>
    /// <returns><see langword="true"/> for 13–19 digits with a valid Luhn check digit.</returns>
    public static bool IsLuhnValid(string candidate)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        var digits = new StringBuilder(candidate.Length);
        foreach (var c in candidate)
        {
            if (char.IsAsciiDigit(c))
            {
                digits.Append(c);
            }
        }

        if (digits.Length is < 13 or > 19)
        {
            return false;
        }

        var sum = 0;
        var doubled = false;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            var digit = digits[i] - '0';
            if (doubled)
            {
                digit *= 2;
                if (digit > 9)
                {
                    digit -= 9;
                }
            }

            sum += digit;
            doubled = !doubled;
        }

        return sum % 10 == 0;
    }

    // A phone number: 7 to 15 digits (E.164 allows 15), with an international prefix or visible grouping. A plain
    // run of digits longer than 12 is an identifier rather than a phone number.
    private static bool IsPhone(string candidate)
    {
        var digits = candidate.Count(char.IsAsciiDigit);
        if (digits is < 7 or > 15)
        {
            return false;
        }

        var grouped = candidate.StartsWith('+') || candidate.Any(c => c is ' ' or '-' or '.' or '(' or ')');
        return grouped || digits <= 12;
    }

    [GeneratedRegex(@"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}", RegexOptions.CultureInvariant)]
    private static partial Regex EmailPattern();

    [GeneratedRegex(@"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])", RegexOptions.CultureInvariant)]
    private static partial Regex CardPattern();

    [GeneratedRegex(@"(?<![\w+])\+?\(?\d[\d ().\-]{5,}\d(?![\w])", RegexOptions.CultureInvariant)]
    private static partial Regex PhonePattern();
}
