using System.ComponentModel;
using AgentKit.Agents.Mcp;
using AgentKit.Agents.Plugins;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;

// Serves AgentKit plugins over stdio for the MCP tests: a DI-constructed Semantic Kernel plugin and a plain function.
var services = new ServiceCollection().AddSingleton<Inventory>().BuildServiceProvider();
var tools = SemanticKernelPlugins.FromType<InventoryPlugin>(services).ToList();
tools.Add(AIFunctionFactory.Create((string text) => new string(text.Reverse().ToArray()), "reverse", "Reverses a text."));
await AgentKitMcpServer.RunStdioAsync(tools, "agentkit-test");

internal sealed class Inventory
{
    private readonly Dictionary<string, int> _stock = new(StringComparer.Ordinal) { ["A-1"] = 7 };

    public int StockOf(string sku) => _stock.GetValueOrDefault(sku);
}

internal sealed class InventoryPlugin(Inventory inventory)
{
    [KernelFunction("stock")]
    [Description("Units in stock for a product.")]
    public int Stock([Description("The product's SKU.")] string sku) => inventory.StockOf(sku);
}
