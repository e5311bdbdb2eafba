using System.Text.Json;
using Microsoft.Extensions.AI;

namespace AgentKit.Agents.Tools.Selection;

/// <summary>
/// Reads tool definitions in the shape of an MCP <c>tools/list</c> result — a JSON array of tools, or an object
/// with a <c>tools</c> array — each with a <c>name</c>, a <c>description</c> and an <c>inputSchema</c> object (other
/// members, such as <c>title</c>, <c>annotations</c> or <c>_meta</c>, are ignored). The tools are declarations
/// only: they can be ranked and shown, not invoked.
/// </summary>
public static class ToolCatalogFile
{
    /// <summary>The largest file read, so a wrong path to a huge file fails fast.</summary>
    public const long MaxFileBytes = 64L * 1024 * 1024;

    /// <summary>The most tools in one file.</summary>
    public const int MaxTools = 100_000;

    /// <summary>Reads a catalog file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The tools, in file order.</returns>
    /// <exception cref="ToolCatalogFileException">The file is missing, too large, not JSON, or an entry is malformed or repeats a name; the message names the file and the entry.</exception>
    public static IReadOnlyList<AIFunctionDeclaration> Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new ToolCatalogFileException($"{path}: the catalog file does not exist.");
        }

        if (info.Length > MaxFileBytes)
        {
            throw new ToolCatalogFileException($"{path}: the catalog file is {info.Length:N0} bytes; the limit is {MaxFileBytes:N0}.");
        }

        JsonDocument document;
        try
        {
            using var stream = info.OpenRead();
            document = JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 64, CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new ToolCatalogFileException($"{path}: not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {e.Message}", e);
        }

        using (document)
        {
            return Parse(path, document.RootElement);
        }
    }

    /// <summary>Reads catalog JSON already in memory.</summary>
    /// <param name="source">Names the catalog in errors (a file path, a URL).</param>
    /// <param name="root">The array of tools, or an object with a <c>tools</c> array.</param>
    /// <returns>The tools, in order.</returns>
    /// <exception cref="ToolCatalogFileException">An entry is malformed or repeats a name.</exception>
    public static IReadOnlyList<AIFunctionDeclaration> Parse(string source, JsonElement root)
    {
        ArgumentNullException.ThrowIfNull(source);
        var tools = root.ValueKind switch
        {
            JsonValueKind.Array => root,
            JsonValueKind.Object when root.TryGetProperty("tools", out var list) && list.ValueKind == JsonValueKind.Array => list,
            JsonValueKind.Object => throw new ToolCatalogFileException($"{source}: the object has no \"tools\" array; a catalog is a JSON array of tools or an MCP tools/list result {{ \"tools\": [ ... ] }}."),
            _ => throw new ToolCatalogFileException($"{source}: a catalog is a JSON array of tools or an object with a \"tools\" array, not a {root.ValueKind.ToString().ToLowerInvariant()}."),
        };

        var count = tools.GetArrayLength();
        if (count > MaxTools)
        {
            throw new ToolCatalogFileException($"{source}: {count:N0} tools; the limit is {MaxTools:N0}.");
        }

        var result = new List<AIFunctionDeclaration>(count);
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        var index = 0;
        foreach (var entry in tools.EnumerateArray())
        {
            var where = $"{source}: tool {index}";
            if (entry.ValueKind != JsonValueKind.Object)
            {
                throw new ToolCatalogFileException($"{where}: must be an object with name, description and inputSchema, not a {entry.ValueKind.ToString().ToLowerInvariant()}.");
            }

            if (!entry.TryGetProperty("name", out var nameElement) || nameElement.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(nameElement.GetString()))
            {
                throw new ToolCatalogFileException($"{where}: \"name\" is missing or not a non-empty string.");
            }

            var name = nameElement.GetString()!;
            where = $"{source}: tool {index} ('{name}')";
            var description = "";
            if (entry.TryGetProperty("description", out var descriptionElement))
            {
                description = descriptionElement.ValueKind switch
                {
                    JsonValueKind.String => descriptionElement.GetString()!,
                    JsonValueKind.Null => "",
                    _ => throw new ToolCatalogFileException($"{where}: \"description\" must be a string."),
                };
            }

            if (!entry.TryGetProperty("inputSchema", out var schema) || schema.ValueKind != JsonValueKind.Object)
            {
                throw new ToolCatalogFileException($"{where}: \"inputSchema\" is missing or not a JSON Schema object.");
            }

            if (schema.TryGetProperty("type", out var type) && !(type.ValueKind == JsonValueKind.String && type.GetString() == "object"))
            {
                throw new ToolCatalogFileException($"{where}: \"inputSchema\" must have \"type\": \"object\" (MCP tool parameters are an object).");
            }

            if (!names.TryAdd(name, index))
            {
                throw new ToolCatalogFileException($"{where}: the name is already used by tool {names[name]}; tool names must be unique.");
            }

            result.Add(AIFunctionFactory.CreateDeclaration(name, description, schema.Clone()));
            index++;
        }

        return result;
    }
}

/// <summary>A tool catalog file could not be read; the message names the file and the entry.</summary>
public sealed class ToolCatalogFileException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ToolCatalogFileException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was wrong, and where.</param>
    public ToolCatalogFileException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was wrong, and where.</param>
    /// <param name="innerException">The cause.</param>
    public ToolCatalogFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
