using System.ComponentModel;
using AgentKit.Abstractions.Tools;
using AgentKit.Agents.Plugins;
using AgentKit.Agents.Tools;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;

namespace AgentKit.Agents.Tests.Plugins;

public sealed class SemanticKernelPluginTests
{
    internal sealed class PriceList
    {
        private readonly Dictionary<string, decimal> _prices = new(StringComparer.Ordinal) { ["A-1"] = 12.5m };

        public decimal PriceOf(string sku) => _prices[sku];
    }

    internal sealed class PricingPlugin(PriceList prices)
    {
        [KernelFunction("price")]
        [Description("The price of a product.")]
        public decimal Price([Description("The SKU.")] string sku) => prices.PriceOf(sku);
    }

    [Fact]
    public async Task FromType_ConstructsWithDependencies_AndInvokes()
    {
        using var services = new ServiceCollection().AddSingleton<PriceList>().BuildServiceProvider();
        var tool = Assert.Single(SemanticKernelPlugins.FromType<PricingPlugin>(services));

        Assert.Equal("PricingPlugin_price", tool.Name);
        Assert.Equal("The price of a product.", tool.Description);
        Assert.Contains("sku", tool.JsonSchema.GetRawText(), StringComparison.Ordinal);

        // Only JSON Schema keywords: Semantic Kernel's stray "condition" key would make strict consumers reject the tool.
        Assert.False(tool.JsonSchema.TryGetProperty("condition", out _));
        Assert.Equal("The price of a product.", tool.JsonSchema.GetProperty("description").GetString());
        var result = await tool.InvokeAsync(new AIFunctionArguments { ["sku"] = "A-1" });
        Assert.Contains("12.5", result?.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddAgentKitPlugin_PutsItsFunctionsInTheCatalog()
    {
        using var services = new ServiceCollection()
            .AddSingleton<PriceList>()
            .AddAgentKitAgents(TempFiles.NewDatabasePath())
            .AddAgentKitPlugin<PricingPlugin>("pricing")
            .AddAgentKitTools(AIFunctionFactory.Create(() => "pong", "ping"))
            .BuildServiceProvider();

        var all = await services.GetRequiredService<ToolCatalog>().GetAllAsync();

        Assert.Equal(["ping", "pricing_price"], all.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Catalog_UnknownName_NamesTheRegisteredTools()
    {
        var catalog = new ToolCatalog([new StaticToolSource([AIFunctionFactory.Create(() => 1, "one")])]);
        var error = await Assert.ThrowsAsync<ToolCatalogException>(async () => await catalog.ResolveAsync(["two"]));
        Assert.Contains("'two'", error.Message, StringComparison.Ordinal);
        Assert.Contains("one", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Catalog_DuplicateName_IsAnError()
    {
        var catalog = new ToolCatalog([new StaticToolSource([AIFunctionFactory.Create(() => 1, "one")]), new StaticToolSource([AIFunctionFactory.Create(() => 2, "one")])]);
        await Assert.ThrowsAsync<ToolCatalogException>(async () => await catalog.GetAllAsync());
    }
}
