using AgentKit.LlamaCpp.Gguf;

namespace AgentKit.LlamaCpp.Tests.Gguf;

public sealed class GgufArchitecturesTests
{
    [Theory]
    [InlineData("llama")]
    [InlineData("qwen2")]
    [InlineData("bert")]
    [InlineData("gemma3")]
    [InlineData("phi3")]
    public void Known_ContainsCommonArchitectures(string name)
    {
        Assert.Contains(name, GgufArchitectures.Known);
        Assert.True(GgufArchitectures.TryGet(name, out var info));
        Assert.True(info.HasDecoder);
        Assert.False(info.IsRecurrent);
    }

    [Theory]
    [InlineData("clip")]
    [InlineData("Qwen2")]
    [InlineData("gpt-5")]
    public void Known_RejectsUnloadableNames(string name)
    {
        Assert.DoesNotContain(name, GgufArchitectures.Known);
        Assert.False(GgufArchitectures.TryGet(name, out _));
    }

    [Fact]
    public void Flags_MatchLlamaCpp()
    {
        Assert.True(GgufArchitectures.TryGet("t5encoder", out var t5));
        Assert.False(t5.HasDecoder);
        Assert.True(GgufArchitectures.TryGet("mamba", out var mamba));
        Assert.True(mamba.IsRecurrent);
        Assert.True(GgufArchitectures.TryGet("jamba", out var jamba));
        Assert.True(jamba.IsHybrid);
        Assert.True(GgufArchitectures.TryGet("llada", out var llada));
        Assert.True(llada.IsDiffusion);
        Assert.Equal(151, GgufArchitectures.Known.Count);
    }
}
