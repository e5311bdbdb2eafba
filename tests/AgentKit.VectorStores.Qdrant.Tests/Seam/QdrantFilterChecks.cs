using Google.Protobuf;
using Qdrant.Client.Grpc;

namespace AgentKit.VectorStores.Qdrant.Tests.Seam;

/// <summary>
/// What a filter must be for Qdrant to take it: every condition one of its kinds, field conditions with a key and one
/// test, matches with a value, ranges with a finite bound, valid timestamps and point ids, no empty nested filter, and
/// the same message after a trip through its wire bytes. Shared with the hostile-input fuzzer.
/// </summary>
internal static class QdrantFilterChecks
{
    public static List<string> Problems(Filter filter)
    {
        var problems = new List<string>();
        Check(filter, "$", problems);
        if (!Filter.Parser.ParseFrom(filter.ToByteArray()).Equals(filter))
        {
            problems.Add("$: the filter changes in a round trip through its wire bytes");
        }

        return problems;
    }

    private static void Check(Filter filter, string path, List<string> problems)
    {
        if (filter.Must.Count + filter.Should.Count + filter.MustNot.Count == 0)
        {
            problems.Add($"{path}: an empty filter");
        }

        foreach (var (list, name) in new[] { (filter.Must, "must"), (filter.Should, "should"), (filter.MustNot, "must_not") })
        {
            for (var i = 0; i < list.Count; i++)
            {
                Check(list[i], $"{path}.{name}[{i}]", problems);
            }
        }
    }

    private static void Check(Condition condition, string path, List<string> problems)
    {
        switch (condition.ConditionOneOfCase)
        {
            case Condition.ConditionOneOfOneofCase.Filter:
                Check(condition.Filter, path + ".filter", problems);
                break;
            case Condition.ConditionOneOfOneofCase.Field:
                Check(condition.Field, path + ".field", problems);
                break;
            case Condition.ConditionOneOfOneofCase.IsNull when string.IsNullOrEmpty(condition.IsNull.Key):
                problems.Add($"{path}.is_null: no key");
                break;
            case Condition.ConditionOneOfOneofCase.IsNull:
                break;
            case Condition.ConditionOneOfOneofCase.HasId when condition.HasId.HasId.Count == 0:
                problems.Add($"{path}.has_id: no ids");
                break;
            case Condition.ConditionOneOfOneofCase.HasId:
                foreach (var id in condition.HasId.HasId)
                {
                    if (id.PointIdOptionsCase == PointId.PointIdOptionsOneofCase.None || id.HasUuid && !Guid.TryParse(id.Uuid, out _))
                    {
                        problems.Add($"{path}.has_id: '{id}' is not an integer or a UUID");
                    }
                }

                break;
            default:
                problems.Add($"{path}: a condition of kind {condition.ConditionOneOfCase}");
                break;
        }
    }

    private static void Check(FieldCondition field, string path, List<string> problems)
    {
        if (string.IsNullOrEmpty(field.Key))
        {
            problems.Add($"{path}: no key");
        }

        var tests = (field.Match is null ? 0 : 1) + (field.Range is null ? 0 : 1) + (field.DatetimeRange is null ? 0 : 1);
        if (tests != 1 || field.GeoBoundingBox is not null || field.GeoRadius is not null || field.GeoPolygon is not null || field.ValuesCount is not null)
        {
            problems.Add($"{path}: {tests} tests on one field, not one match, range or datetime range");
        }

        if (field.Match is { } match
            && (match.MatchValueCase == Match.MatchValueOneofCase.None
                || match.MatchValueCase == Match.MatchValueOneofCase.Keywords && match.Keywords.Strings.Count == 0
                || match.MatchValueCase == Match.MatchValueOneofCase.Integers && match.Integers.Integers.Count == 0))
        {
            problems.Add($"{path}.match: no value");
        }

        if (field.Range is { } range)
        {
            double?[] bounds = [range.HasGt ? range.Gt : null, range.HasGte ? range.Gte : null, range.HasLt ? range.Lt : null, range.HasLte ? range.Lte : null];
            if (bounds.All(b => b is null) || bounds.Any(b => b is { } v && !double.IsFinite(v)))
            {
                problems.Add($"{path}.range: bounds {range} are missing or not finite");
            }
        }

        if (field.DatetimeRange is { } dates)
        {
            var bounds = new[] { dates.Gt, dates.Gte, dates.Lt, dates.Lte }.Where(t => t is not null).ToList();
            if (bounds.Count == 0 || bounds.Any(t => t.Nanos is < 0 or > 999_999_999 || t.Seconds < -62135596800 || t.Seconds > 253402300799))
            {
                problems.Add($"{path}.datetime_range: bounds {dates} are missing or out of range");
            }
        }
    }
}
