using System.Globalization;
using System.Text;
using System.Text.Json;
using AgentKit.Abstractions.Json;
using AgentKit.Evaluation.Expectations;
using AgentKit.Evaluation.Judging;

namespace AgentKit.Evaluation.Datasets;

/// <summary>
/// A JSONL dataset: one case per line (blank lines and lines starting with <c>//</c> are skipped). Every field is
/// checked when the file is read, so a typo fails the load with file, line and field instead of a silently weaker
/// case. Format: docs/eval.md.
/// </summary>
public sealed class EvalDataset
{
    /// <summary>The longest line read, in characters.</summary>
    public const int MaxLineChars = 1_000_000;

    /// <summary>The most cases one dataset may hold.</summary>
    public const int MaxCases = 10_000;

    /// <summary>The most turns a scenario may have (scripted or simulated).</summary>
    public const int MaxTurns = 50;

    private static readonly string[] KnownFields = ["id", "group", "split", "inputs", "input", "turns", "simulator", "expect", "end_state"];

    private EvalDataset(string filePath, IReadOnlyList<EvalCase> cases)
    {
        FilePath = filePath;
        Cases = cases;
    }

    /// <summary>The file.</summary>
    public string FilePath { get; }

    /// <summary>The cases, in file order.</summary>
    public IReadOnlyList<EvalCase> Cases { get; }

    /// <summary>Reads a dataset file.</summary>
    /// <param name="filePath">The JSONL file.</param>
    /// <returns>The dataset.</returns>
    /// <exception cref="EvalDatasetException">A line or field is wrong, the file is missing, or a bound is exceeded.</exception>
    public static EvalDataset Load(string filePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        if (!File.Exists(filePath))
        {
            throw new EvalDatasetException(filePath, 0, null, "the dataset file does not exist.");
        }

        using var reader = new StreamReader(filePath, Encoding.UTF8);
        return Parse(reader, filePath);
    }

    /// <summary>Reads a dataset from text.</summary>
    /// <param name="reader">The JSONL text.</param>
    /// <param name="filePath">The name to report in errors.</param>
    /// <returns>The dataset.</returns>
    /// <exception cref="EvalDatasetException">A line or field is wrong, or a bound is exceeded.</exception>
    public static EvalDataset Parse(TextReader reader, string filePath)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var cases = new List<EvalCase>();
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var number = 0;
        var buffer = new StringBuilder();
        while (ReadLine(reader, buffer, filePath, number + 1) is { } line)
        {
            number++;
            var trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed.StartsWith("//", StringComparison.Ordinal))
            {
                continue;
            }

            if (cases.Count == MaxCases)
            {
                throw new EvalDatasetException(filePath, number, null, $"more than {MaxCases} cases; split the dataset.");
            }

            var parsed = ParseCase(trimmed, filePath, number);
            if (ids.TryGetValue(parsed.Id, out var first))
            {
                throw new EvalDatasetException(filePath, number, "id", $"'{parsed.Id}' is already the id of line {first}.");
            }

            ids[parsed.Id] = number;
            cases.Add(parsed);
        }

        if (cases.Count == 0)
        {
            throw new EvalDatasetException(filePath, number, null, "the dataset has no cases.");
        }

        return new EvalDataset(filePath, cases);
    }

    private static string? ReadLine(TextReader reader, StringBuilder buffer, string filePath, int number)
    {
        buffer.Clear();
        int c;
        var any = false;
        while ((c = reader.Read()) >= 0)
        {
            any = true;
            if (c == '\n')
            {
                break;
            }

            if (buffer.Length == MaxLineChars)
            {
                throw new EvalDatasetException(filePath, number, null, $"the line is longer than {MaxLineChars} characters.");
            }

            buffer.Append((char)c);
        }

        return any ? buffer.ToString().TrimEnd('\r') : null;
    }

    private static EvalCase ParseCase(string line, string file, int number)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(line, new JsonDocumentOptions { MaxDepth = JsonSchemaValidator.MaxDepth });
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new EvalDatasetException(file, number, null, $"not valid JSON: {e.Message}", e);
        }

        var at = new Where(file, number);
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw at.Error(null, "a case must be a JSON object.");
        }

        var extensions = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            if (property.Name.StartsWith("x-", StringComparison.Ordinal))
            {
                extensions[property.Name] = property.Value;
            }
            else if (!KnownFields.Contains(property.Name, StringComparer.Ordinal))
            {
                throw at.Error(property.Name, $"unknown field; a case has {string.Join(", ", KnownFields)} and x-* extensions.");
            }
        }

        var id = at.RequiredString(root, "id");
        var turns = new List<string>();
        if (at.OptionalString(root, "input") is { } input)
        {
            turns.Add(input);
        }

        if (root.TryGetProperty("turns", out var turnsElement))
        {
            if (turns.Count > 0)
            {
                throw at.Error("turns", "give either 'input' or 'turns', not both.");
            }

            turns.AddRange(at.StringArray(turnsElement, "turns"));
        }

        if (turns.Count > MaxTurns)
        {
            throw at.Error("turns", $"more than {MaxTurns} turns.");
        }

        var simulator = root.TryGetProperty("simulator", out var sim) ? ParseSimulator(sim, at) : null;
        if (simulator is not null && turns.Count > 0)
        {
            throw at.Error("simulator", "a simulated user replaces 'input'/'turns'; give one or the other.");
        }

        var inputs = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (root.TryGetProperty("inputs", out var inputsElement))
        {
            if (inputsElement.ValueKind != JsonValueKind.Object)
            {
                throw at.Error("inputs", "must be an object of the prompt file's inputs.");
            }

            foreach (var p in inputsElement.EnumerateObject())
            {
                inputs[p.Name] = ToValue(p.Value);
            }
        }

        if (turns.Count == 0 && simulator is null && inputs.Count == 0)
        {
            throw at.Error(null, "the case sends nothing: give 'input', 'turns', 'simulator' or 'inputs'.");
        }

        var expectations = new List<Expectation>();
        if (root.TryGetProperty("expect", out var expect))
        {
            if (expect.ValueKind != JsonValueKind.Array)
            {
                throw at.Error("expect", "must be an array of expectations.");
            }

            var i = 0;
            foreach (var e in expect.EnumerateArray())
            {
                expectations.Add(ExpectationParser.Parse(e, $"expect[{i++}]", at));
            }
        }

        var endState = new List<EndStateCheck>();
        if (root.TryGetProperty("end_state", out var end))
        {
            if (end.ValueKind != JsonValueKind.Array)
            {
                throw at.Error("end_state", "must be an array of checks such as {\"check\": \"rma_exists\", ...}.");
            }

            var i = 0;
            foreach (var e in end.EnumerateArray())
            {
                var field = $"end_state[{i++}]";
                if (e.ValueKind != JsonValueKind.Object)
                {
                    throw at.Error(field, "must be an object with a 'check' name.");
                }

                var name = at.RequiredString(e, "check", field);
                var args = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                foreach (var p in e.EnumerateObject().Where(p => p.Name != "check"))
                {
                    args[p.Name] = p.Value.Clone();
                }

                endState.Add(new EndStateCheck(name, JsonSerializer.SerializeToElement(args)));
            }
        }

        if (expectations.Count == 0 && endState.Count == 0)
        {
            throw at.Error(null, "the case checks nothing: give 'expect' or 'end_state'.");
        }

        return new EvalCase
        {
            Id = id,
            Group = at.OptionalString(root, "group") ?? "default",
            Split = at.OptionalString(root, "split"),
            Inputs = inputs,
            Turns = turns,
            Simulator = simulator,
            Expectations = expectations,
            EndState = endState,
            Extensions = extensions,
            Source = string.Create(CultureInfo.InvariantCulture, $"{file}:{number}"),
        };
    }

    private static UserSimulatorSpec ParseSimulator(JsonElement element, Where at)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw at.Error("simulator", "must be an object with 'goal', 'persona' and optionally 'max_turns'.");
        }

        var maxTurns = 8;
        if (element.TryGetProperty("max_turns", out var max))
        {
            if (max.ValueKind != JsonValueKind.Number || !max.TryGetInt32(out maxTurns) || maxTurns < 1 || maxTurns > MaxTurns)
            {
                throw at.Error("simulator.max_turns", $"must be a whole number from 1 to {MaxTurns}.");
            }
        }

        return new UserSimulatorSpec(at.RequiredString(element, "goal", "simulator"), at.RequiredString(element, "persona", "simulator"), maxTurns);
    }

    internal static object? ToValue(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.TryGetInt64(out var l) ? (object)l : value.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null => null,
        JsonValueKind.Array => value.EnumerateArray().Select(ToValue).ToList(),
        _ => value.EnumerateObject().ToDictionary(p => p.Name, p => ToValue(p.Value), StringComparer.Ordinal),
    };

    /// <summary>Where a case is, with helpers that fail naming the field.</summary>
    internal sealed record Where(string File, int Line)
    {
        public EvalDatasetException Error(string? field, string problem) => new(File, Line, field, problem);

        public string RequiredString(JsonElement parent, string name, string? prefix = null)
        {
            var field = prefix is null ? name : $"{prefix}.{name}";
            if (!parent.TryGetProperty(name, out var value))
            {
                throw Error(field, "is required.");
            }

            if (value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
            {
                throw Error(field, $"must be a non-empty string, not {value.ValueKind}.");
            }

            return value.GetString()!;
        }

        public string? OptionalString(JsonElement parent, string name, string? prefix = null)
        {
            if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            return value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : throw Error(prefix is null ? name : $"{prefix}.{name}", $"must be a string, not {value.ValueKind}.");
        }

        public IReadOnlyList<string> StringArray(JsonElement value, string field)
        {
            if (value.ValueKind == JsonValueKind.String)
            {
                return [value.GetString()!];
            }

            if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.String))
            {
                throw Error(field, "must be a string or an array of strings.");
            }

            return [.. value.EnumerateArray().Select(v => v.GetString()!)];
        }

        public bool OptionalBool(JsonElement parent, string name, string prefix, bool fallback)
        {
            if (!parent.TryGetProperty(name, out var value))
            {
                return fallback;
            }

            return value.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw Error($"{prefix}.{name}", "must be true or false."),
            };
        }

        public double RequiredNumber(JsonElement parent, string name, string prefix)
        {
            if (!parent.TryGetProperty(name, out var value))
            {
                throw Error($"{prefix}.{name}", "is required.");
            }

            return value.ValueKind == JsonValueKind.Number ? value.GetDouble() : throw Error($"{prefix}.{name}", $"must be a number, not {value.ValueKind}.");
        }
    }
}
