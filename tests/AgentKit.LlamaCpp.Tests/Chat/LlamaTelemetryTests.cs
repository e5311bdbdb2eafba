using AgentKit.Abstractions.Diagnostics;
using AgentKit.LlamaCpp.Chat;
using AgentKit.LlamaCpp.Tests.Engine;
using AgentKit.Testing;
using Microsoft.Extensions.AI;

namespace AgentKit.LlamaCpp.Tests.Chat;

/// <summary>The <c>AgentKit.LlamaCpp</c> meter: context pool limit, use and queue, and tokens per second, on a generated model.</summary>
public sealed class LlamaTelemetryTests
{
    private static string UniqueModelId() => "telemetry-" + Guid.NewGuid().ToString("N")[..8];

    private static List<CollectedMeasurement> For(MeasurementCollector metrics, string instrument, string modelId) =>
        [.. metrics.Of(instrument).Where(m => Equals(m.Tag(TelemetryAttributes.LlamaModel), modelId))];

    [Fact]
    public async Task Pool_BeyondCapacity_ReportsInUseQueuedAndWait()
    {
        var modelId = UniqueModelId();
        using var metrics = new MeasurementCollector(AgentKitTelemetry.LlamaCppMeterName);
        var model = await SharedModels.Qwen2;
        using (var pool = new LlamaContextPool(model, SharedModels.SmallContext, maxContexts: 1, modelId))
        {
            var first = await pool.RentAsync([], TestContext.Current.CancellationToken);
            var second = pool.RentAsync([], TestContext.Current.CancellationToken);
            Assert.False(second.IsCompleted);
            Assert.Equal([1.0], For(metrics, "agentkit.llama.context_pool.queued", modelId).Select(m => m.Value));
            Assert.Equal([1.0], For(metrics, "agentkit.llama.context_pool.in_use", modelId).Select(m => m.Value));

            first.Dispose();
            using (await second)
            {
                Assert.Equal([1.0, -1.0], For(metrics, "agentkit.llama.context_pool.queued", modelId).Select(m => m.Value));
                Assert.Equal([1.0, -1.0, 1.0], For(metrics, "agentkit.llama.context_pool.in_use", modelId).Select(m => m.Value));
                Assert.True(Assert.Single(For(metrics, "agentkit.llama.context_pool.wait.duration", modelId)).Value > 0);
            }
        }

        Assert.Equal(0, For(metrics, "agentkit.llama.context_pool.in_use", modelId).Sum(m => m.Value));
        Assert.Equal([1.0, -1.0], For(metrics, "agentkit.llama.context_pool.limit", modelId).Select(m => m.Value));
    }

    [Fact]
    public async Task Generation_ReportsPromptAndGenerationTokensPerSecond()
    {
        var modelId = UniqueModelId();
        using var metrics = new MeasurementCollector(AgentKitTelemetry.LlamaCppMeterName);
        using var client = new LlamaChatClient(await SharedModels.Qwen2, new LlamaChatClientOptions { ModelId = modelId, Context = SharedModels.SmallContext });

        var response = await client.GetResponseAsync("Count to ten.", new ChatOptions { MaxOutputTokens = 8, Temperature = 0 }, TestContext.Current.CancellationToken);

        Assert.True(Assert.Single(For(metrics, "agentkit.llama.prompt.tokens_per_second", modelId)).Value > 0);
        var generated = For(metrics, "agentkit.llama.generation.tokens_per_second", modelId);
        if (response.Usage!.OutputTokenCount > 1)
        {
            Assert.True(Assert.Single(generated).Value > 0);
        }
        else
        {
            Assert.Empty(generated);
        }
    }
}
