using System.Text.Json;
using AgentKit.Abstractions.Json;
using AgentKit.Evaluation.Datasets;
using AgentKit.Evaluation.Judging;

namespace AgentKit.Evaluation.Expectations;

/// <summary>Reads one entry of a case's <c>expect</c> array.</summary>
internal static class ExpectationParser
{
    private static readonly Dictionary<string, string[]> Fields = new(StringComparer.Ordinal)
    {
        ["exact"] = ["value", "ignore_case"],
        ["regex"] = ["pattern", "ignore_case"],
        ["contains"] = ["value", "ignore_case"],
        ["not_contains"] = ["value", "ignore_case"],
        ["json_schema"] = ["schema"],
        ["numeric"] = ["value", "tolerance", "path", "pattern"],
        ["tools"] = ["steps", "ordered", "allow_other_calls"],
        ["judge"] = ["metric", "min", "context"],
    };

    public static Expectation Parse(JsonElement e, string field, EvalDataset.Where at)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            throw at.Error(field, "must be an object with a 'type'.");
        }

        var type = at.RequiredString(e, "type", field);
        if (!Fields.TryGetValue(type, out var allowed))
        {
            throw at.Error(field + ".type", $"unknown expectation '{type}'; use {string.Join(", ", Fields.Keys)}.");
        }

        foreach (var p in e.EnumerateObject())
        {
            if (p.Name != "type" && !allowed.Contains(p.Name, StringComparer.Ordinal))
            {
                throw at.Error($"{field}.{p.Name}", $"not a field of '{type}'; it has {string.Join(", ", allowed)}.");
            }
        }

        switch (type)
        {
            case "exact":
                return new ExactExpectation(at.RequiredString(e, "value", field), at.OptionalBool(e, "ignore_case", field, false));
            case "regex":
                var pattern = at.RequiredString(e, "pattern", field);
                try
                {
                    return new RegexExpectation(pattern, at.OptionalBool(e, "ignore_case", field, false));
                }
                catch (ArgumentException ex)
                {
                    throw at.Error(field + ".pattern", $"not a valid regular expression: {ex.Message}");
                }

            case "contains":
            case "not_contains":
                if (!e.TryGetProperty("value", out var values))
                {
                    throw at.Error(field + ".value", "is required.");
                }

                return new ContainsExpectation(at.StringArray(values, field + ".value"), type == "not_contains", at.OptionalBool(e, "ignore_case", field, true));
            case "json_schema":
                if (!e.TryGetProperty("schema", out var schema) || schema.ValueKind is not (JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False))
                {
                    throw at.Error(field + ".schema", "is required: a JSON Schema object.");
                }

                try
                {
                    return new JsonSchemaExpectation(JsonSchemaValidator.Create(schema.Clone()));
                }
                catch (JsonSchemaNotSupportedException ex)
                {
                    throw at.Error(field + ".schema", $"cannot be enforced: {ex.Message}");
                }

            case "numeric":
                var tolerance = e.TryGetProperty("tolerance", out _) ? at.RequiredNumber(e, "tolerance", field) : 0;
                if (tolerance < 0)
                {
                    throw at.Error(field + ".tolerance", "must not be negative.");
                }

                var path = at.OptionalString(e, "path", field);
                var numberPattern = at.OptionalString(e, "pattern", field);
                if (path is not null && numberPattern is not null)
                {
                    throw at.Error(field, "give 'path' (JSON reply) or 'pattern' (text reply), not both.");
                }

                try
                {
                    return new NumericExpectation(at.RequiredNumber(e, "value", field), tolerance, path, numberPattern);
                }
                catch (ArgumentException ex)
                {
                    throw at.Error(field + ".pattern", $"not a valid regular expression: {ex.Message}");
                }

            case "tools":
                return new ToolTrajectoryExpectation(ParseSteps(e, field, at), at.OptionalBool(e, "ordered", field, true), at.OptionalBool(e, "allow_other_calls", field, true));
            default:
                var metric = at.RequiredString(e, "metric", field);
                var canonical = JudgeEvaluator.Normalize(metric) ?? throw at.Error(field + ".metric", $"unknown metric '{metric}'; use relevance, coherence or groundedness.");
                var min = e.TryGetProperty("min", out _) ? at.RequiredNumber(e, "min", field) : 4;
                if (min is < 1 or > 5)
                {
                    throw at.Error(field + ".min", "must be from 1 to 5 (the judges' scale).");
                }

                return new JudgeExpectation(canonical, min, at.OptionalString(e, "context", field));
        }
    }

    private static List<ExpectedToolCall> ParseSteps(JsonElement e, string field, EvalDataset.Where at)
    {
        if (!e.TryGetProperty("steps", out var steps) || steps.ValueKind != JsonValueKind.Array)
        {
            throw at.Error(field + ".steps", "is required: an array of {\"tool\": name, \"args\": {...}, \"optional\": bool} (or tool names).");
        }

        var list = new List<ExpectedToolCall>();
        var i = 0;
        foreach (var step in steps.EnumerateArray())
        {
            var stepField = $"{field}.steps[{i++}]";
            if (step.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(step.GetString()))
            {
                list.Add(new ExpectedToolCall(step.GetString()!, null, false));
                continue;
            }

            if (step.ValueKind != JsonValueKind.Object)
            {
                throw at.Error(stepField, "must be a tool name or an object with 'tool'.");
            }

            foreach (var p in step.EnumerateObject())
            {
                if (p.Name is not ("tool" or "args" or "optional"))
                {
                    throw at.Error($"{stepField}.{p.Name}", "not a field of a step; it has tool, args, optional.");
                }
            }

            JsonElement? args = null;
            if (step.TryGetProperty("args", out var a))
            {
                args = a.ValueKind == JsonValueKind.Object ? a.Clone() : throw at.Error(stepField + ".args", "must be an object of the arguments the call must have.");
            }

            list.Add(new ExpectedToolCall(at.RequiredString(step, "tool", stepField), args, at.OptionalBool(step, "optional", stepField, false)));
        }

        if (list.Count == 0)
        {
            throw at.Error(field + ".steps", "is empty.");
        }

        return list;
    }
}
