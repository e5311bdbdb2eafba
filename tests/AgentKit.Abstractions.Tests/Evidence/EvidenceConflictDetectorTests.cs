using System.Text.Json;
using AgentKit.Abstractions.Evidence;
using Piece = AgentKit.Abstractions.Evidence.Evidence;

namespace AgentKit.Abstractions.Tests.Evidence;

public sealed class EvidenceConflictDetectorTests
{
    private static readonly DateTimeOffset Older = new(2023, 1, 10, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Newer = new(2025, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private static IReadOnlyList<EvidenceConflict> Detect(params Piece[] evidence) => new EvidenceConflictDetector().Detect(evidence);

    [Fact]
    public void Detect_TwoVersionsOfAPolicy_ReportsTheDifferentValueAndPrefersTheNewer()
    {
        var old = new Piece("1", "Returns. Unused items can be returned within 14 days of delivery. Refunds go to the original payment method.", "policy-2023.md", Older);
        var current = new Piece("2", "Unused items can be returned within 30 days of delivery for a full refund.", "policy-2025.md", Newer);

        var conflict = Assert.Single(Detect(old, current));

        Assert.Same(old, conflict.First);
        Assert.Contains("14 days", conflict.FirstStatement, StringComparison.Ordinal);
        Assert.Contains("30 days", conflict.SecondStatement, StringComparison.Ordinal);
        Assert.Same(current, conflict.Preferred);
        Assert.Equal(
            "[1] (policy-2023.md, 2023-01-10) says \"Unused items can be returned within 14 days of delivery.\"; [2] (policy-2025.md, 2025-03-01) says \"Unused items can be returned within 30 days of delivery for a full refund.\". The newer, [2], is preferred.",
            conflict.Describe());
    }

    [Theory]
    [InlineData("Unused items can be returned within 30 days of delivery.", "Items that are unused may be returned within thirty days after delivery.")]
    [InlineData("Refunds are issued within 5 business days.", "Standard shipping costs $5 and takes 5 business days.")]
    [InlineData("Last updated 2023-01-10.", "Last updated: March 1, 2025.")]
    [InlineData("The kettle holds 1.7 litres.", "The kettle weighs 1.2 kg.")]
    public void Detect_AgreeingOrUnrelatedStatements_ReportsNothing(string a, string b)
    {
        Assert.Empty(Detect(new Piece("1", a, "a.md", Older), new Piece("2", b, "b.md", Newer)));
    }

    [Fact]
    public void Detect_OppositePolarity_IsAConflict()
    {
        var conflict = Assert.Single(Detect(
            new Piece("1", "Opened software is refundable at any store.", "faq.md"),
            new Piece("2", "Opened software is not refundable at any store.", "terms.md")));

        Assert.Null(conflict.Preferred);
        Assert.EndsWith("Neither is known to be newer: the disagreement is unresolved.", conflict.Describe(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("The X100 kettle costs $12.50.", "The X100 kettle costs 12.99 USD.")]
    [InlineData("The X100 kettle costs €12,50 on sale.", "The X100 kettle costs €14 on sale.")]
    [InlineData("The warranty covers defects for 2 years.", "The warranty covers defects for 5 years.")]
    [InlineData("Standard delivery takes 3 business days.", "Standard delivery takes five business days.")]
    [InlineData("The store opens on 2025-04-01.", "The store opens on April 3, 2025.")]
    [InlineData("Restocking fee: 15% of the price.", "Restocking fee: 10 percent of the price.")]
    public void Detect_DifferentValuesOfOneKind_IsAConflict(string a, string b)
    {
        Assert.Single(Detect(new Piece("1", a, "a.md"), new Piece("2", b, "b.md")));
    }

    [Fact]
    public void Detect_WithinOnePiece_ReportsNothing()
    {
        Assert.Empty(Detect(new Piece("1", "Orders ship in 2 days. Orders ship in 5 days.", "a.md")));
    }

    [Fact]
    public void Detect_ToolResultsDisagreeingOnAField_PrefersTheNewerDatedOne()
    {
        var first = EvidenceText.FromToolResult("get_price", "c1", JsonSerializer.SerializeToElement(new { sku = "X100", price = 12.5, updated = "2025-01-01" }));
        var second = EvidenceText.FromToolResult("catalog_lookup", "c2", """{"sku":"X100","price":13.0,"updated":"2025-02-01"}""");

        var conflict = Assert.Single(new EvidenceConflictDetector().Detect([.. first, .. second]));

        Assert.Equal("price: 12.5.", conflict.FirstStatement);
        Assert.Equal("price: 13.0.", conflict.SecondStatement);
        Assert.Equal("catalog_lookup#c2", conflict.Preferred?.Id);
    }

    [Fact]
    public void FromToolResult_SearchResults_GivesOnePiecePerResultWithItsSourceAndDate()
    {
        var pieces = EvidenceText.FromToolResult("search_knowledge", "c7", """
            [{"rank":1,"citation":"policy.md, Returns","text":"Items can be returned within 30 days.","updated":"2025-03-01"},
             {"rank":2,"citation":"old-policy.md","text":"Items can be returned within 14 days."}]
            """, received: Older);

        Assert.Equal(["search_knowledge#c7.1", "search_knowledge#c7.2"], pieces.Select(p => p.Id));
        Assert.Equal(["policy.md, Returns", "old-policy.md"], pieces.Select(p => p.Source));
        Assert.Equal([Newer, Older], pieces.Select(p => p.Time));
        Assert.Single(new EvidenceConflictDetector().Detect(pieces));
    }

    [Fact]
    public void FromToolResult_PlainText_IsOnePiece()
    {
        var piece = Assert.Single(EvidenceText.FromToolResult("weather", "c1", "Sunny, 21 degrees."));
        Assert.Equal(("weather#c1", "weather", (DateTimeOffset?)null), (piece.Id, piece.Source, piece.Time));
    }

    [Fact]
    public void Detect_HugeEvidence_StaysWithinItsStatementBound()
    {
        var text = string.Join(' ', Enumerable.Range(0, 20_000).Select(i => $"Warehouse {i % 7} ships order batch in {i} hours."));
        var detector = new EvidenceConflictDetector(new EvidenceConflictOptions { MaxStatements = 200, MaxConflicts = 3 });

        var conflicts = detector.Detect([new("1", text, "a"), new("2", text, "b")]);

        Assert.True(conflicts.Count <= 3);
    }

    [Theory]
    [InlineData(nameof(EvidenceConflictOptions.ValueSimilarity))]
    [InlineData(nameof(EvidenceConflictOptions.MaxStatements))]
    public void Ctor_OutOfRangeOption_ThrowsNamingIt(string option)
    {
        var options = option == nameof(EvidenceConflictOptions.ValueSimilarity)
            ? new EvidenceConflictOptions { ValueSimilarity = 0 }
            : new EvidenceConflictOptions { MaxStatements = 1 };

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new EvidenceConflictDetector(options));
        Assert.Contains("EvidenceConflictOptions." + option, error.Message, StringComparison.Ordinal);
    }
}
