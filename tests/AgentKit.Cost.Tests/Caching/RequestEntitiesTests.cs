using AgentKit.Cost.Caching;

namespace AgentKit.Cost.Tests.Caching;

public sealed class RequestEntitiesTests
{
    [Theory]
    [InlineData("What is the status of order SB-10421?", "SB-10421")]
    [InlineData("status of order sb-10421", "SB-10421")]
    [InlineData("Ship 1,000 units by 2026-12-05", "1000|2026-12-05")]
    [InlineData("Is Alice's refund of 12.50 done?", "12.50|ALICE")]
    [InlineData("Can you show me three red shirts?", "3")]
    [InlineData("Where is my parcel?", "")]
    [InlineData("Book a flight from Paris to Oslo on December 5", "5|DECEMBER|OSLO|PARIS")]
    [InlineData("Compare iPhone and Pixel", "IPHONE|PIXEL")]
    public void Extract_FindsNumbersIdentifiersNamesAndDates(string text, string expected)
    {
        var entities = RequestEntities.Extract(text);

        Assert.Equal(expected, string.Join('|', entities));
    }

    [Theory]
    [InlineData("What is the status of order SB-10421?", "Could you tell me the status of order SB-10421", true)]
    [InlineData("What is the status of order SB-10421?", "What is the status of order SB-10422?", false)]
    [InlineData("How many days do I have to return 2 items?", "How many days do I have to return 3 items?", false)]
    [InlineData("How many days do I have to return two items?", "How many days to return 2 items?", true)]
    [InlineData("Refund for Alice", "Refund for Bob", false)]
    [InlineData("Delivery on 2026-12-05", "Delivery on 2026-12-06", false)]
    public void Agree_OnlyWhenEntitiesMatch(string a, string b, bool agree)
    {
        Assert.Equal(agree, RequestEntities.Agree(RequestEntities.Extract(a), RequestEntities.Extract(b)));
    }

    [Fact]
    public void JoinAndSplit_RoundTrip()
    {
        var entities = RequestEntities.Extract("Order SB-1 for Alice on 2026-12-05");

        Assert.Equal(entities, RequestEntities.Split(RequestEntities.Join(entities)));
        Assert.Empty(RequestEntities.Split(RequestEntities.Join([])));
    }
}
