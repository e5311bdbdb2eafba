using AgentKit.Abstractions.Graph;
using AgentKit.Embeddings.MiniLM;
using AgentKit.Graph;
using AgentKit.Prompts;
using AgentKit.Rag.Ingestion;
using AgentKit.Rag.Retrieval;
using AgentKit.VectorStores.Sqlite;

namespace AgentKit.Bench.GraphRag;

/// <summary>
/// Questions whose answer needs two documents linked by an entity: "In which city is the company founded by P
/// headquartered?" — one document says P founded C, another that C is headquartered in X, a third talks about P
/// without the answer. Both retrievers return the top 5 chunks of the same MiniLM-embedded SQLite collection; the
/// graph (built by oracle extraction) adds the chunks it reaches from P.
/// </summary>
internal static class MultiHopBench
{
    private const int Chains = 60;
    private const int Top = 5;

    private static readonly string[] First = ["Alice", "Bruno", "Chiara", "Dmitri", "Elena", "Farid", "Greta", "Hiro", "Ines", "Jonas", "Kavya", "Luis"];
    private static readonly string[] Last = ["Moreau", "Okafor", "Lindqvist", "Tanaka", "Ferreira", "Novak", "Haddad", "Keller", "Rossi", "Walsh"];
    private static readonly string[] Cities =
    [
        "Lisbon", "Porto", "Ghent", "Tallinn", "Krakow", "Valencia", "Turin", "Lyon", "Graz", "Aarhus", "Bergen", "Utrecht",
        "Leipzig", "Bilbao", "Brno", "Cork", "Malmo", "Tampere", "Ljubljana", "Zagreb", "Riga", "Vilnius", "Seville", "Bologna",
        "Nantes", "Basel", "Salzburg", "Gdansk", "Debrecen", "Cluj", "Varna", "Split", "Espoo", "Uppsala", "Odense", "Galway",
        "Kaunas", "Tartu", "Plovdiv", "Aveiro", "Coimbra", "Granada", "Lille", "Dijon", "Freiburg", "Lucerne", "Linz", "Ostrava",
        "Poznan", "Wroclaw", "Szeged", "Iasi", "Trieste", "Verona", "Rennes", "Bremen", "Aalborg", "Turku", "Bath", "Derry",
    ];

    private static readonly string[] Syllables = ["zen", "tri", "kor", "val", "mix", "lum", "dar", "quo", "bex", "nor", "sil", "pra"];

    public static async Task RunAsync(string folder)
    {
        var corpus = Directory.CreateDirectory(Path.Combine(folder, "corpus")).FullName;
        var oracle = new OracleExtraction();
        var questions = new List<(string Question, string Answer)>();
        for (var i = 0; i < Chains; i++)
        {
            var person = $"{First[i % First.Length]} {Last[i / First.Length % Last.Length]}{(i >= First.Length * Last.Length ? i.ToString(System.Globalization.CultureInfo.InvariantCulture) : "")}";
            var company = char.ToUpperInvariant(Syllables[i % 12][0]) + Syllables[i % 12][1..] + Syllables[(i / 12 + 5) % 12] + Syllables[(i * 7 + 3) % 12];
            var city = Cities[i];
            var founded = $"{person} founded {company} in {2001 + (i % 20)}. Before starting the company, {person} studied engineering.";
            var headquarters = $"{company} is headquartered in {city}. The company employs {40 + i} people and builds industrial software.";
            var hobby = $"{person} enjoys hiking and chess at weekends, and {person} likes to travel.";
            await File.WriteAllTextAsync(Path.Combine(corpus, $"founding-{i:D2}.txt"), founded);
            await File.WriteAllTextAsync(Path.Combine(corpus, $"company-{i:D2}.txt"), headquarters);
            await File.WriteAllTextAsync(Path.Combine(corpus, $"person-{i:D2}.txt"), hobby);
            oracle.Facts[founded] = [new Fact(person, "person", "founded", company, "organization")];
            oracle.Facts[headquarters] = [new Fact(company, "organization", "headquartered in", city, "place")];
            oracle.Facts[hobby] = [new Fact(person, "person", "enjoys", "hiking", "concept"), new Fact(person, "person", "enjoys", "chess", "concept")];
            questions.Add(($"In which city is the company founded by {person} headquartered?", city));
        }

        var path = Path.Combine(folder, "multihop.db");
        using var embedder = new MiniLMEmbeddingGenerator();
        using var vectors = new SqliteVectorStore(path);
        var collection = await RagChunkStore.OpenAsync(vectors, "corpus", embedder);
        await new RagIngestor(collection, embedder).IngestDirectoryAsync(corpus);

        using var store = new SqliteGraphStore(new GraphStoreOptions { Path = path });
        var prompts = new PromptRegistry(new PromptRegistryOptions { WatchForChanges = false });
        using var indexer = new GraphIndexer(store, new GraphExtractor(oracle.Client, prompts), new EntityResolver(store, embedder));
        var chunks = await collection.GetAsync(r => r.ChunkIndex >= 0, 10_000).ToListAsync();
        foreach (var source in chunks.GroupBy(c => c.Source))
        {
            await indexer.UpdateSourceAsync(source.Key, GraphEvidenceKind.Chunk, [.. source.Select(c => new GraphEvidenceItem(c.Id.ToString(), c.Text, DateTimeOffset.UtcNow))]);
        }

        var statistics = await store.GetStatisticsAsync();
        foreach (var merge in await store.GetMergesAsync(100))
        {
            Console.WriteLine($"multihop: merge log: '{merge.MergedName}' -> '{merge.IntoName}' ({merge.Similarity:F3})");
        }

        var vectorOnly = new RagRetriever(collection, embedder);
        var withGraph = new RagRetriever(collection, embedder, graph: new GraphLocalSearch(store, embedder));
        var options = new RetrievalOptions { Mode = RetrievalMode.Vector, Top = Top };
        int baseline = 0, graph = 0;
        foreach (var (question, answer) in questions)
        {
            baseline += (await vectorOnly.RetrieveAsync(question, options)).Any(c => c.Text.Contains(answer, StringComparison.Ordinal)) ? 1 : 0;
            graph += (await withGraph.RetrieveAsync(question, options)).Any(c => c.Text.Contains(answer, StringComparison.Ordinal)) ? 1 : 0;
        }

        Console.WriteLine($"multihop: {chunks.Count} chunks, graph {statistics.Entities} entities / {statistics.Relations} relations (oracle extraction, {oracle.Client.CallCount} scripted calls), {Chains} two-document questions, top {Top}, MiniLM");
        Console.WriteLine($"multihop: answer in retrieved context: graph+vector {(double)graph / Chains:F3}, vector only {(double)baseline / Chains:F3} (target >= 0.9 with the graph)");
    }
}
