using AgentKit.Testing;
using static AgentKit.Planning.Tests.ScriptedReplies;

namespace AgentKit.Planning.Tests;

public sealed class LeastToMostTests
{
    private const string Question = "Elsa has 5 apples. Anna has 2 more apples than Elsa. How many apples do they have together?";

    private static LeastToMostPlanner Planner => new(RepositoryPrompts.Registry);

    private static LeastToMostOptions Options(int max = 6) => new() { Format = AnswerFormat.Number, Extraction = AnswerExtraction.Parse, MaxSubquestions = max };

    [Fact]
    public async Task SubquestionsAreSolvedInOrder_EachWithTheEarlierAnswers()
    {
        var client = new ScriptedChatClient(
            $$"""{"subquestions": ["How many apples does Elsa have?", "How many apples does Anna have?", "{{Question}}"]}""",
            "Elsa has 5. The answer is 5.",
            "Anna has 5 + 2. The answer is 7.",
            "5 + 7 = 12. The answer is 12.");

        var result = await Planner.RunAsync(client, Question, Options(), TestContext.Current.CancellationToken);

        Assert.Equal(PlanningOutcome.Answered, result.Outcome);
        Assert.Equal("12", result.Answer);
        Assert.True(result.Decomposed);
        Assert.Equal(["How many apples does Elsa have?", "How many apples does Anna have?"], result.Subquestions);
        Assert.Equal(["5", "7"], result.Solved.Select(s => s.Answer));
        Assert.Equal(4, result.ModelCalls);
        Assert.True(Is(client.Calls[0].Messages, Decompose));
        Assert.DoesNotContain("A: 5", client.Calls[1].Messages[^1].Text, StringComparison.Ordinal);
        Assert.Contains("Q: How many apples does Elsa have?\nA: 5", client.Calls[2].Messages[^1].Text, StringComparison.Ordinal);
        var final = client.Calls[3].Messages;
        Assert.Contains("A: 7", final[^1].Text, StringComparison.Ordinal);
        Assert.Contains("as a single number", final[0].Text, StringComparison.Ordinal);
        Assert.DoesNotContain("as a single number", client.Calls[1].Messages[0].Text, StringComparison.Ordinal);
        Assert.Contains(result.Trace.Steps, s => s.Kind == TraceStepKind.Plan && s.Name == "decompose");
    }

    [Fact]
    public async Task LongDecomposition_IsCutToTheLimit()
    {
        var client = new ScriptedChatClient("""{"subquestions": ["a?", "b?", "c?", "d?"]}""");
        client.Respond = (_, _) => Text("The answer is 1.");

        var result = await Planner.RunAsync(client, Question, Options(max: 2), TestContext.Current.CancellationToken);

        Assert.Equal(["a?", "b?"], result.Subquestions);
        Assert.Equal(4, result.ModelCalls);
        Assert.Contains(result.Trace.Steps, s => s.Name == "cut" && s.Output.Contains("first 2", StringComparison.Ordinal));
        Assert.Contains("at most 3 sub-questions", client.Calls[0].Messages[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnreadableDecomposition_AnswersTheQuestionDirectly()
    {
        var client = new ScriptedChatClient("First, Elsa.", "Still prose.", "5 + 7 = 12. The answer is 12.");

        var result = await Planner.RunAsync(client, Question, Options(), TestContext.Current.CancellationToken);

        Assert.Equal("12", result.Answer);
        Assert.False(result.Decomposed);
        Assert.Empty(result.Solved);
        Assert.True(Is(client.Calls[2].Messages, Solve));
        Assert.Contains(result.Trace.Steps, s => s.Name == "decompose" && s.Output.Contains("not valid twice", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LongSubanswers_AreCutBeforeTheyAreCarriedForward()
    {
        var longAnswer = new string('x', 100);
        var client = new ScriptedChatClient("""{"subquestions": ["a?"]}""", $"The answer is {longAnswer}.", "The answer is 3.");

        var result = await Planner.RunAsync(client, Question, Options() with { MaxSubanswerChars = 20 }, TestContext.Current.CancellationToken);

        Assert.Equal(new string('x', 20) + " [cut]", result.Solved[0].Answer);
        Assert.DoesNotContain(longAnswer, client.Calls[2].Messages[^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CallBudget_StopsBetweenSubquestions()
    {
        var client = new ScriptedChatClient("""{"subquestions": ["a?", "b?", "c?"]}""");
        client.Respond = (_, _) => Text("The answer is 1.");

        var result = await Planner.RunAsync(client, Question, Options() with { Budget = new PlanningBudget { MaxCalls = 3 } }, TestContext.Current.CancellationToken);

        Assert.Equal(PlanningOutcome.BudgetExceeded, result.Outcome);
        Assert.Equal(2, result.Solved.Count);
        Assert.Null(result.Reasoning);
        Assert.Null(result.Answer);
    }

    [Fact]
    public async Task Cancellation_Throws()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var client = new ScriptedChatClient((_, _) =>
        {
            cts.Cancel();
            return Text("""{"subquestions": ["a?"]}""");
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Planner.RunAsync(client, Question, Options(), cts.Token));
    }
}
