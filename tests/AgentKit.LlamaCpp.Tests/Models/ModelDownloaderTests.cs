using System.Security.Cryptography;
using AgentKit.LlamaCpp.Models;
using AgentKit.Testing.Http;

namespace AgentKit.LlamaCpp.Tests.Models;

public sealed class ModelDownloaderTests : IDisposable
{
    private const string Repo = "Acme/Tiny-GGUF";
    private const string FileName = "tiny-q4_k_m.gguf";
    private const string FilePath = "/Acme/Tiny-GGUF/resolve/main/tiny-q4_k_m.gguf";

    private readonly DirectoryInfo _cache = Directory.CreateTempSubdirectory("agentkit-models-");
    private readonly byte[] _content = RandomContent(3 * 1024 * 1024 + 17, seed: 1);
    private readonly HttpClient _http = ModelDownloader.CreateHttpClient();

    private string Sha => Convert.ToHexStringLower(SHA256.HashData(_content));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _http.Dispose();
        _cache.Delete(recursive: true);
    }

    [Fact]
    public async Task Pull_FreshDownload_WritesVerifiedFileAndReportsProgress()
    {
        await using var server = new LoopbackHttpServer(LoopbackHttpServer.ServeFile(FilePath, _content, etag: Sha));
        var reports = new List<DownloadProgress>();

        var path = await Downloader(server.BaseAddress).PullAsync(new ModelReference(Repo, FileName), new SyncProgress(reports.Add), Ct);

        Assert.Equal(Path.Combine(_cache.FullName, "Acme__Tiny-GGUF", FileName), path);
        Assert.Equal(_content, await File.ReadAllBytesAsync(path, Ct));
        Assert.False(File.Exists(path + ".partial"));
        Assert.StartsWith(Sha, await File.ReadAllTextAsync(path + ".sha256", Ct), StringComparison.Ordinal);
        Assert.Equal(new DownloadProgress(_content.Length, _content.Length, 0), reports[^1]);
        Assert.Null(server.Requests.Single().Header("Range"));
    }

    [Fact]
    public async Task Pull_PartialFileExists_ResumesWithRangeAndFetchesOnlyTheRest()
    {
        await using var server = new LoopbackHttpServer(LoopbackHttpServer.ServeFile(FilePath, _content, etag: Sha));
        var model = new ModelReference(Repo, FileName);
        var downloader = Downloader(server.BaseAddress);
        var target = downloader.GetCachePath(model);
        const int already = 1_000_000;
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        await File.WriteAllBytesAsync(target + ".partial", _content[..already], Ct);
        var reports = new List<DownloadProgress>();

        await downloader.PullAsync(model, new SyncProgress(reports.Add), Ct);

        Assert.Equal(_content, await File.ReadAllBytesAsync(target, Ct));
        Assert.Equal("bytes=1000000-", server.Requests.Single().Header("Range"));
        Assert.Equal(_content.Length - already, server.BodyBytesSent);
        Assert.All(reports, r => Assert.Equal(already, r.ResumedFrom));
    }

    [Fact]
    public async Task Pull_ConnectionDropsMidway_KeepsPartialAndNextPullResumes()
    {
        var model = new ModelReference(Repo, FileName);
        const int dropAfter = 1_500_000;
        string target;
        await using (var dropping = new LoopbackHttpServer(LoopbackHttpServer.ServeFile(FilePath, _content, etag: Sha, dropAfter: dropAfter)))
        {
            var downloader = Downloader(dropping.BaseAddress);
            target = downloader.GetCachePath(model);

            var error = await Assert.ThrowsAsync<ModelDownloadException>(() => downloader.PullAsync(model, null, Ct));

            Assert.False(error.IsOffline);
            Assert.Contains("run again to resume", error.Message, StringComparison.Ordinal);
            Assert.Equal(dropAfter, new FileInfo(target + ".partial").Length);
            Assert.False(File.Exists(target));
        }

        await using var server = new LoopbackHttpServer(LoopbackHttpServer.ServeFile(FilePath, _content, etag: Sha));
        await Downloader(server.BaseAddress).PullAsync(model, null, Ct);

        Assert.Equal(_content, await File.ReadAllBytesAsync(target, Ct));
        Assert.Equal(_content.Length - dropAfter, server.BodyBytesSent);
    }

    [Fact]
    public async Task Pull_ServerIgnoresRange_RestartsFromZero()
    {
        await using var server = new LoopbackHttpServer(LoopbackHttpServer.ServeFile(FilePath, _content, honorRange: false, etag: Sha));
        var model = new ModelReference(Repo, FileName);
        var downloader = Downloader(server.BaseAddress);
        var target = downloader.GetCachePath(model);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        await File.WriteAllBytesAsync(target + ".partial", RandomContent(500_000, seed: 2), Ct);

        await downloader.PullAsync(model, null, Ct);

        Assert.Equal("bytes=500000-", server.Requests.Single().Header("Range"));
        Assert.Equal(_content, await File.ReadAllBytesAsync(target, Ct));
    }

    [Fact]
    public async Task Pull_PartialAlreadyHoldsWholeFile_VerifiesWithoutDownloading()
    {
        await using var server = new LoopbackHttpServer(LoopbackHttpServer.ServeFile(FilePath, _content, etag: Sha));
        var model = new ModelReference(Repo, FileName);
        var downloader = Downloader(server.BaseAddress);
        var target = downloader.GetCachePath(model);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        await File.WriteAllBytesAsync(target + ".partial", _content, Ct);

        await downloader.PullAsync(model, null, Ct);

        Assert.Equal($"bytes={_content.Length}-", server.Requests.Single().Header("Range"));
        Assert.Equal(0, server.BodyBytesSent);
        Assert.Equal(_content, await File.ReadAllBytesAsync(target, Ct));
    }

    [Fact]
    public async Task Pull_BodyDoesNotMatchPinnedSha_ThrowsAndLeavesNoFile()
    {
        await using var server = new LoopbackHttpServer(LoopbackHttpServer.ServeFile(FilePath, _content));
        var wrongSha = Convert.ToHexStringLower(SHA256.HashData(RandomContent(10, seed: 3)));
        var model = new ModelReference(Repo, FileName, expectedSha256: wrongSha);
        var downloader = Downloader(server.BaseAddress);

        var error = await Assert.ThrowsAsync<ModelDownloadException>(() => downloader.PullAsync(model, null, Ct));

        Assert.Contains(wrongSha, error.Message, StringComparison.Ordinal);
        Assert.Contains(Sha, error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(downloader.GetCachePath(model)));
        Assert.False(File.Exists(downloader.GetCachePath(model) + ".partial"));
    }

    [Fact]
    public async Task Pull_BodyDoesNotMatchServerEtag_ThrowsAndLeavesNoFile()
    {
        var corrupt = (byte[])_content.Clone();
        corrupt[12345] ^= 0xFF;
        await using var server = new LoopbackHttpServer(LoopbackHttpServer.ServeFile(FilePath, corrupt, etag: Sha));
        var model = new ModelReference(Repo, FileName);
        var downloader = Downloader(server.BaseAddress);

        var error = await Assert.ThrowsAsync<ModelDownloadException>(() => downloader.PullAsync(model, null, Ct));

        Assert.Contains("SHA-256", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(downloader.GetCachePath(model)));
        Assert.False(File.Exists(downloader.GetCachePath(model) + ".partial"));
    }

    [Fact]
    public async Task Pull_ServerEtagDiffersFromPinnedSha_FailsBeforeWritingAnything()
    {
        var pinned = Convert.ToHexStringLower(SHA256.HashData(RandomContent(10, seed: 4)));
        await using var server = new LoopbackHttpServer(LoopbackHttpServer.ServeFile(FilePath, _content, etag: Sha));
        var model = new ModelReference(Repo, FileName, expectedSha256: pinned);
        var downloader = Downloader(server.BaseAddress);

        var error = await Assert.ThrowsAsync<ModelDownloadException>(() => downloader.PullAsync(model, null, Ct));

        Assert.Contains("changed upstream", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(downloader.GetCachePath(model) + ".partial"));
    }

    [Fact]
    public async Task Pull_SizeDiffersFromPinnedSize_ThrowsNamingBothSizes()
    {
        await using var server = new LoopbackHttpServer(LoopbackHttpServer.ServeFile(FilePath, _content));
        var model = new ModelReference(Repo, FileName, expectedSize: 1234);

        var error = await Assert.ThrowsAsync<ModelDownloadException>(() => Downloader(server.BaseAddress).PullAsync(model, null, Ct));

        Assert.Contains("1234", error.Message, StringComparison.Ordinal);
        Assert.Contains(_content.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pull_FileLargerThanLimit_ThrowsBeforeDownloading()
    {
        await using var server = new LoopbackHttpServer(LoopbackHttpServer.ServeFile(FilePath, _content));
        var options = new ModelDownloaderOptions { BaseAddress = server.BaseAddress, CacheDirectory = _cache.FullName, MaxFileSize = 1024 };

        var error = await Assert.ThrowsAsync<ModelDownloadException>(
            () => new ModelDownloader(_http, options).PullAsync(new ModelReference(Repo, FileName), null, Ct));

        Assert.Contains("MaxFileSize", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pull_NotFound_ThrowsNamingRepoAndFile()
    {
        await using var server = new LoopbackHttpServer(LoopbackHttpServer.ServeFile(FilePath, _content));
        var model = new ModelReference(Repo, "missing.gguf");

        var error = await Assert.ThrowsAsync<ModelDownloadException>(() => Downloader(server.BaseAddress).PullAsync(model, null, Ct));

        Assert.Equal(404, error.StatusCode);
        Assert.False(error.IsOffline);
        Assert.Contains(Repo, error.Message, StringComparison.Ordinal);
        Assert.Contains("missing.gguf", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pull_Unauthorized_ThrowsExplainingHfToken()
    {
        await using var server = new LoopbackHttpServer(_ => LoopbackResponse.Empty(401));

        var error = await Assert.ThrowsAsync<ModelDownloadException>(
            () => Downloader(server.BaseAddress).PullAsync(new ModelReference(Repo, FileName), null, Ct));

        Assert.Equal(401, error.StatusCode);
        Assert.Contains("HF_TOKEN", error.Message, StringComparison.Ordinal);
        Assert.Contains(Repo, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pull_HostRefusesConnection_IsOfflineWithOneLineMessage()
    {
        var model = new ModelReference(Repo, FileName);
        var downloader = Downloader(LoopbackHttpServer.ClosedAddress());

        var error = await Assert.ThrowsAsync<ModelDownloadException>(() => downloader.PullAsync(model, null, Ct));

        Assert.True(error.IsOffline);
        Assert.DoesNotContain('\n', error.Message);
        Assert.StartsWith("Cannot reach 127.0.0.1 to download Acme/Tiny-GGUF/tiny-q4_k_m.gguf", error.Message, StringComparison.Ordinal);
        Assert.Contains(downloader.GetCachePath(model), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pull_ServerNeverAnswers_IsOfflineAfterResponseTimeout()
    {
        await using var server = new LoopbackHttpServer(_ => LoopbackResponse.Empty(200) with { Delay = TimeSpan.FromSeconds(30) });
        var options = new ModelDownloaderOptions
        {
            BaseAddress = server.BaseAddress,
            CacheDirectory = _cache.FullName,
            ResponseTimeout = TimeSpan.FromMilliseconds(300),
        };

        var error = await Assert.ThrowsAsync<ModelDownloadException>(
            () => new ModelDownloader(_http, options).PullAsync(new ModelReference(Repo, FileName), null, Ct));

        Assert.True(error.IsOffline);
        Assert.Contains("no answer within", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pull_AlreadyCachedAndVerified_MakesNoRequest()
    {
        await using var server = new LoopbackHttpServer(LoopbackHttpServer.ServeFile(FilePath, _content, etag: Sha));
        var downloader = Downloader(server.BaseAddress);
        var first = await downloader.PullAsync(new ModelReference(Repo, FileName), null, Ct);

        var second = await downloader.PullAsync(new ModelReference(Repo, FileName, expectedSha256: Sha, expectedSize: _content.Length), null, Ct);

        Assert.Equal(first, second);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Pull_FileCopiedIntoCacheByHand_IsUsedWithoutNetwork()
    {
        var model = new ModelReference(Repo, FileName);
        var downloader = Downloader(LoopbackHttpServer.ClosedAddress());
        var target = downloader.GetCachePath(model);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        await File.WriteAllBytesAsync(target, _content, Ct);

        Assert.Equal(target, await downloader.PullAsync(model, null, Ct));
        Assert.Equal(target, await downloader.PullAsync(new ModelReference(Repo, FileName, expectedSha256: Sha), null, Ct));
    }

    [Fact]
    public async Task Pull_CachedFileDoesNotMatchPinnedSha_DownloadsAgain()
    {
        await using var server = new LoopbackHttpServer(LoopbackHttpServer.ServeFile(FilePath, _content, etag: Sha));
        var model = new ModelReference(Repo, FileName, expectedSha256: Sha);
        var downloader = Downloader(server.BaseAddress);
        var target = downloader.GetCachePath(model);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        await File.WriteAllBytesAsync(target, RandomContent(1000, seed: 5), Ct);

        await downloader.PullAsync(model, null, Ct);

        Assert.Single(server.Requests);
        Assert.Equal(_content, await File.ReadAllBytesAsync(target, Ct));
    }

    [Fact]
    public async Task Pull_RedirectToStorageHost_UsesLinkedEtagAndKeepsTokenOnHub()
    {
        await using var storage = new LoopbackHttpServer(LoopbackHttpServer.ServeFile("/blobs/abc", _content));
        await using var hub = new LoopbackHttpServer(_ => new LoopbackResponse(302, [])
        {
            Headers =
            {
                ["Location"] = new Uri(storage.BaseAddress, "blobs/abc").AbsoluteUri,
                ["X-Linked-Etag"] = $"\"{Sha}\"",
                ["X-Linked-Size"] = _content.Length.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
        });
        var options = new ModelDownloaderOptions { BaseAddress = hub.BaseAddress, CacheDirectory = _cache.FullName, Token = "hf_secret" };

        var path = await new ModelDownloader(_http, options).PullAsync(new ModelReference(Repo, FileName), null, Ct);

        Assert.Equal(_content, await File.ReadAllBytesAsync(path, Ct));
        Assert.Equal("Bearer hf_secret", hub.Requests.Single().Header("Authorization"));
        Assert.Null(storage.Requests.Single().Header("Authorization"));
    }

    [Fact]
    public async Task Pull_RedirectWithLinkedEtagAndCorruptBody_ThrowsShaMismatch()
    {
        var corrupt = (byte[])_content.Clone();
        corrupt[^1] ^= 0x01;
        await using var storage = new LoopbackHttpServer(LoopbackHttpServer.ServeFile("/blobs/abc", corrupt));
        await using var hub = new LoopbackHttpServer(_ => new LoopbackResponse(302, [])
        {
            Headers = { ["Location"] = new Uri(storage.BaseAddress, "blobs/abc").AbsoluteUri, ["X-Linked-Etag"] = $"\"{Sha}\"" },
        });

        var error = await Assert.ThrowsAsync<ModelDownloadException>(
            () => Downloader(hub.BaseAddress).PullAsync(new ModelReference(Repo, FileName), null, Ct));

        Assert.Contains(Sha, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pull_Cancelled_ThrowsOperationCanceledAndLeavesNoFinalFile()
    {
        await using var server = new LoopbackHttpServer(LoopbackHttpServer.ServeFile(FilePath, _content, etag: Sha));
        var model = new ModelReference(Repo, FileName);
        var downloader = Downloader(server.BaseAddress);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => downloader.PullAsync(model, new SyncProgress(_ => cts.Cancel()), cts.Token));

        Assert.False(File.Exists(downloader.GetCachePath(model)));
    }

    [Fact]
    public async Task Pull_CancelledWhileWaitingForServer_ThrowsOperationCanceled()
    {
        await using var server = new LoopbackHttpServer(_ => LoopbackResponse.Empty(200) with { Delay = TimeSpan.FromSeconds(30) });
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(200);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => Downloader(server.BaseAddress).PullAsync(new ModelReference(Repo, FileName), null, cts.Token));
    }

    [Fact]
    public void GetDownloadUri_RevisionAndFile_FollowsHuggingFaceResolveLayout()
    {
        var downloader = Downloader(new Uri("https://huggingface.co"));

        var uri = downloader.GetDownloadUri(new ModelReference("Qwen/Qwen2.5-0.5B-Instruct-GGUF", "sub dir/model.gguf", "v1.0"));

        Assert.Equal("https://huggingface.co/Qwen/Qwen2.5-0.5B-Instruct-GGUF/resolve/v1.0/sub%20dir/model.gguf", uri.AbsoluteUri);
    }

    [Fact]
    public void GetCachePath_NonMainRevision_UsesSeparateFolder()
    {
        var downloader = Downloader(new Uri("https://huggingface.co"));

        var path = downloader.GetCachePath(new ModelReference(Repo, FileName, "refs/pr/1"));

        Assert.Equal(Path.Combine(_cache.FullName, "Acme__Tiny-GGUF@refs__pr__1", FileName), path);
    }

    [Theory]
    [InlineData("no-slash", FileName)]
    [InlineData("a/b/c", FileName)]
    [InlineData("../etc", FileName)]
    [InlineData(Repo, "../outside.gguf")]
    [InlineData(Repo, "/abs.gguf")]
    [InlineData(Repo, "dir\\file.gguf")]
    public void ModelReference_PathEscapingOrMalformedParts_Throws(string repo, string file)
    {
        Assert.Throws<ArgumentException>(() => new ModelReference(repo, file));
    }

    [Fact]
    public void ModelReference_ShaNotHex_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => new ModelReference(Repo, FileName, expectedSha256: "abc"));

        Assert.Equal("expectedSha256", error.ParamName);
    }

    [Fact]
    public void KnownModels_DefaultChat_IsQwenHalfBillionQ4()
    {
        Assert.Equal("Qwen/Qwen2.5-0.5B-Instruct-GGUF", KnownModels.DefaultChat.Repository);
        Assert.Equal("qwen2.5-0.5b-instruct-q4_k_m.gguf", KnownModels.DefaultChat.File);
    }

    private ModelDownloader Downloader(Uri baseAddress) =>
        new(_http, new ModelDownloaderOptions { BaseAddress = baseAddress, CacheDirectory = _cache.FullName, Token = null });

    private static byte[] RandomContent(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private sealed class SyncProgress(Action<DownloadProgress> report) : IProgress<DownloadProgress>
    {
        public void Report(DownloadProgress value) => report(value);
    }
}
