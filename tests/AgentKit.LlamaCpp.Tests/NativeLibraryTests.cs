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

    [Fact]
    public void TheBuildsChoice_IsTheFolderInItsFile_AndNoneWhenTheFileIsAbsentOrEmpty()
    {
        // This test project is built with the default backend: its output holds the file, empty (the fetched libraries).
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, LlamaNativeLibrary.BuildChoiceFile)), "every build writes the file, so that a later build with another backend never leaves a stale choice");
        Assert.Null(LlamaNativeLibrary.ChosenAtBuild(AppContext.BaseDirectory));

        var folder = Directory.CreateTempSubdirectory("agentkit-natives-choice-").FullName;
        try
        {
            Assert.Null(LlamaNativeLibrary.ChosenAtBuild(folder));
            File.WriteAllText(Path.Combine(folder, LlamaNativeLibrary.BuildChoiceFile), "\n");
            Assert.Null(LlamaNativeLibrary.ChosenAtBuild(folder));
            File.WriteAllText(Path.Combine(folder, LlamaNativeLibrary.BuildChoiceFile), "/opt/llama.cpp-native/build/bin \n");
            Assert.Equal("/opt/llama.cpp-native/build/bin", LlamaNativeLibrary.ChosenAtBuild(folder));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
