using AgentKit.Testing;

namespace AgentKit.Cli.Tests;

public sealed class ModelsQuantizeCommandTests
{
    [Fact]
    public async Task Quantize_GeneratedModel_WritesTheCopyAndPrintsItsPath()
    {
        using var cli = new CliHarness();
        var output = Path.Combine(cli.Cache.FullName, "tiny-q8_0.gguf");

        var exit = await cli.RunAsync("models", "quantize", TestModelFactory.GetOrCreate(TestModelFactory.TinyQwen2), output, "--type", "q8_0", "--threads", "1");

        Assert.True(exit == 0, cli.Error);
        Assert.True(File.Exists(output));
        Assert.Contains(output, cli.Out, StringComparison.Ordinal);
        Assert.Contains("q8_0", cli.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Quantize_UnknownType_ListsTheTypesAndExits1()
    {
        using var cli = new CliHarness();

        var exit = await cli.RunAsync("models", "quantize", TestModelFactory.GetOrCreate(TestModelFactory.TinyQwen2), Path.Combine(cli.Cache.FullName, "x.gguf"), "--type", "q3_0");

        Assert.Equal(1, exit);
        Assert.Contains("--type: 'q3_0' is not a quantization type", cli.Error, StringComparison.Ordinal);
        Assert.Contains("q4_0", cli.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", cli.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Quantize_MissingInput_PrintsTypedErrorNamingItAndExits1()
    {
        using var cli = new CliHarness();
        var missing = Path.Combine(cli.Cache.FullName, "absent.gguf");

        var missingExit = await cli.RunAsync("models", "quantize", missing, Path.Combine(cli.Cache.FullName, "out.gguf"), "--type", "q4_0");
        Assert.Equal(1, missingExit);
        Assert.Contains("does not exist", cli.Error, StringComparison.Ordinal);
        Assert.Contains(missing, cli.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Quantize_OutputFolderMissing_PrintsTypedErrorAndExits1()
    {
        using var cli = new CliHarness();
        var output = Path.Combine(cli.Cache.FullName, "no-such-folder", "out.gguf");

        var exit = await cli.RunAsync("models", "quantize", TestModelFactory.GetOrCreate(TestModelFactory.TinyQwen2), output, "--type", "q4_0");

        Assert.Equal(1, exit);
        Assert.Contains("does not exist", cli.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", cli.Error, StringComparison.Ordinal);
    }
}
