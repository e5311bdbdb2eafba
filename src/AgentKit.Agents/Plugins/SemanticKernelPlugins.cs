using Microsoft.Extensions.AI;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.SemanticKernel;

namespace AgentKit.Agents.Plugins;

/// <summary>Turns Semantic Kernel plugins (classes with <c>[KernelFunction]</c> methods) into tools.</summary>
public static class SemanticKernelPlugins
{
    /// <summary>The plugin's functions as <see cref="AIFunction"/>s, bound to a kernel over <paramref name="services"/>.</summary>
    /// <param name="plugin">The plugin, for example from <c>KernelPluginFactory.CreateFromType&lt;T&gt;()</c>.</param>
    /// <param name="services">Services the functions may ask for through the kernel; <see langword="null"/> for none.</param>
    /// <returns>One tool per kernel function, named <c>Plugin_Function</c>.</returns>
    public static IReadOnlyList<AIFunction> ToAIFunctions(KernelPlugin plugin, IServiceProvider? services = null)
    {
        ArgumentNullException.ThrowIfNull(plugin);
        var kernel = new Kernel(services);
        return [.. plugin.AsAIFunctions(kernel).Select(KernelSchemaFix.Apply)];
    }

    /// <summary>Creates the plugin <typeparamref name="T"/> with its constructor dependencies from <paramref name="services"/> and returns its functions.</summary>
    /// <typeparam name="T">The plugin class.</typeparam>
    /// <param name="services">Resolves the plugin's constructor parameters.</param>
    /// <param name="pluginName">The plugin name; defaults to the class name.</param>
    /// <returns>One tool per kernel function.</returns>
    public static IReadOnlyList<AIFunction> FromType<T>(IServiceProvider services, string? pluginName = null) => FromType(typeof(T), services, pluginName);

    /// <summary>Creates the plugin class <paramref name="pluginType"/> with its constructor dependencies from <paramref name="services"/> and returns its functions.</summary>
    /// <param name="pluginType">The plugin class.</param>
    /// <param name="services">Resolves the plugin's constructor parameters.</param>
    /// <param name="pluginName">The plugin name; defaults to the class name.</param>
    /// <returns>One tool per kernel function.</returns>
    public static IReadOnlyList<AIFunction> FromType(Type pluginType, IServiceProvider services, string? pluginName = null) =>
        ToAIFunctions(KernelPluginFactory.CreateFromType(pluginType, pluginName, services), services);
}

/// <summary>
/// Semantic Kernel 1.82 writes a kernel function's description into its parameter schema under the key
/// <c>condition</c>, which is no JSON Schema keyword: strict consumers (the llama.cpp tool grammar, argument
/// validation) reject it. This moves it to <c>description</c> and leaves every other schema untouched.
/// </summary>
internal sealed class KernelSchemaFix(AIFunction inner, JsonElement schema) : DelegatingAIFunction(inner)
{
    public override JsonElement JsonSchema => schema;

    public static AIFunction Apply(AIFunction function)
    {
        if (function.JsonSchema.ValueKind != JsonValueKind.Object || !function.JsonSchema.TryGetProperty("condition", out var misplaced) || misplaced.ValueKind != JsonValueKind.String)
        {
            return function;
        }

        var root = JsonNode.Parse(function.JsonSchema.GetRawText())!.AsObject();
        root.Remove("condition");
        if (!root.ContainsKey("description"))
        {
            root["description"] = misplaced.GetString();
        }

        return new KernelSchemaFix(function, JsonSerializer.SerializeToElement(root, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonObject))));
    }
}
