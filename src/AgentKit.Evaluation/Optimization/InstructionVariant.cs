using System.Text.Json;

namespace AgentKit.Evaluation.Optimization;

/// <summary>
/// An alternative to a prompt's instruction (its first system section), tried by <see cref="PromptOptimizer"/>.
/// The text is Liquid like the rest of the prompt body and may read the prompt's declared inputs.
/// </summary>
/// <param name="Id">A short name for reports (<c>strict-format</c>); unique in its list; <c>original</c> is the prompt's own.</param>
/// <param name="Instruction">The text that replaces the first system section.</param>
public sealed record InstructionVariant(string Id, string Instruction)
{
    /// <summary>The id of the prompt's own instruction.</summary>
    public const string OriginalId = "original";

    /// <summary>The most variants a file may hold.</summary>
    public const int MaxVariants = 64;

    /// <summary>The largest variants file read: 1 MiB.</summary>
    public const int MaxFileBytes = 1 << 20;

    /// <summary>
    /// Reads a variants file: a JSON array of <c>{"id": "...", "instruction": "..."}</c> objects.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <returns>The variants, in file order.</returns>
    /// <exception cref="PromptOptimizationException">The file is missing, too large, not JSON, or an item is malformed (names the item and field).</exception>
    public static IReadOnlyList<InstructionVariant> Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new PromptOptimizationException(path, null, "the variants file does not exist.");
            }

            if (info.Length > MaxFileBytes)
            {
                throw new PromptOptimizationException(path, null, $"the variants file is {info.Length} bytes, over the {MaxFileBytes}-byte limit.");
            }

            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PromptOptimizationException(path, null, $"the variants file cannot be read: {e.Message}", e);
        }

        return Parse(bytes, path);
    }

    /// <summary>Parses the JSON of a variants file.</summary>
    /// <param name="utf8Json">The file's bytes.</param>
    /// <param name="path">The file's name, for errors.</param>
    /// <returns>The variants.</returns>
    /// <exception cref="PromptOptimizationException">The JSON is malformed or an item is.</exception>
    public static IReadOnlyList<InstructionVariant> Parse(ReadOnlyMemory<byte> utf8Json, string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json, new JsonDocumentOptions { MaxDepth = 16, CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new PromptOptimizationException(path, null, $"not valid JSON (line {e.LineNumber + 1}): {e.Message}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array)
            {
                throw new PromptOptimizationException(path, null, "a variants file is a JSON array of {\"id\": ..., \"instruction\": ...} objects.");
            }

            if (root.GetArrayLength() > MaxVariants)
            {
                throw new PromptOptimizationException(path, null, $"{root.GetArrayLength()} variants; at most {MaxVariants}.");
            }

            var variants = new List<InstructionVariant>();
            var index = 0;
            foreach (var item in root.EnumerateArray())
            {
                var at = $"[{index++}]";
                if (item.ValueKind != JsonValueKind.Object)
                {
                    throw new PromptOptimizationException(path, at, "each variant is an object with 'id' and 'instruction'.");
                }

                foreach (var property in item.EnumerateObject())
                {
                    if (property.Name is not ("id" or "instruction"))
                    {
                        throw new PromptOptimizationException(path, $"{at}.{property.Name}", "unknown field; a variant has 'id' and 'instruction'.");
                    }
                }

                var id = RequiredString(item, "id", at, path);
                if (string.Equals(id, OriginalId, StringComparison.Ordinal))
                {
                    throw new PromptOptimizationException(path, at + ".id", $"'{OriginalId}' names the prompt's own instruction; choose another id.");
                }

                if (variants.Any(v => string.Equals(v.Id, id, StringComparison.Ordinal)))
                {
                    throw new PromptOptimizationException(path, at + ".id", $"the id '{id}' is used twice.");
                }

                variants.Add(new InstructionVariant(id, RequiredString(item, "instruction", at, path)));
            }

            return variants;
        }
    }

    private static string RequiredString(JsonElement item, string name, string at, string path) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text && !string.IsNullOrWhiteSpace(text)
            ? text
            : throw new PromptOptimizationException(path, $"{at}.{name}", "required: a non-empty string.");
}
