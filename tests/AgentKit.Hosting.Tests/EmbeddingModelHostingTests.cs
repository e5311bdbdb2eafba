using System.Numerics.Tensors;
using System.Text;
using System.Text.Json;
using AgentKit.Embeddings.MiniLM;
using AgentKit.Hosting.Configuration;
using AgentKit.Hosting.Models;
using AgentKit.Rag.Embeddings;
using AgentKit.Testing.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AgentKit.Hosting.Tests;

/// <summary>Which embedding model <c>AddAgentKit()</c> registers: MiniLM by default, Lexical or OpenAI when configured.</summary>
public sealed class EmbeddingModelHostingTests : IDisposable
{
    private readonly TestHosts _hosts = new();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AddAgentKit_WithoutEmbeddingModel_RegistersMiniLMUnkeyedAndAsDefaultEmbedding()
    {
        var builder = _hosts.Builder(new Dictionary<string, string?>());
        builder.AddAgentKit();
        using var host = builder.Build();

        var unkeyed = host.Services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
        var keyed = host.Services.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>(ModelKeys.DefaultEmbedding);
        var options = host.Services.GetRequiredService<IOptions<AgentKitOptions>>().Value;

        Assert.Same(keyed, unkeyed);
        Assert.IsType<MiniLMEmbeddingGenerator>(unkeyed);
        Assert.Equal(ModelKeys.DefaultEmbedding, options.DefaultEmbeddingModel);
        Assert.Equal(ModelProvider.MiniLM, options.Models[ModelKeys.DefaultEmbedding].Provider);
        var embedding = await unkeyed.GenerateAsync("Where is my parcel?", cancellationToken: Token);
        Assert.Equal(384, embedding.Vector.Length);
    }

    [Fact]
    public void AddAgentKit_WithLexicalProvider_RegistersTheHashingEmbedderAndNoMiniLM()
    {
        var builder = _hosts.Builder(new Dictionary<string, string?>
        {
            ["AgentKit:Models:words:Provider"] = "Lexical",
            ["AgentKit:Models:words:Kind"] = "Embedding",
        });
        builder.AddAgentKit();
        using var host = builder.Build();

        Assert.IsType<HashingEmbeddingGenerator>(host.Services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>());
        Assert.Null(host.Services.GetKeyedService<IEmbeddingGenerator<string, Embedding<float>>>(ModelKeys.DefaultEmbedding));
    }

    [Fact]
    public async Task AddAgentKit_WithArcticEmbedXsProvider_RegistersArcticAsTheDefaultEmbedding()
    {
        var builder = _hosts.Builder(new Dictionary<string, string?>
        {
            ["AgentKit:Models:retrieval:Provider"] = "ArcticEmbedXs",
            ["AgentKit:Models:retrieval:Kind"] = "Embedding",
        });
        builder.AddAgentKit();
        using var host = builder.Build();

        var generator = host.Services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
        Assert.Equal("snowflake-arctic-embed-xs", generator.GetService<EmbeddingGeneratorMetadata>()!.DefaultModelId);
        Assert.Equal(384, (await generator.GenerateAsync("Where is my parcel?", cancellationToken: Token)).Vector.Length);
    }

    [Theory]
    [InlineData("MiniLM")]
    [InlineData("ArcticEmbedXs")]
    [InlineData("Lexical")]
    public async Task AddAgentKit_EmbeddingProviderAsChatModel_FailsAtStartNamingTheKey(string provider)
    {
        var builder = _hosts.Builder(new Dictionary<string, string?> { ["AgentKit:Models:m:Provider"] = provider });
        builder.AddAgentKit();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Token));

        Assert.Contains($"AgentKit:Models:m:Kind: the {provider} provider is an embedding model", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddAgentKit_OpenAIEmbeddingModel_CallsTheEndpointsEmbeddingsRoute()
    {
        var vector = Enumerable.Range(0, 8).Select(i => i / 10f).ToArray();
        await using var server = new LoopbackHttpServer(request => new LoopbackResponse(200, Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
        {
            @object = "list",
            model = "text-embedding-3-small",
            data = new[] { new { @object = "embedding", index = 0, embedding = vector } },
            usage = new { prompt_tokens = 4, total_tokens = 4 },
        })))
        { Headers = { ["Content-Type"] = "application/json" } });
        var builder = _hosts.Builder(new Dictionary<string, string?>
        {
            ["AgentKit:Models:remote:Provider"] = "OpenAI",
            ["AgentKit:Models:remote:Kind"] = "Embedding",
            ["AgentKit:Models:remote:Endpoint"] = server.BaseAddress + "v1",
            ["AgentKit:Models:remote:ApiKey"] = "test-key",
            ["AgentKit:Models:remote:Model"] = "text-embedding-3-small",
        });
        builder.AddAgentKit();
        using var host = builder.Build();

        var embedding = await host.Services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>().GenerateAsync("hello", cancellationToken: Token);

        var request = Assert.Single(server.Requests);
        Assert.Equal("/v1/embeddings", request.PathOnly);
        Assert.Contains("text-embedding-3-small", Encoding.UTF8.GetString(request.Body), StringComparison.Ordinal);
        Assert.Equal(1f, TensorPrimitives.CosineSimilarity(vector, embedding.Vector.Span), 1e-5f);
    }

    [Fact]
    public void Download_WellKnownEmbeddingModelName_ResolvesToItsHuggingFaceFile()
    {
        Assert.True(AgentKitOptionsValidator.TryParseDownload("nomic-embed-text-v1.5", out var known, out _));
        Assert.False(AgentKitOptionsValidator.TryParseDownload("no-such-embedder", out _, out var error));

        Assert.Equal("nomic-ai/nomic-embed-text-v1.5-GGUF", known!.Repository);
        Assert.Equal("nomic-embed-text-v1.5.Q8_0.gguf", known.File);
        Assert.Contains("nor a known embedding model (nomic-embed-text-v1.5,", error, StringComparison.Ordinal);
    }

    public void Dispose() => _hosts.Dispose();
}
