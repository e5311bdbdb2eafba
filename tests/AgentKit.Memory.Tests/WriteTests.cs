using AgentKit.Memory.Policies;
using AgentKit.Memory.Tests.Support;

namespace AgentKit.Memory.Tests;

public sealed class WriteTests
{
    private static readonly MemoryScope User = new("assistant", "s1");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<MemoryRecord> SeedFactAsync(AgentMemory memory, string text) =>
        (await memory.RememberAsync(User, text, new RememberOptions { Kind = MemoryKind.Fact, Importance = 4, Reconcile = false }, Ct)).Stored!;

    private static string IdOf(IReadOnlyList<(string Id, string Text)> shown, string text) => shown.Single(s => s.Text == text).Id;

    [Fact]
    public async Task Remember_RatesImportanceWithTheModel()
    {
        await using var fixture = new MemoryFixture();
        fixture.Model.Importance = text => text.Contains("refund", StringComparison.Ordinal) ? 8 : 2;
        var memory = fixture.Create();

        var result = await memory.RememberAsync(User, "The customer asked for a refund.", cancellationToken: Ct);

        Assert.Equal(8, result.Importance);
        Assert.Equal(8, result.Stored!.Importance);
        Assert.Equal(MemoryKind.Observation, result.Stored.Kind);
        Assert.Equal("s1", result.Stored.SessionId);
        Assert.Equal(1, fixture.Model.CallsTo("memory/importance"));
    }

    [Fact]
    public async Task Fact_Add_StoresANewMemoryBesideTheOld()
    {
        await using var fixture = new MemoryFixture();
        var memory = fixture.Create();
        var old = await SeedFactAsync(memory, "The user lives in Ghent.");
        fixture.Model.Reconcile = (_, _) => new { decisions = new[] { new { operation = "ADD", id = "", text = "", reason = "unrelated" } } };

        var result = await memory.RememberAsync(User, "The user has a dog called Rex.", new RememberOptions { Kind = MemoryKind.Fact, Importance = 3 }, Ct);

        var change = Assert.Single(result.Changes);
        Assert.Equal(MemoryOperation.Add, change.Operation);
        Assert.Equal("unrelated", change.Reason);
        var all = await memory.ListRecentAsync(User, 10, Ct);
        Assert.Equal(["The user has a dog called Rex.", "The user lives in Ghent."], all.Select(m => m.Text).Order());
        Assert.Equal(old.Text, (await memory.GetAsync(User, old.Id, Ct))!.Text);
    }

    [Fact]
    public async Task Fact_Update_ReplacesTheOldMemoryInPlace()
    {
        await using var fixture = new MemoryFixture();
        var memory = fixture.Create();
        var old = await SeedFactAsync(memory, "The user lives in Ghent.");
        fixture.Model.Reconcile = (_, shown) => new { decisions = new[] { new { operation = "UPDATE", id = IdOf(shown, "The user lives in Ghent."), text = "The user lives in Ghent, Veldstraat 3.", reason = "more detail" } } };

        var result = await memory.RememberAsync(User, "The user lives at Veldstraat 3 in Ghent.", new RememberOptions { Kind = MemoryKind.Fact, Importance = 6 }, Ct);

        var change = Assert.Single(result.Changes);
        Assert.Equal((MemoryOperation.Update, old.Id, "more detail"), (change.Operation, change.MemoryId, change.Reason));
        var updated = (await memory.GetAsync(User, old.Id, Ct))!;
        Assert.Equal("The user lives in Ghent, Veldstraat 3.", updated.Text);
        Assert.Equal(6, updated.Importance);
        Assert.False(updated.Embedding.Span.SequenceEqual(old.Embedding.Span));
        Assert.Single(await memory.ListRecentAsync(User, 10, Ct));
    }

    [Fact]
    public async Task Fact_Delete_RemovesTheContradictedMemory_AndAddsTheNewFact()
    {
        await using var fixture = new MemoryFixture();
        var memory = fixture.Create();
        var old = await SeedFactAsync(memory, "The user loves chicken curry.");
        var kept = await SeedFactAsync(memory, "The user lives in Ghent.");
        fixture.Model.Reconcile = (_, shown) => new
        {
            decisions = new[]
            {
                new { operation = "DELETE", id = IdOf(shown, "The user loves chicken curry."), text = "", reason = "contradicted" },
                new { operation = "ADD", id = "", text = "", reason = "new diet" },
            },
        };

        var result = await memory.RememberAsync(User, "The user is vegetarian.", new RememberOptions { Kind = MemoryKind.Fact, Importance = 7 }, Ct);

        Assert.Equal([MemoryOperation.Add, MemoryOperation.Delete], result.Changes.Select(c => c.Operation));
        Assert.Null(await memory.GetAsync(User, old.Id, Ct));
        Assert.NotNull(await memory.GetAsync(User, kept.Id, Ct));
        Assert.Equal(["The user is vegetarian.", "The user lives in Ghent."], (await memory.ListRecentAsync(User, 10, Ct)).Select(m => m.Text).Order());
    }

    [Fact]
    public async Task Fact_Noop_ChangesNothing()
    {
        await using var fixture = new MemoryFixture();
        var memory = fixture.Create();
        var old = await SeedFactAsync(memory, "The user lives in Ghent.");
        fixture.Model.Reconcile = (_, shown) => new { decisions = new[] { new { operation = "NOOP", id = IdOf(shown, "The user lives in Ghent."), text = "", reason = "already known" } } };

        var result = await memory.RememberAsync(User, "The user's home is in Ghent.", new RememberOptions { Kind = MemoryKind.Fact, Importance = 3 }, Ct);

        Assert.Equal(MemoryOperation.Noop, Assert.Single(result.Changes).Operation);
        Assert.Null(result.Stored);
        var all = await memory.ListRecentAsync(User, 10, Ct);
        Assert.Equal(old.Id, Assert.Single(all).Id);
        Assert.Equal(old.Text, all[0].Text);
    }

    [Fact]
    public async Task Fact_InventedId_IsRejected_AndTheFactIsAdded()
    {
        await using var fixture = new MemoryFixture();
        var memory = fixture.Create();
        var old = await SeedFactAsync(memory, "The user lives in Ghent.");
        fixture.Model.Reconcile = (_, _) => new { decisions = new[] { new { operation = "DELETE", id = "17", text = "", reason = "made up" } } };

        var result = await memory.RememberAsync(User, "The user moved to Leuven.", new RememberOptions { Kind = MemoryKind.Fact, Importance = 5 }, Ct);

        Assert.Contains("'17'", Assert.Single(result.Rejected).Reason, StringComparison.Ordinal);
        Assert.Equal(MemoryOperation.Add, Assert.Single(result.Changes).Operation);
        Assert.NotNull(await memory.GetAsync(User, old.Id, Ct));
    }

    [Fact]
    public async Task Fact_FirstOfItsKind_IsAddedWithoutAskingTheModel()
    {
        await using var fixture = new MemoryFixture();
        var memory = fixture.Create();

        var result = await memory.RememberAsync(User, "The user is called Ann.", new RememberOptions { Kind = MemoryKind.Fact, Importance = 5 }, Ct);

        Assert.Equal(MemoryOperation.Add, Assert.Single(result.Changes).Operation);
        Assert.Equal(0, fixture.Model.CallsTo("memory/reconcile"));
    }

    [Fact]
    public async Task Redaction_ReplacesEmailPhoneAndCard_ButNotANonLuhnNumber()
    {
        await using var fixture = new MemoryFixture();
        var memory = fixture.Create(new MemoryOptions { RedactPersonalData = true });

        var result = await memory.RememberAsync(User, "Mail jane.doe@example.com or call +32 475 12 34 56; card 4111 1111 1111 1111; order 1234567812345678.", cancellationToken: Ct);

        Assert.Equal("Mail [email] or call [phone]; card [card]; order 1234567812345678.", result.Stored!.Text);
        var rated = fixture.Model.Client.Calls.Single().Messages[^1].Text;
        Assert.DoesNotContain("jane.doe", rated, StringComparison.Ordinal);
        Assert.DoesNotContain("4111", rated, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("4111 1111 1111 1111", true)]
    [InlineData("4111-1111-1111-1112", false)]
    [InlineData("1234567812345678", false)]
    [InlineData("378282246310005", true)]
    public void Luhn_ChecksCardNumbers(string number, bool valid) => Assert.Equal(valid, PersonalDataRedactor.IsLuhnValid(number));

    [Fact]
    public async Task Redaction_Off_KeepsTheText()
    {
        await using var fixture = new MemoryFixture();
        var memory = fixture.Create();

        var result = await memory.RememberAsync(User, "Mail jane.doe@example.com.", new RememberOptions { Importance = 2 }, Ct);

        Assert.Equal("Mail jane.doe@example.com.", result.Stored!.Text);
    }

    [Fact]
    public async Task SizeCap_EvictsTheLowestScoringObservationsFirst_PerAgent()
    {
        await using var fixture = new MemoryFixture();
        var memory = fixture.Create(new MemoryOptions { MaxMemoriesPerAgent = 3, ReflectionThreshold = 0 });
        var other = new MemoryScope("other");
        for (var i = 0; i < 4; i++)
        {
            await memory.RememberAsync(other, $"other agent memory {i}", new RememberOptions { Importance = 1 }, Ct);
        }

        var fact = await memory.RememberAsync(User, "The user is called Ann.", new RememberOptions { Kind = MemoryKind.Fact, Importance = 2 }, Ct);
        var important = await memory.RememberAsync(User, "The user lost their job.", new RememberOptions { Importance = 9 }, Ct);
        var mundane = await memory.RememberAsync(User, "The user said hello.", new RememberOptions { Importance = 1 }, Ct);
        fixture.Clock.Advance(TimeSpan.FromHours(2));
        var last = await memory.RememberAsync(User, "The user asked about jobs.", new RememberOptions { Importance = 5 }, Ct);

        var evicted = Assert.Single(last.Changes, c => c.Operation == MemoryOperation.Evict);
        Assert.Equal(mundane.Stored!.Id, evicted.MemoryId);
        var left = (await memory.ListRecentAsync(User, 10, Ct)).Select(m => m.Id).ToHashSet();
        Assert.True(left.SetEquals([fact.Stored!.Id, important.Stored!.Id, last.Stored!.Id]));
        Assert.Equal(3, (await memory.ListRecentAsync(other, 10, Ct)).Count);
    }

    [Fact]
    public async Task Remember_RejectsReflectionsAndBadImportance()
    {
        await using var fixture = new MemoryFixture();
        var memory = fixture.Create();

        await Assert.ThrowsAsync<ArgumentException>(() => memory.RememberAsync(User, "x", new RememberOptions { Kind = MemoryKind.Reflection, Importance = 2 }, Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => memory.RememberAsync(User, "x", new RememberOptions { Importance = 11 }, Ct));
    }
}
