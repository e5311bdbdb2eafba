using AgentKit.Abstractions.Graph;
using AgentKit.Abstractions.Text;
using AgentKit.Embeddings.MiniLM;
using AgentKit.Graph;
using AgentKit.Prompts;
using AgentKit.Rag.Ingestion;
using AgentKit.Rag.Retrieval;
using AgentKit.VectorStores.Sqlite;

namespace AgentKit.Bench.GraphRag;

/// <summary>
/// "What are the main themes?" questions on a corpus of 6 known themes (8 companies each, two documents per company,
/// only the first naming the theme): the share of the themes that reach the answer's context with global search over
/// community summaries, against vector-only retrieval of the top 5 and top 20 chunks of the same MiniLM collection.
/// Extraction, summaries, map and reduce are oracles (scripted: they keep exactly what they are given), so the figure
/// is what each context makes possible, not what a real model would write.
/// </summary>
internal static class GlobalBench
{
    private static readonly string[] Themes = ["solar energy", "container shipping", "gene therapy", "cocoa farming", "railway signalling", "competitive esports"];
    private static readonly string[] Names = ["Arden", "Brightwell", "Corvid", "Dunmore", "Eastlake", "Fairhaven", "Glenrock", "Harlow"];
    private static readonly string[] Suffixes = ["Holdings", "Partners", "Works", "Labs", "Systems", "Ventures"];
    private static readonly string[] FirstNames = ["Alice", "Bruno", "Chiara", "Dmitri", "Elena", "Farid", "Greta", "Hiro"];
    private static readonly string[] LastNames = ["Moreau", "Okafor", "Lindqvist", "Tanaka", "Ferreira", "Novak"];
    private static readonly string[] Cities = ["Lisbon", "Ghent", "Tallinn", "Krakow", "Turin", "Lyon", "Graz", "Aarhus"];

    private static readonly string[] Questions =
    [
        "What are the main themes of the collection?",
        "Which industries do these documents cover?",
        "Give an overview of the topics in the corpus.",
    ];

    public static async Task RunAsync(string folder)
    {
        var corpus = Directory.CreateDirectory(Path.Combine(folder, "themes")).FullName;
        var oracle = new OracleExtraction();
        for (var t = 0; t < Themes.Length; t++)
        {
            for (var c = 0; c < Names.Length; c++)
            {
                var company = $"{Names[c]} {Suffixes[t]}";
                var person = $"{FirstNames[c]} {LastNames[t]}";
                var about = $"{company} works in {Themes[t]}. It was founded by {person}.";
                var office = $"{company} opened an office in {Cities[c]} with {20 + t + c} staff.";
                await File.WriteAllTextAsync(Path.Combine(corpus, $"t{t}-c{c}-about.txt"), about);
                await File.WriteAllTextAsync(Path.Combine(corpus, $"t{t}-c{c}-office.txt"), office);
                oracle.Facts[about] = [new Fact(company, "organization", "works in", Themes[t], "concept"), new Fact(person, "person", "founded", company, "organization")];
                oracle.Facts[office] = [new Fact(company, "organization", "has office in", Cities[c], "place")];
            }
        }

        var path = Path.Combine(folder, "themes.db");
        using var embedder = new MiniLMEmbeddingGenerator();
        var tokens = embedder.GetService(typeof(ITokenCounter)) as ITokenCounter;
        using var vectors = new SqliteVectorStore(path);
        var collection = await RagChunkStore.OpenAsync(vectors, "themes", embedder);
        using var store = new SqliteGraphStore(new GraphStoreOptions { Path = path });
        var prompts = new PromptRegistry(new PromptRegistryOptions { WatchForChanges = false });
        using var indexer = new GraphIndexer(store, new GraphExtractor(oracle.Client, prompts), new EntityResolver(store, embedder));
        await new RagIngestor(collection, embedder, graph: indexer).IngestDirectoryAsync(corpus);
        var analyst = new ScriptedAnalyst();
        using var summarizer = new CommunitySummarizer(store, analyst.Client, prompts, embedder);
        var refresh = await summarizer.RefreshAsync();
        var statistics = await store.GetStatisticsAsync();
        Console.WriteLine($"global: {Themes.Length * Names.Length * 2} documents, graph {statistics.Entities} entities / {statistics.Relations} relations / {statistics.Merges} merges, {refresh.Communities} communities summarised (oracle extraction, scripted summaries)");
        foreach (var community in (await store.GetCommunitiesAsync()).OrderByDescending(c => c.Members.Count))
        {
            Console.WriteLine($"global: community '{community.Title}': {community.Members.Count} entities, themes {Covered(community.Summary)}");
        }

        var search = new GraphGlobalSearch(store, analyst.Client, prompts, embedder);
        var retriever = new RagRetriever(collection, embedder);
        foreach (var question in Questions)
        {
            analyst.MapInputs.Clear();
            var answer = await search.SearchAsync(question);
            var globalTokens = analyst.MapInputs.Sum(m => tokens?.CountTokens(m) ?? m.Length / 4);
            var line = $"global: \"{question}\": themes in context: global search {Covered(answer.Answer)}/{Themes.Length} ({globalTokens} report tokens, {answer.ModelCalls} model calls)";
            foreach (var top in new[] { 5, 20 })
            {
                var chunks = await retriever.RetrieveAsync(question, new RetrievalOptions { Mode = RetrievalMode.Vector, Top = top, UseGraph = false });
                var text = string.Join('\n', chunks.Select(c => c.Text));
                line += $"; vector top {top} {Covered(text)}/{Themes.Length} ({tokens?.CountTokens(text) ?? text.Length / 4} tokens)";
            }

            // The same number of tokens as global search's reports, in vector order.
            var ranked = await retriever.RetrieveAsync(question, new RetrievalOptions { Mode = RetrievalMode.Vector, Top = 100, UseGraph = false });
            var budget = new List<string>();
            var used = 0;
            foreach (var chunk in ranked)
            {
                if (used >= globalTokens)
                {
                    break;
                }

                budget.Add(chunk.Text);
                used += tokens?.CountTokens(chunk.Text) ?? chunk.Text.Length / 4;
            }

            line += $"; vector top {budget.Count} (same tokens) {Covered(string.Join('\n', budget))}/{Themes.Length} ({used} tokens)";
            Console.WriteLine(line);
        }
    }

    private static int Covered(string text) => Themes.Count(t => text.Contains(t, StringComparison.OrdinalIgnoreCase));
}
