using System.ComponentModel;
using AgentKit.Agents.Mcp;
using AgentKit.Agents.Plugins;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;

// Serves ShippingPlugin's functions over stdin/stdout; the Configured sample starts this process from
// AgentKit:Tools:McpServers:shipping.
var services = new ServiceCollection().BuildServiceProvider();
await AgentKitMcpServer.RunStdioAsync(SemanticKernelPlugins.FromType<ShippingPlugin>(services, "shipping"), "configured-tools");

/// <summary>Delivery estimates by destination country.</summary>
internal sealed class ShippingPlugin
{
    private static readonly Dictionary<string, int> Days = new(StringComparer.OrdinalIgnoreCase)
    {
        ["DE"] = 2, ["FR"] = 3, ["NL"] = 2, ["GB"] = 4, ["US"] = 7,
    };

    [KernelFunction("delivery_days")]
    [Description("Working days a standard parcel takes to reach a country.")]
    public static string DeliveryDays([Description("The destination's ISO 3166 two-letter country code, e.g. DE.")] string country) =>
        Days.TryGetValue(country.Trim(), out var days)
            ? $"{days} working days to {country.ToUpperInvariant()}."
            : $"No delivery estimate for '{country}'; we ship to {string.Join(", ", Days.Keys)}.";
}
