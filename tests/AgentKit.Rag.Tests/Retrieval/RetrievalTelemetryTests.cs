using AgentKit.Abstractions.Diagnostics;
using AgentKit.Rag.Retrieval;
using AgentKit.Rag.Tests.Support;
using AgentKit.Testing;

namespace AgentKit.Rag.Tests.Retrieval;

/// <summary>The <c>rag.retrieve</c> span and retrieval metrics, on the corpus in the SQLite store.</summary>
public sealed class RetrievalTelemetryTests : IAsyncLifetime
{
    private KnowledgeBase _kb = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _kb = await Corpus.CreateAsync(Token);

    public ValueTask DisposeAsync() => _kb.DisposeAsync();

    [Fact]
    public async Task Retrieve_ReportsSpanWithStoreModeTopAndHits()
    {
        using var spans = new ActivityCollector(AgentKitTelemetry.RagSourceName);
        using var metrics = new MeasurementCollector(AgentKitTelemetry.RagSourceName);
        IReadOnlyList<RetrievedChunk> results;
        using (var root = ActivityCollector.StartRoot())
        {
            results = await _kb.Retriever().RetrieveAsync("how do I prime the pump before the first start", new RetrievalOptions { Mode = RetrievalMode.Hybrid, Top = 3 }, Token);

            var span = Assert.Single(spans.InTrace(root.TraceId));
            Assert.Equal("rag.retrieve", span.OperationName);
            Assert.Equal(root.SpanId, span.ParentSpanId);
            Assert.Equal($"rag.retrieve {_kb.Collection.Name}", span.DisplayName);
            Assert.Equal(_kb.Collection.Name, span.GetTagItem(TelemetryAttributes.DataSourceId));
            Assert.Equal("sqlite", span.GetTagItem("db.system.name"));
            Assert.Equal("Hybrid", span.GetTagItem(TelemetryAttributes.RagMode));
            Assert.Equal(3, span.GetTagItem(TelemetryAttributes.RagTop));
            Assert.Equal(false, span.GetTagItem(TelemetryAttributes.RagRerank));
            Assert.Equal(results.Count, span.GetTagItem(TelemetryAttributes.RagHits));
            Assert.True((int)span.GetTagItem(TelemetryAttributes.RagCandidates)! >= results.Count);
        }

        Assert.Equal(3, results.Count);
        Assert.Contains(metrics.Of("agentkit.rag.retrieval.hits"), m => m.Value == 3 && Equals(m.Tag(TelemetryAttributes.RagMode), "Hybrid"));
        Assert.Contains(metrics.Of("agentkit.rag.retrieval.duration"), m => m.Value > 0 && Equals(m.Tag(TelemetryAttributes.DataSourceId), _kb.Collection.Name));
    }

    [Fact]
    public async Task Retrieve_WithNothingFound_ReportsZeroHits()
    {
        using var spans = new ActivityCollector(AgentKitTelemetry.RagSourceName);
        using var root = ActivityCollector.StartRoot();

        var results = await _kb.Retriever().RetrieveAsync("zeol", new RetrievalOptions { Mode = RetrievalMode.Keyword }, Token);

        Assert.Empty(results);
        var span = Assert.Single(spans.InTrace(root.TraceId));
        Assert.Equal(0, span.GetTagItem(TelemetryAttributes.RagHits));
        Assert.Equal("Keyword", span.GetTagItem(TelemetryAttributes.RagMode));
    }
}
