using System.Text.Json;
using AgentKit.Abstractions.Json;

namespace AgentKit.Abstractions.Tests.Json;

/// <summary>
/// Runs the official JSON-Schema-Test-Suite (draft 2020-12, vendored in TestSuite/ with its licence) through
/// <see cref="JsonSchemaValidator"/>: one theory row per case group, every case in it checked.
/// </summary>
public sealed class JsonSchemaTestSuiteTests
{
    /// <summary>
    /// Groups whose schema <see cref="JsonSchemaValidator.Create"/> refuses by design, with why. Refusing is the
    /// documented answer for a schema that cannot be enforced; accepting it unchecked would not be.
    /// </summary>
    private static readonly Dictionary<string, string> RefusedByDesign = new(StringComparer.Ordinal)
    {
        ["pattern: pattern with Unicode property escape requires unicode mode"] = @".NET regular expressions have no \p{Letter} (only \p{L}).",
        ["patternProperties: patternProperties with Unicode property escape"] = @".NET regular expressions have no \p{Letter} (only \p{L}).",
    };

    public static TheoryData<string, int> Groups()
    {
        var data = new TheoryData<string, int>();
        foreach (var file in Directory.EnumerateFiles(SuiteFolder, "*.json").Order(StringComparer.Ordinal))
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            for (var i = 0; i < document.RootElement.GetArrayLength(); i++)
            {
                data.Add(Path.GetFileNameWithoutExtension(file), i);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Groups))]
    public void Suite_Group_AllCasesAgree(string file, int index)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(SuiteFolder, file + ".json")));
        var group = document.RootElement[index];
        var description = group.GetProperty("description").GetString()!;
        var key = $"{file}: {description}";

        JsonSchemaValidator validator;
        try
        {
            validator = JsonSchemaValidator.Create(group.GetProperty("schema"));
        }
        catch (JsonSchemaNotSupportedException e)
        {
            Assert.True(RefusedByDesign.ContainsKey(key), $"{key}: refused ({e.Message})");
            return;
        }

        Assert.False(RefusedByDesign.ContainsKey(key), $"{key}: listed as refused but accepted");
        var wrong = new List<string>();
        foreach (var test in group.GetProperty("tests").EnumerateArray())
        {
            var expected = test.GetProperty("valid").GetBoolean();
            var errors = validator.Validate(test.GetProperty("data"));
            if ((errors.Count == 0) != expected)
            {
                wrong.Add($"'{test.GetProperty("description").GetString()}' expected {(expected ? "valid" : "invalid")}, got [{string.Join("; ", errors)}]");
            }
        }

        Assert.True(wrong.Count == 0, $"{key}: {string.Join(" | ", wrong)}");
    }

    private static string SuiteFolder => Path.Combine(AppContext.BaseDirectory, "Json", "TestSuite");
}
