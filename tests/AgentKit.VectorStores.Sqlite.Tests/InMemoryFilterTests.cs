using System.Linq.Expressions;
using System.Reflection;
using AgentKit.VectorStores.Sqlite.Search;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.VectorData;

namespace AgentKit.VectorStores.Sqlite.Tests;

/// <summary>
/// Filters over indexed scalar properties evaluated in memory, over the values kept beside the vector cache: each
/// result must be the set SQL selects. The oracle is <c>GetAsync(filter)</c>, which always runs the filter in SQL.
/// </summary>
public sealed class InMemoryFilterTests : IDisposable
{
    private const int Dimensions = 4;
    private const long TwoTo53 = 1L << 53;

    private static readonly int?[] Ints = [null, 0, 1, -1, 7, 42, int.MaxValue, int.MinValue];
    private static readonly long[] Longs = [0, 1, -1, 42, TwoTo53, TwoTo53 + 1, -(TwoTo53 + 1), long.MaxValue, long.MinValue, long.MaxValue - 1];
    private static readonly double?[] Reals = [null, 0.0, -0.0, 0.5, 1.0, -2.5, 42.0, 9007199254740992.0, 9007199254740994.0, 9.2233720368547758e18, 1e300, -1e300, double.MaxValue, double.PositiveInfinity, 0.1];
    private static readonly string?[] Texts = [null, "", "a", "ab", "b", "A", "é", "\uFFFD", "\uE000", "a\uE000", "\U0001F600", "a\U0001F600", "\U0001F600b", "\uFFFF", "zz"];
    private static readonly DateTime?[] Dates = [null, new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2024, 6, 30, 12, 0, 0, DateTimeKind.Utc), new DateTime(1999, 12, 31, 23, 59, 59, DateTimeKind.Utc)];
    private static readonly Guid[] Guids = [.. Enumerable.Range(1, 4).Select(i => new Guid(i, 0, 0, new byte[8]))];

    private static readonly MethodInfo StringLess = typeof(InMemoryFilterTests).GetMethod(nameof(Less), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo StringLessOrEqual = typeof(InMemoryFilterTests).GetMethod(nameof(LessOrEqual), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo StringGreater = typeof(InMemoryFilterTests).GetMethod(nameof(Greater), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo StringGreaterOrEqual = typeof(InMemoryFilterTests).GetMethod(nameof(GreaterOrEqual), BindingFlags.NonPublic | BindingFlags.Static)!;

    private readonly TempDatabase _database = new();

    [Fact]
    public async Task Search_RandomFilters_SelectExactlyWhatSqlSelects()
    {
        var random = new Random(2024);
        using var store = new SqliteVectorStore(_database.Path);
        var (collection, records) = await CreateAsync(store, random, 300);
        var generator = new FilterGenerator(random);
        var query = RandomVector(random);
        var planned = 0;

        var filters = EdgeFilters().Concat(Enumerable.Range(0, 400).Select(_ => generator.Next())).ToList();
        foreach (var filter in filters)
        {
            var before = Statistics(collection).InMemoryFilterEvaluations;
            var inMemory = await SearchIdsAsync(collection, query, records.Count, filter);
            var sql = await SqlIdsAsync(collection, filter, records.Count);
            Assert.True(sql.SetEquals(inMemory), $"Filter {filter}: SQL selects {sql.Count} records, in memory {inMemory.Count}; only in SQL: [{string.Join(", ", sql.Except(inMemory))}], only in memory: [{string.Join(", ", inMemory.Except(sql))}]");
            planned += Statistics(collection).InMemoryFilterEvaluations - before;
        }

        // Most filters are supported in memory (the rest read a non-indexed or collection property, or a captured list of reals).
        Assert.InRange(planned, 260, filters.Count);
    }

    /// <summary>Filters at the edges a double rounding or three-valued logic would get wrong, over values the records hold.</summary>
    private static IEnumerable<Expression<Func<Rec, bool>>> EdgeFilters()
    {
        long aboveTwoTo53 = TwoTo53 + 1, largest = long.MaxValue;
        double twoTo53 = TwoTo53, twoTo63 = 9.2233720368547758e18;
        int? seven = 7;
        yield return r => (double)r.Serial == twoTo53;
        yield return r => (double)r.Serial > twoTo53;
        yield return r => (double)r.Serial < twoTo63;
        yield return r => (double)r.Serial >= twoTo63;
        yield return r => r.Weight == aboveTwoTo53;
        yield return r => r.Weight < aboveTwoTo53;
        yield return r => r.Weight >= largest;
        yield return r => r.Weight <= largest;
        yield return r => r.Rank != seven;
        yield return r => !(r.Rank == seven);
        yield return r => new int?[] { null, 7 }.Contains(r.Rank);
        yield return r => !new int?[] { null, 7 }.Contains(r.Rank);
        yield return r => r.Label != "\uE000" && r.Label != null;
    }

    [Fact]
    public async Task Search_FirstUseFilter_RunsNoSql()
    {
        var random = new Random(1);
        using var store = new SqliteVectorStore(_database.Path);
        var (collection, records) = await CreateAsync(store, random, 200);
        var query = RandomVector(random);

        var excluded = 5;
        var results = await SearchIdsAsync(collection, query, records.Count, r => r.Rank < 50 && r.Rank != excluded && r.Label != null);
        var nonIndexed = await SearchIdsAsync(collection, query, records.Count, r => r.Note == "n1");

        var statistics = Statistics(collection);
        Assert.Equal(1, statistics.InMemoryFilterEvaluations);
        Assert.Equal(1, statistics.FilterQueries);
        Assert.Equal(1, statistics.CachedFilters);
        Assert.Equal(records.Where(r => r.Rank < 50 && r.Rank != excluded && r.Label != null).Select(r => r.Id).ToHashSet(), results);
        Assert.Equal(records.Where(r => r.Note == "n1").Select(r => r.Id).ToHashSet(), nonIndexed);
    }

    [Fact]
    public async Task Search_AfterUpsertsDeletesAndCompaction_FollowsTheWrites()
    {
        var random = new Random(3);
        using var store = new SqliteVectorStore(_database.Path);
        var (collection, records) = await CreateAsync(store, random, 1400);
        var reference = records.ToDictionary(r => r.Id);
        var generator = new FilterGenerator(random);
        var query = RandomVector(random);
        var filters = Enumerable.Range(0, 20).Select(_ => generator.Next()).ToList();

        // Changed values, new records, records losing their vector, then deletes enough to compact the cache.
        for (var round = 0; round < 4; round++)
        {
            var batch = Enumerable.Range(0, 150).Select(i => NewRecord(random, random.Next(1700))).ToList();
            batch.Take(10).ToList().ForEach(r => r.Embedding = null);
            await collection.UpsertAsync(batch);
            batch.ForEach(r => reference[r.Id] = r);
            await CheckAsync();
        }

        var deleted = reference.Keys.Where(_ => random.Next(5) != 0).Take(1100).ToList();
        var cachedBeforeDeletes = Statistics(collection).CachedFilters;
        await collection.DeleteAsync(deleted);
        deleted.ForEach(k => reference.Remove(k));

        // Compaction moved the slots: it drops the SQL filters' cached results (deletes alone keep them).
        Assert.NotEqual(0, cachedBeforeDeletes);
        Assert.Equal(0, Statistics(collection).CachedFilters);
        await CheckAsync();
        await collection.UpsertAsync(Enumerable.Range(5000, 50).Select(i => reference[i] = NewRecord(random, i)).ToList());
        await CheckAsync();

        Assert.Equal(reference.Values.Count(r => r.Embedding is not null), Statistics(collection).Count);
        Assert.Equal(filters.Count(CanRunInMemory) * 6, Statistics(collection).InMemoryFilterEvaluations);

        async Task CheckAsync()
        {
            foreach (var filter in filters)
            {
                var withVectors = (await SqlIdsAsync(collection, filter, reference.Count)).Where(id => reference[id].Embedding is not null).ToHashSet();
                Assert.True(withVectors.SetEquals(await SearchIdsAsync(collection, query, reference.Count, filter)), $"Filter {filter}");
            }
        }
    }

    [Fact]
    public async Task Search_NegatedFilterAfterDelete_LeavesTheDeletedRecordOut()
    {
        // A deleted record's slot keeps its vector and values until compaction: a filter true for it (narrow, so that
        // the scan walks the filter's slots rather than the live ones) must not bring it back.
        var random = new Random(8);
        using var store = new SqliteVectorStore(_database.Path);
        var (collection, records) = await CreateAsync(store, random, 100);
        records[10].Rank = 7;
        await collection.UpsertAsync(records[10]);
        var query = records[10].Embedding!;
        var rank = records[10].Rank;
        Assert.Equal(10, (await collection.SearchAsync(query, 1, new() { Filter = r => r.Rank == rank }).SingleAsync()).Record.Id);

        await collection.DeleteAsync(10);
        var nearest = await collection.SearchAsync(query, 1, new() { Filter = r => !(r.Rank != rank) }).ToListAsync();

        Assert.NotEqual(10, Assert.Single(nearest).Record.Id);
        Assert.Equal((2, 0), (Statistics(collection).InMemoryFilterEvaluations, Statistics(collection).FilterQueries));
    }

    [Fact]
    public async Task Search_AfterAnotherStoreWrites_ReloadsTheValues()
    {
        var random = new Random(4);
        using var store = new SqliteVectorStore(_database.Path);
        using var foreignStore = new SqliteVectorStore(_database.Path);
        var (collection, records) = await CreateAsync(store, random, 200);
        var foreign = foreignStore.GetCollection<int, Rec>("recs", Definition());
        var query = RandomVector(random);
        Expression<Func<Rec, bool>> filter = r => r.Rank == 7;
        var before = await SearchIdsAsync(collection, query, 200, filter);

        var moved = records.Where(r => r.Rank != 7).Take(5).ToList();
        moved.ForEach(r => r.Rank = 7);
        await foreign.UpsertAsync(moved);
        var after = await SearchIdsAsync(collection, query, 200, filter);

        Assert.Equal(before.Union(moved.Select(r => r.Id)).ToHashSet(), after);
        Assert.Equal(2, Statistics(collection).InMemoryFilterEvaluations);
        Assert.Equal(0, Statistics(collection).FilterQueries);
    }

    [Fact]
    public async Task Search_ColumnWithMixedStorageClasses_RunsInSqlUntilReload()
    {
        var random = new Random(5);
        using var store = new SqliteVectorStore(_database.Path);
        var (collection, records) = await CreateAsync(store, random, 100);
        var query = RandomVector(random);

        // Another writer stores a REAL in the INTEGER column (and bumps the generation as every store write does).
        using (var connection = new SqliteConnection($"Data Source={_database.Path}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE recs SET \"Rank\" = 7.5 WHERE \"Id\" < 10; UPDATE __agentkit_collections SET generation = generation + 1 WHERE name = 'recs'";
            command.ExecuteNonQuery();
        }

        Expression<Func<Rec, bool>> filter = r => r.Rank > 7 || r.Serial > 0;
        var results = await SearchIdsAsync(collection, query, 100, filter);
        var sql = await SqlIdsAsync(collection, filter, 100);
        var kinds = collection.FilterColumnKinds();
        var statistics = Statistics(collection);
        await collection.UpsertAsync(NewRecord(random, 500));
        var afterWrite = await SearchIdsAsync(collection, query, 101, r => r.Rank > 7 || r.Serial > 0 || r.Id == 500);

        Assert.Equal(ScalarKind.Unavailable, kinds["Rank"]);
        Assert.Equal(ScalarKind.Integer, kinds["Serial"]);
        Assert.Equal(sql, results);
        Assert.Equal(10, results.Count(id => id < 10));
        Assert.Equal((0, 1), (statistics.InMemoryFilterEvaluations, statistics.FilterQueries));
        Assert.Equal(await SqlIdsAsync(collection, r => r.Rank > 7 || r.Serial > 0 || r.Id == 500, 101), afterWrite);
        Assert.Equal(0, Statistics(collection).InMemoryFilterEvaluations);
    }

    [Fact]
    public async Task Search_EmptyColumnThenValues_EvaluatesInMemory()
    {
        var random = new Random(6);
        using var store = new SqliteVectorStore(_database.Path);
        var (collection, records) = await CreateAsync(store, random, 50, allNull: true);
        var query = RandomVector(random);
        var none = await SearchIdsAsync(collection, query, 50, r => r.Label == "a" || r.Weight > 0);
        var all = await SearchIdsAsync(collection, query, 50, r => r.Label != "a");
        var kinds = collection.FilterColumnKinds();
        var changed = records[3];
        (changed.Label, changed.Weight) = ("a", 1.5);
        await collection.UpsertAsync(changed);
        var one = await SearchIdsAsync(collection, query, 50, r => r.Label == "a" && r.Weight > 1);

        Assert.Equal((ScalarKind.Empty, ScalarKind.Empty), (kinds["Label"], kinds["Weight"]));
        Assert.Empty(none);
        Assert.Equal(50, all.Count);
        Assert.Equal([changed.Id], one);
        Assert.Equal((3, 0), (Statistics(collection).InMemoryFilterEvaluations, Statistics(collection).FilterQueries));
    }

    [Fact]
    public async Task Search_HnswRestoredFromTheFile_EvaluatesFiltersInMemory()
    {
        var random = new Random(7);
        var options = new SqliteVectorStoreOptions { Hnsw = new HnswOptions { ExactFilterSelectivity = 1 } };
        List<Rec> records;
        using (var first = new SqliteVectorStore(_database.Path, options))
        {
            (var created, records) = await CreateAsync(first, random, 600, IndexKind.Hnsw);
            await created.WarmUpAsync();
        }

        using var store = new SqliteVectorStore(_database.Path, options);
        var collection = (SqliteCollection<int, Rec>)store.GetCollection<int, Rec>("recs", Definition(IndexKind.Hnsw));
        var generator = new FilterGenerator(random);
        var query = RandomVector(random);
        for (var i = 0; i < 60; i++)
        {
            var filter = generator.Next();
            Assert.True((await SqlIdsAsync(collection, filter, records.Count)).SetEquals(await SearchIdsAsync(collection, query, records.Count, filter)), $"Filter {filter}");
        }

        var statistics = Statistics(collection);
        Assert.True(statistics.UsesGraph);
        Assert.Equal((0, 1), (statistics.GraphBuilds, statistics.GraphRestores));
        Assert.InRange(statistics.InMemoryFilterEvaluations, 30, 60);
    }

    public void Dispose() => _database.Dispose();

    private static async Task<HashSet<int>> SearchIdsAsync(SqliteCollection<int, Rec> collection, float[] query, int top, Expression<Func<Rec, bool>> filter)
        => [.. await collection.SearchAsync(query, top, new() { Filter = filter }).Select(r => r.Record.Id).ToListAsync()];

    private static async Task<HashSet<int>> SqlIdsAsync(SqliteCollection<int, Rec> collection, Expression<Func<Rec, bool>> filter, int top)
        => [.. await collection.GetAsync(filter, top).Select(r => r.Id).ToListAsync()];

    private static (bool UsesGraph, int Count, int GraphBuilds, int GraphRestores, int FilterQueries, int CachedFilters, int InMemoryFilterEvaluations) Statistics(SqliteCollection<int, Rec> collection)
    {
        var s = collection.IndexStatistics().SingleOrDefault();
        return (s.UsesGraph, s.Count, s.GraphBuilds, s.GraphRestores, s.FilterQueries, s.CachedFilters, s.InMemoryFilterEvaluations);
    }

    /// <summary>Whether the filter has an in-memory plan (every column it reads holds one storage class here).</summary>
    private static bool CanRunInMemory(Expression<Func<Rec, bool>> filter)
        => Filtering.SqliteFilterTranslator.Translate(filter, new Schema.SqliteModelBuilder().Build(typeof(Rec), typeof(int), Definition(), defaultEmbeddingGenerator: null), "t").Plan is not null;

    private static async Task<(SqliteCollection<int, Rec> Collection, List<Rec> Records)> CreateAsync(SqliteVectorStore store, Random random, int count, string indexKind = IndexKind.Flat, bool allNull = false)
    {
        var collection = (SqliteCollection<int, Rec>)store.GetCollection<int, Rec>("recs", Definition(indexKind));
        await collection.EnsureCollectionExistsAsync();
        var records = Enumerable.Range(0, count).Select(i => NewRecord(random, i)).ToList();
        if (allNull)
        {
            records.ForEach(r => (r.Label, r.Weight) = (null, null));
        }

        await collection.UpsertAsync(records);
        return (collection, records);
    }

    private static Rec NewRecord(Random random, int id) => new()
    {
        Id = id,
        Rank = Ints[random.Next(Ints.Length)],
        Serial = Longs[random.Next(Longs.Length)],
        Weight = Reals[random.Next(Reals.Length)],
        Label = Texts[random.Next(Texts.Length)],
        Flag = random.Next(2) == 0,
        When = Dates[random.Next(Dates.Length)],
        Gid = Guids[random.Next(Guids.Length)],
        Note = "n" + random.Next(4),
        Tags = [.. Texts.Where(t => t is not null && random.Next(4) == 0).Select(t => t!)],
        Embedding = RandomVector(random),
    };

    private static float[] RandomVector(Random random) => [.. Enumerable.Range(0, Dimensions).Select(_ => (float)((random.NextDouble() * 2) - 1))];

    private static bool Less(string? a, string? b) => string.CompareOrdinal(a, b) < 0;

    private static bool LessOrEqual(string? a, string? b) => string.CompareOrdinal(a, b) <= 0;

    private static bool Greater(string? a, string? b) => string.CompareOrdinal(a, b) > 0;

    private static bool GreaterOrEqual(string? a, string? b) => string.CompareOrdinal(a, b) >= 0;

    private static VectorStoreCollectionDefinition Definition(string indexKind = IndexKind.Flat) => new()
    {
        Properties =
        [
            new VectorStoreKeyProperty(nameof(Rec.Id), typeof(int)),
            new VectorStoreDataProperty(nameof(Rec.Rank), typeof(int?)) { IsIndexed = true },
            new VectorStoreDataProperty(nameof(Rec.Serial), typeof(long)) { IsIndexed = true },
            new VectorStoreDataProperty(nameof(Rec.Weight), typeof(double?)) { IsIndexed = true },
            new VectorStoreDataProperty(nameof(Rec.Label), typeof(string)) { IsIndexed = true },
            new VectorStoreDataProperty(nameof(Rec.Flag), typeof(bool)) { IsIndexed = true },
            new VectorStoreDataProperty(nameof(Rec.When), typeof(DateTime?)) { IsIndexed = true },
            new VectorStoreDataProperty(nameof(Rec.Gid), typeof(Guid)) { IsIndexed = true },
            new VectorStoreDataProperty(nameof(Rec.Note), typeof(string)),
            new VectorStoreDataProperty(nameof(Rec.Tags), typeof(string[])) { IsIndexed = true },
            new VectorStoreVectorProperty(nameof(Rec.Embedding), typeof(float[]), Dimensions) { IndexKind = indexKind },
        ],
    };

    /// <summary>A test record: one indexed property of each scalar kind, a non-indexed one and an indexed collection.</summary>
    public sealed class Rec
    {
        public int Id { get; set; }

        public int? Rank { get; set; }

        public long Serial { get; set; }

        public double? Weight { get; set; }

        public string? Label { get; set; }

        public bool Flag { get; set; }

        public DateTime? When { get; set; }

        public Guid Gid { get; set; }

        public string? Note { get; set; }

        public string[] Tags { get; set; } = [];

        public float[]? Embedding { get; set; }
    }

    /// <summary>A mutable box, as the compiler makes for a captured variable.</summary>
    private sealed class Captured<T>(T value)
    {
        public T Value = value;
    }

    /// <summary>Random filters built from every node the in-memory plans support, and a few they do not.</summary>
    private sealed class FilterGenerator(Random random)
    {
        private readonly ParameterExpression _record = Expression.Parameter(typeof(Rec), "r");

        internal Expression<Func<Rec, bool>> Next() => Expression.Lambda<Func<Rec, bool>>(Node(random.Next(4)), _record);

        private Expression Node(int depth)
        {
            if (depth == 0 || random.Next(3) == 0)
            {
                return Leaf();
            }

            return random.Next(5) switch
            {
                0 => Expression.Not(Node(depth - 1)),
                1 or 2 => Expression.AndAlso(Node(depth - 1), Node(depth - 1)),
                _ => Expression.OrElse(Node(depth - 1), Node(depth - 1)),
            };
        }

        private Expression Leaf() => random.Next(14) switch
        {
            0 => Comparison(Property(nameof(Rec.Rank)), Pick(Ints)),
            1 => Comparison(Property(nameof(Rec.Serial)), Pick(Longs)),
            2 => Comparison(Property(nameof(Rec.Weight)), Pick(Reals)),
            3 => Mixed(),
            4 => TextComparison(),
            5 => random.Next(2) == 0 ? Property(nameof(Rec.Flag)) : Expression.Equal(Property(nameof(Rec.Flag)), Value(random.Next(2) == 0)),
            6 => Comparison(Property(nameof(Rec.When)), Pick(Dates)),
            7 => random.Next(2) == 0 ? Expression.Equal(Property(nameof(Rec.Gid)), Value(Pick(Guids))) : Expression.NotEqual(Property(nameof(Rec.Gid)), Value(Pick(Guids))),
            8 => NullTest(),
            9 => In(),
            10 => Expression.Call(Property(nameof(Rec.Label)), typeof(string).GetMethod(nameof(string.Contains), [typeof(string)])!, Value(Pick(Texts))),
            11 => Expression.Constant(random.Next(2) == 0),
            12 => Expression.Equal(Property(nameof(Rec.Note)), Value<string?>("n" + random.Next(4))),
            _ => Expression.Call(typeof(Enumerable).GetMethods().First(m => m.Name == nameof(Enumerable.Contains) && m.GetParameters().Length == 2).MakeGenericMethod(typeof(string)), Property(nameof(Rec.Tags)), Value(Pick(Texts))),
        };

        private MemberExpression Property(string name) => Expression.Property(_record, name);

        private T Pick<T>(T[] values) => values[random.Next(values.Length)];

        /// <summary>A value inline or as a captured variable.</summary>
        private Expression Value<T>(T value)
            => random.Next(2) == 0 ? Expression.Constant(value, typeof(T)) : Expression.Field(Expression.Constant(new Captured<T>(value)), nameof(Captured<T>.Value));

        private BinaryExpression Comparison<T>(Expression property, T value)
        {
            var right = Value(value);
            if (right.Type != property.Type)
            {
                right = Expression.Convert(right, property.Type);
            }

            return random.Next(6) switch
            {
                0 => Expression.Equal(property, right),
                1 => Expression.NotEqual(property, right),
                2 => Expression.LessThan(property, right),
                3 => Expression.LessThanOrEqual(property, right),
                4 => Expression.GreaterThan(property, right),
                _ => Expression.GreaterThanOrEqual(property, right),
            };
        }

        /// <summary>Integers against reals both ways, and the constant on the left.</summary>
        private BinaryExpression Mixed() => random.Next(4) switch
        {
            0 => Comparison(Expression.Convert(Property(nameof(Rec.Serial)), typeof(double)), Pick(Reals) ?? 1.0),
            1 => Comparison(Expression.Convert(Property(nameof(Rec.Rank)), typeof(double?)), Pick(Reals)),
            2 => CompareWith(Property(nameof(Rec.Weight)), Expression.Convert(Value(Pick(Longs)), typeof(double?))),
            _ => Flip(Comparison(Property(nameof(Rec.Serial)), Pick(Longs))),
        };

        private BinaryExpression CompareWith(Expression property, Expression right) => random.Next(4) switch
        {
            0 => Expression.Equal(property, right),
            1 => Expression.NotEqual(property, right),
            2 => Expression.LessThan(property, right),
            _ => Expression.GreaterThanOrEqual(property, right),
        };

        private static BinaryExpression Flip(BinaryExpression comparison) => Expression.MakeBinary(
            comparison.NodeType switch
            {
                ExpressionType.LessThan => ExpressionType.GreaterThan,
                ExpressionType.LessThanOrEqual => ExpressionType.GreaterThanOrEqual,
                ExpressionType.GreaterThan => ExpressionType.LessThan,
                ExpressionType.GreaterThanOrEqual => ExpressionType.LessThanOrEqual,
                var same => same,
            },
            comparison.Right,
            comparison.Left);

        /// <summary>Text in code point order: the operators carry a method, as a LINQ provider's string comparison would.</summary>
        private BinaryExpression TextComparison()
        {
            var text = Property(nameof(Rec.Label));
            var value = Value(Pick(Texts) ?? "b");
            return random.Next(6) switch
            {
                0 => Expression.Equal(text, value),
                1 => Expression.NotEqual(text, value),
                2 => Expression.LessThan(text, value, false, StringLess),
                3 => Expression.LessThanOrEqual(text, value, false, StringLessOrEqual),
                4 => Expression.GreaterThan(text, value, false, StringGreater),
                _ => Expression.GreaterThanOrEqual(text, value, false, StringGreaterOrEqual),
            };
        }

        private BinaryExpression NullTest()
        {
            var property = Property(random.Next(4) switch { 0 => nameof(Rec.Rank), 1 => nameof(Rec.Weight), 2 => nameof(Rec.Label), _ => nameof(Rec.When) });
            Expression typed = random.Next(2) == 0 ? Expression.Constant(null, property.Type) : Expression.Convert(Value<object?>(null), property.Type);
            return random.Next(2) == 0 ? Expression.Equal(property, typed) : Expression.NotEqual(property, typed);
        }

        /// <summary><c>Contains</c> on an inline array or a captured list, with nulls among the values.</summary>
        private MethodCallExpression In() => random.Next(4) switch
        {
            0 => In(Property(nameof(Rec.Rank)), Ints),
            1 => In(Property(nameof(Rec.Serial)), Longs),
            2 => In(Property(nameof(Rec.Label)), Texts),
            // Not infinity: the translator writes a captured list as JSON, which has no literal for it.
            _ => In(Property(nameof(Rec.Weight)), Reals.Where(r => r is not double.PositiveInfinity).ToArray()),
        };

        private MethodCallExpression In<T>(Expression property, T[] pool)
        {
            var values = Enumerable.Range(0, random.Next(5)).Select(_ => Pick(pool)).ToList();
            if (random.Next(2) == 0)
            {
                var contains = typeof(Enumerable).GetMethods().First(m => m.Name == nameof(Enumerable.Contains) && m.GetParameters().Length == 2).MakeGenericMethod(typeof(T));
                return Expression.Call(contains, Expression.NewArrayInit(typeof(T), values.Select(v => Expression.Constant(v, typeof(T)))), property);
            }

            var list = Expression.Field(Expression.Constant(new Captured<List<T>>(values)), nameof(Captured<List<T>>.Value));
            return Expression.Call(list, typeof(List<T>).GetMethod(nameof(List<T>.Contains))!, property);
        }
    }
}
