using System.Security.Cryptography;
using AgentKit.Testing;
using AgentKit.Testing.Http;

namespace AgentKit.Cli.Tests;

public sealed class ModelsCommandTests
{
    private const string Repo = "Acme/Tiny-GGUF";
    private const string FileName = "tiny.gguf";
    private const string FilePath = "/Acme/Tiny-GGUF/resolve/main/tiny.gguf";

    private static readonly byte[] Content = CreateContent();

    [Fact]
    public async Task ModelsInfo_NotAGgufFile_PrintsTypedErrorWithoutStackTraceAndExits1()
    {
        using var cli = new CliHarness();
        var path = Path.Combine(cli.Cache.FullName, "notes.gguf");
        await File.WriteAllTextAsync(path, "these are not the weights you are looking for", TestContext.Current.CancellationToken);

        var exit = await cli.RunAsync("models", "info", path);

        Assert.Equal(1, exit);
        Assert.Contains("not a GGUF file", cli.Error, StringComparison.Ordinal);
        Assert.Contains(path, cli.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", cli.Error, StringComparison.Ordinal);
        Assert.Empty(cli.Out);
    }

    [Fact]
    public async Task ModelsInfo_MissingFile_PrintsTypedErrorAndExits1()
    {
        using var cli = new CliHarness();
        var path = Path.Combine(cli.Cache.FullName, "absent.gguf");

        var exit = await cli.RunAsync("models", "info", path);

        Assert.Equal(1, exit);
        Assert.Contains("does not exist", cli.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelsInfo_QwenVocabulary_PrintsArchitectureTokensAndTemplate()
    {
        var vocab = LlamaSourceAssets.VocabFile("qwen2");
        using var cli = new CliHarness();

        var exit = await cli.RunAsync("models", "info", vocab);

        Assert.True(exit == 0, cli.Error);
        Assert.Contains("qwen2", cli.Out, StringComparison.Ordinal);
        Assert.Contains("<|endoftext|>", cli.Out, StringComparison.Ordinal);
        Assert.Contains("<|im_start|>", cli.Out, StringComparison.Ordinal);
        Assert.Contains("151,", cli.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelsInfo_GeneratedModel_PrintsParameterCountLayersAndHeads()
    {
        var path = TestModelFactory.GetOrCreate(TestModelFactory.TinyQwen2);
        var spec = TestModelFactory.TinyQwen2;
        using var cli = new CliHarness();

        var exit = await cli.RunAsync("models", "info", path);

        Assert.True(exit == 0, cli.Error);
        Assert.Matches($@"Layers\s+{spec.Layers}\n", cli.Out);
        Assert.Matches($@"Attention heads\s+{spec.Heads} \(KV {spec.KvHeads}\)", cli.Out);
        Assert.Matches(@"Parameters\s+[1-9][\d.]* M \(", cli.Out);
        Assert.Matches(@"Quantization\s+F16", cli.Out);
    }

    [Fact]
    public async Task ModelsPull_LoopbackHub_DownloadsAndPrintsPathOnStdout()
    {
        await using var hub = new LoopbackHttpServer(LoopbackHttpServer.ServeFile(FilePath, Content, etag: Sha(Content)));
        using var cli = new CliHarness(hub.BaseAddress);

        var exit = await cli.RunAsync("models", "pull", Repo, FileName);

        Assert.True(exit == 0, cli.Error);
        var expected = Path.Combine(cli.Cache.FullName, "Acme__Tiny-GGUF", FileName);
        Assert.Equal(expected, cli.Out.Trim());
        Assert.Equal(Content, await File.ReadAllBytesAsync(expected, TestContext.Current.CancellationToken));
        Assert.Contains("Downloading", cli.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelsPull_AlreadyCached_PrintsPathWithoutRequest()
    {
        await using var hub = new LoopbackHttpServer(LoopbackHttpServer.ServeFile(FilePath, Content, etag: Sha(Content)));
        using var cli = new CliHarness(hub.BaseAddress);
        await cli.RunAsync("models", "pull", Repo, FileName);

        var exit = await cli.RunAsync("models", "pull", Repo, FileName, "--sha256", Sha(Content));

        Assert.Equal(0, exit);
        Assert.Single(hub.Requests);
    }

    [Fact]
    public async Task ModelsPull_ShaMismatch_Exits1AndLeavesNoFile()
    {
        await using var hub = new LoopbackHttpServer(LoopbackHttpServer.ServeFile(FilePath, Content));
        using var cli = new CliHarness(hub.BaseAddress);
        var wrong = new string('a', 64);

        var exit = await cli.RunAsync("models", "pull", Repo, FileName, "--sha256", wrong);

        Assert.Equal(1, exit);
        Assert.Contains(wrong, cli.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(cli.Cache.FullName, "Acme__Tiny-GGUF", FileName)));
    }

    [Fact]
    public async Task ModelsPull_FileNotInRepository_Exits1NamingRepoAndFile()
    {
        await using var hub = new LoopbackHttpServer(LoopbackHttpServer.ServeFile(FilePath, Content));
        using var cli = new CliHarness(hub.BaseAddress);

        var exit = await cli.RunAsync("models", "pull", Repo, "nope.gguf");

        Assert.Equal(1, exit);
        Assert.Contains("'nope.gguf' was not found in repository 'Acme/Tiny-GGUF'", cli.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelsPull_HubUnreachable_Exits2WithOneLine()
    {
        using var cli = new CliHarness(LoopbackHttpServer.ClosedAddress());

        var exit = await cli.RunAsync("models", "pull", Repo, FileName);

        Assert.Equal(2, exit);
        var line = Assert.Single(cli.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("Cannot reach 127.0.0.1 to download Acme/Tiny-GGUF/tiny.gguf", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelsPull_WellKnownEmbeddingModelByName_DownloadsItsRepositoryFile()
    {
        await using var hub = new LoopbackHttpServer(LoopbackHttpServer.ServeFile("/CompendiumLabs/bge-small-en-v1.5-gguf/resolve/main/bge-small-en-v1.5-q8_0.gguf", Content, etag: Sha(Content)));
        using var cli = new CliHarness(hub.BaseAddress);

        var exit = await cli.RunAsync("models", "pull", "BGE-small-en-v1.5");

        Assert.True(exit == 0, cli.Error);
        Assert.Equal(Path.Combine(cli.Cache.FullName, "CompendiumLabs__bge-small-en-v1.5-gguf", "bge-small-en-v1.5-q8_0.gguf"), cli.Out.Trim());
        Assert.Equal(Content, await File.ReadAllBytesAsync(cli.Out.Trim(), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ModelsPull_UnknownNameWithoutFile_Exits1ListingTheKnownNames()
    {
        using var cli = new CliHarness();

        var exit = await cli.RunAsync("models", "pull", "no-such-embedder");

        Assert.Equal(1, exit);
        Assert.Contains("'no-such-embedder' is not a well-known model", cli.Error, StringComparison.Ordinal);
        Assert.Contains("nomic-embed-text-v1.5", cli.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelsPull_WellKnownNameWhileOffline_Exits2WithOneLineNamingTheFile()
    {
        using var cli = new CliHarness(LoopbackHttpServer.ClosedAddress());

        var exit = await cli.RunAsync("models", "pull", "nomic-embed-text-v1.5");

        Assert.Equal(2, exit);
        var line = Assert.Single(cli.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("Cannot reach 127.0.0.1 to download nomic-ai/nomic-embed-text-v1.5-GGUF/nomic-embed-text-v1.5.Q8_0.gguf", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelsPull_MalformedRepository_Exits1WithReason()
    {
        using var cli = new CliHarness();

        var exit = await cli.RunAsync("models", "pull", "../../etc", FileName);

        Assert.Equal(1, exit);
        Assert.Contains("not a Hugging Face repository id", cli.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelsPull_CtrlCWhileWaiting_StopsCleanlyWithExit130()
    {
        await using var hub = new LoopbackHttpServer(_ => LoopbackResponse.Empty(200) with { Delay = TimeSpan.FromSeconds(30) });
        using var cli = new CliHarness(hub.BaseAddress);

        var run = cli.RunAsync("models", "pull", Repo, FileName);
        while (!cli.CancelKey.HasHandlers)
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        Assert.True(cli.CancelKey.Press());
        Assert.Equal(130, await run);
        Assert.Contains("Stopped", cli.Error, StringComparison.Ordinal);
    }

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static byte[] CreateContent()
    {
        var bytes = new byte[300_000];
        new Random(7).NextBytes(bytes);
        return bytes;
    }
}
