using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using AgentKit.Abstractions.Json;
using AgentKit.Evaluation.Running;

namespace AgentKit.Evaluation.Expectations;

/// <summary><c>json_schema</c>: the reply (a code fence removed) is JSON that the schema accepts (JsonSchema.Net, via <see cref="JsonSchemaValidator"/>).</summary>
/// <param name="validator">The compiled schema.</param>
public sealed class JsonSchemaExpectation(JsonSchemaValidator validator) : Expectation
{
    /// <inheritdoc/>
    public override string Kind => "json_schema";

    /// <inheritdoc/>
    public override ValueTask<ExpectationResult> CheckAsync(EvalObservation observation, ExpectationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(observation);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(Unfence(observation.Text), new JsonDocumentOptions { MaxDepth = JsonSchemaValidator.MaxDepth });
        }
        catch (JsonException e)
        {
            return ValueTask.FromResult(Fail($"the reply is not JSON: {e.Message}"));
        }

        using (document)
        {
            var errors = validator.Validate(document.RootElement);
            return ValueTask.FromResult(errors.Count == 0 ? Pass() : Fail(string.Join("; ", errors.Take(5))));
        }
    }

    /// <inheritdoc/>
    public override string ToString() => "json_schema";
}

/// <summary>
/// <c>numeric</c>: a number in the reply is within a tolerance of the value. The number is the JSON reply's property
/// at <c>path</c> (dot-separated, array indexes as numbers), or the first group of <c>pattern</c>, or the reply's
/// first number.
/// </summary>
public sealed class NumericExpectation : Expectation
{
    private static readonly Regex FirstNumber = new(@"-?\d+(?:[.,]\d+)?", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    private readonly string? _path;
    private readonly Regex? _pattern;

    /// <summary>Creates the expectation.</summary>
    /// <param name="value">The expected number.</param>
    /// <param name="tolerance">The absolute tolerance (≥ 0).</param>
    /// <param name="path">Where the number is in a JSON reply, or <see langword="null"/>.</param>
    /// <param name="pattern">A pattern whose first group is the number, or <see langword="null"/>.</param>
    public NumericExpectation(double value, double tolerance, string? path, string? pattern)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tolerance);
        Value = value;
        Tolerance = tolerance;
        _path = path;
        _pattern = pattern is null ? null : new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }

    /// <summary>The expected number.</summary>
    public double Value { get; }

    /// <summary>The absolute tolerance.</summary>
    public double Tolerance { get; }

    /// <inheritdoc/>
    public override string Kind => "numeric";

    /// <inheritdoc/>
    public override ValueTask<ExpectationResult> CheckAsync(EvalObservation observation, ExpectationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(observation);
        string? error;
        var actual = _path is not null ? FromJson(observation.Text, out error) : FromText(observation.Text, out error);
        if (actual is not { } number)
        {
            return ValueTask.FromResult(Fail(error!));
        }

        return ValueTask.FromResult(Math.Abs(number - Value) <= Tolerance
            ? Pass()
            : Fail(string.Create(CultureInfo.InvariantCulture, $"got {number}, expected {Value} ± {Tolerance}.")));
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"numeric {(_path is null ? "" : _path + " ")}{Value} ± {Tolerance}");

    private double? FromText(string text, out string? error)
    {
        error = null;
        var match = _pattern is null ? FirstNumber.Match(text) : _pattern.Match(text);
        var raw = _pattern is null ? match.Value : match.Groups.Count > 1 ? match.Groups[1].Value : match.Value;
        if (!match.Success || !double.TryParse(raw.Replace(',', '.'), NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            error = $"no number in \"{ExactExpectation.Clip(text)}\".";
            return null;
        }

        return number;
    }

    private double? FromJson(string text, out string? error)
    {
        error = null;
        try
        {
            using var document = JsonDocument.Parse(Unfence(text));
            var element = document.RootElement;
            foreach (var part in _path!.Split('.'))
            {
                if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty(part, out var child))
                {
                    element = child;
                }
                else if (element.ValueKind == JsonValueKind.Array && int.TryParse(part, CultureInfo.InvariantCulture, out var index) && index >= 0 && index < element.GetArrayLength())
                {
                    element = element[index];
                }
                else
                {
                    error = $"the reply has nothing at '{_path}'.";
                    return null;
                }
            }

            if (element.ValueKind == JsonValueKind.Number)
            {
                return element.GetDouble();
            }

            if (element.ValueKind == JsonValueKind.String && double.TryParse(element.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
            {
                return parsed;
            }

            error = $"'{_path}' is {element.ValueKind}, not a number.";
            return null;
        }
        catch (JsonException e)
        {
            error = $"the reply is not JSON: {e.Message}";
            return null;
        }
    }
}
