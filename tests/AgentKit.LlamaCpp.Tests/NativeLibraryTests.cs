using AgentKit.LlamaCpp.Native;

namespace AgentKit.LlamaCpp.Tests;

public sealed class NativeLibraryTests
{
    [Fact]
    public void Initialize_LoadsNativesAndFindsCpuDevice()
    {
        LlamaNativeLibrary.Initialize();

        Assert.NotNull(LlamaNativeLibrary.LoadedFrom);
        Assert.Contains(LlamaNativeLibrary.Devices, d => d.Type == LlamaBackendDeviceType.Cpu);
    }
}
