using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AgentKit.Hosting.Tests;

public sealed class SpeculationOptionsValidationTests : IDisposable
{
    private readonly TestHosts _hosts = new();

    public void Dispose() => _hosts.Dispose();

    [Fact]
    public async Task Start_WithBadSpeculationKeys_ReportsEachKey()
    {
        var builder = _hosts.Builder(new Dictionary<string, string?>
        {
            ["AgentKit:Models:chat:Download"] = "owner/repo/chat.gguf",
            ["AgentKit:Models:chat:Speculation:Enabled"] = "true",
            ["AgentKit:Models:chat:Speculation:DraftModel"] = "missing",
            ["AgentKit:Models:chat:Speculation:MaxDraftTokens"] = "0",
            ["AgentKit:Models:chat:Speculation:LookupMinNgram"] = "0",
            ["AgentKit:Models:self:Speculation:LookupMinNgram"] = "5",
            ["AgentKit:Models:self:Speculation:LookupMaxNgram"] = "3",
            ["AgentKit:Models:self:Download"] = "owner/repo/self.gguf",
            ["AgentKit:Models:self:Speculation:Enabled"] = "true",
            ["AgentKit:Models:self:Speculation:DraftModel"] = "self",
            ["AgentKit:Models:off:Download"] = "owner/repo/off.gguf",
            ["AgentKit:Models:off:Speculation:DraftModel"] = "chat",
            ["AgentKit:Models:none:Download"] = "owner/repo/none.gguf",
            ["AgentKit:Models:none:Speculation:Enabled"] = "true",
            ["AgentKit:Models:none:Speculation:PromptLookup"] = "false",
            ["AgentKit:Models:draft:Download"] = "owner/repo/draft.gguf",
            ["AgentKit:Models:batched:Download"] = "owner/repo/batched.gguf",
            ["AgentKit:Models:batched:Speculation:Enabled"] = "true",
            ["AgentKit:Models:batched:Speculation:DraftModel"] = "draft",
            ["AgentKit:Models:pooled:Download"] = "owner/repo/pooled.gguf",
            ["AgentKit:Models:pooled:Batching"] = "false",
            ["AgentKit:Models:pooled:Speculation:Enabled"] = "true",
            ["AgentKit:Models:pooled:Speculation:DraftModel"] = "draft",
            ["AgentKit:Models:lookup:Download"] = "owner/repo/lookup.gguf",
            ["AgentKit:Models:lookup:Speculation:Enabled"] = "true",
        });
        builder.AddAgentKit();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("AgentKit:Models:chat:Speculation:DraftModel: 'missing' is not an entry", error.Message, StringComparison.Ordinal);
        Assert.Contains("AgentKit:Models:chat:Speculation:MaxDraftTokens", error.Message, StringComparison.Ordinal);
        Assert.Contains("AgentKit:Models:self:Speculation:DraftModel: a model cannot draft for itself", error.Message, StringComparison.Ordinal);
        Assert.Contains("AgentKit:Models:chat:Speculation:LookupMinNgram: 0 is outside 1..16.", error.Message, StringComparison.Ordinal);
        Assert.Contains("AgentKit:Models:self:Speculation:LookupMaxNgram: 3 is outside 5..16.", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("AgentKit:Models:chat:Speculation:LookupMaxNgram", error.Message, StringComparison.Ordinal);
        Assert.Contains("AgentKit:Models:off:Speculation:DraftModel: set AgentKit:Models:off:Speculation:Enabled", error.Message, StringComparison.Ordinal);
        Assert.Contains("AgentKit:Models:none:Speculation: drafts nothing", error.Message, StringComparison.Ordinal);
        // A draft model needs pooled contexts; prompt lookup works with batching (the default) too.
        Assert.Contains("AgentKit:Models:batched:Speculation:DraftModel: a draft model needs AgentKit:Models:batched:Batching = false", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("AgentKit:Models:pooled:", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("AgentKit:Models:lookup:", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("AgentKit:Models:draft:", error.Message, StringComparison.Ordinal);
    }
}
