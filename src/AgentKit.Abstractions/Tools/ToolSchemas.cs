using System.Runtime.CompilerServices;
using System.Text.Json;
using AgentKit.Abstractions.Json;
using Microsoft.Extensions.AI;

namespace AgentKit.Abstractions.Tools;

/// <summary>Each tool's compiled parameter schema, built once per function instance (at registration) and reused by every call.</summary>
internal static class ToolSchemas
{
    private static readonly ConditionalWeakTable<AIFunction, StrongBox<JsonSchemaValidator?>> Compiled = [];

    /// <summary>The tool's validator; <see langword="null"/> when it declares no schema (it accepts any arguments).</summary>
    /// <exception cref="ToolSchemaException">The schema cannot be enforced.</exception>
    public static JsonSchemaValidator? For(AIFunction tool) =>
        Compiled.GetValue(tool, static t => new StrongBox<JsonSchemaValidator?>(Compile(t))).Value;

    private static JsonSchemaValidator? Compile(AIFunction tool)
    {
        if (tool.JsonSchema.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        try
        {
            return JsonSchemaValidator.Create(tool.JsonSchema);
        }
        catch (JsonSchemaNotSupportedException e)
        {
            throw new ToolSchemaException(tool.Name, e);
        }
    }
}
