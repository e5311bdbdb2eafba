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

    [Fact]
    public void TheBuildsChoice_IsLoaded_AndAMissingOneIsATypedErrorNotASilentFallback()
    {
        Assert.SkipWhen(Environment.GetEnvironmentVariable(LlamaNativeLibrary.LibraryDirectoryVariable) is { Length: > 0 }, "AGENTKIT_LLAMA_LIB_DIR is set: it wins over the build's choice.");
        var application = Directory.CreateTempSubdirectory("agentkit-natives-app-").FullName;
        try
        {
            // Fetched natives beside the application, as a default build leaves them.
            var fetched = Directory.CreateDirectory(Path.Combine(application, "runtimes", "linux-x64", "native")).FullName;
            File.WriteAllText(Path.Combine(fetched, "libllama.v0.5.0.so"), "");
            Assert.Equal(fetched, LlamaNativeLibrary.ResolveDirectory(null, application));

            var native = Directory.CreateDirectory(Path.Combine(application, "native-build")).FullName;
            File.WriteAllText(Path.Combine(application, LlamaNativeLibrary.BuildChoiceFile), native);
            var error = Assert.Throws<LlamaNativeLibraryException>(() => LlamaNativeLibrary.ResolveDirectory(null, application));
            Assert.Contains(native, error.Message, StringComparison.Ordinal);
            Assert.Contains(LlamaNativeLibrary.BuildChoiceFile, error.Message, StringComparison.Ordinal);

            File.WriteAllText(Path.Combine(native, "libllama.so"), "");
            Assert.Equal(native, LlamaNativeLibrary.ResolveDirectory(null, application));
            Assert.Equal(fetched, LlamaNativeLibrary.ResolveDirectory(fetched, application));
        }
        finally
        {
            Directory.Delete(application, recursive: true);
        }
    }
}
