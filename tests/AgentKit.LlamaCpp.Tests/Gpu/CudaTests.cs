using AgentKit.LlamaCpp.Generation;
using AgentKit.LlamaCpp.Native;
using AgentKit.LlamaCpp.Tests.Engine;

namespace AgentKit.LlamaCpp.Tests.Gpu;

/// <summary>
/// The engine on a GPU. They run where the CUDA natives are built in (<c>-p:AgentKitLlamaBackend=cuda</c>) and a GPU
/// is present (<c>bench/gpu/run.sh</c> does both); anywhere else they are skipped with the reason.
/// </summary>
public sealed class CudaTests
{
    private static async Task<LlamaBackendDevice> GpuAsync()
    {
        // Loading a model initialises the natives, which lists the devices.
        _ = await SharedModels.Qwen2;
        var gpu = LlamaNativeLibrary.Devices.FirstOrDefault(d => d.Type == LlamaBackendDeviceType.Gpu);
        Assert.SkipWhen(gpu is null, "No GPU backend device: build with -p:AgentKitLlamaBackend=cuda on a machine with a GPU (bench/gpu/run.sh).");
        return gpu!;
    }

    [Fact]
    public async Task Devices_ListTheGpuWithItsMemory()
    {
        var gpu = await GpuAsync();

        Assert.True(gpu.TotalMemoryBytes > 0);
        Assert.InRange(gpu.FreeMemoryBytes, 1, gpu.TotalMemoryBytes);
    }

    [Fact]
    public async Task Model_AllLayersOnTheGpu_GeneratesTheSameGreedyTokensTwiceAndUsesGpuMemory()
    {
        var gpu = await GpuAsync();
        var freeBefore = LlamaNativeLibrary.ReadDevices().First(d => d.Name == gpu.Name).FreeMemoryBytes;
        using var model = await LlamaModel.LoadAsync(SharedModels.Qwen2Path, new LlamaModelOptions { GpuLayerCount = -1 }, cancellationToken: TestContext.Current.CancellationToken);
        var prompt = model.Vocabulary.Tokenize("The quick brown fox");
        var options = new LlamaGenerationOptions { MaxTokens = 16, Sampling = Sampling.LlamaSamplingOptions.Greedy };

        string[] outputs = new string[2];
        for (var i = 0; i < outputs.Length; i++)
        {
            using var context = model.CreateContext(SharedModels.SmallContext);
            var completion = await context.CompleteAsync(prompt, options, cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal(16, completion.Usage.GeneratedTokens);
            outputs[i] = completion.Text;
        }

        Assert.Equal(outputs[0], outputs[1]);
        Assert.True(LlamaNativeLibrary.ReadDevices().First(d => d.Name == gpu.Name).FreeMemoryBytes < freeBefore, "loading with every layer offloaded took no GPU memory");
    }
}
