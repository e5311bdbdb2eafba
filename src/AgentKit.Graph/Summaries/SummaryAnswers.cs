namespace AgentKit.Graph.Summaries;

// The structured answers of graph/summarize-community, graph/global-map and graph/global-reduce; property names are the prompts' `outputs` keys.
internal sealed record CommunitySummaryAnswer(string Title, string Summary, int Rating);

internal sealed record MapAnswer(IReadOnlyList<MapPoint> Points);

internal sealed record MapPoint(string Text, int Rating, IReadOnlyList<int> Reports);

internal sealed record ReduceAnswer(string Answer, IReadOnlyList<int> Cited);
