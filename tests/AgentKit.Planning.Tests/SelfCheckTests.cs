using AgentKit.Testing;
using Microsoft.Extensions.AI;
using static AgentKit.Planning.Tests.ScriptedReplies;

namespace AgentKit.Planning.Tests;

public sealed class SelfCheckTests
{
    private const string Question = "A shop sells pens at 3 for $2. How much do 12 pens cost, in dollars?";

    private static SelfCheckPlanner Planner => new(RepositoryPrompts.Registry);

    private static SelfCheckOptions Options(int revisions = 2) => new() { Format = AnswerFormat.Number, Extraction = AnswerExtraction.Parse, MaxRevisions = revisions };

    [Fact]
    public async Task VerifiedAnswer_StopsAfterOneCheck()
    {
        var client = new ScriptedChatClient("4 groups of 3, 4 x 2 = 8. The answer is 8.", """{"accept": true, "feedback": ""}""");

        var result = await Planner.RunAsync(client, Question, Options(), TestContext.Current.CancellationToken);

        Assert.Equal(PlanningOutcome.Answered, result.Outcome);
        Assert.True(result.Accepted);
        Assert.Equal("8", result.Answer);
        Assert.Equal(2, result.ModelCalls);
        Assert.Single(result.Rounds);
        Assert.True(Is(client.Calls[1].Messages, Verify));
        Assert.Contains("Proposed answer: 8", client.Calls[1].Messages[^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RejectedAnswer_IsRevisedWithTheFeedback_AndCheckedAgain()
    {
        var client = new ScriptedChatClient(
            "4 groups, 4 + 2 = 6. The answer is 6.",
            """{"accept": false, "feedback": "Four groups at $2 each cost 4 x 2, not 4 + 2."}""",
            "Right: 4 x 2 = 8. The answer is 8.",
            """{"accept": true, "feedback": "Correct."}""");

        var result = await Planner.RunAsync(client, Question, Options(), TestContext.Current.CancellationToken);

        Assert.True(result.Accepted);
        Assert.Equal("8", result.Answer);
        Assert.Equal(["6", "8"], result.Rounds.Select(r => r.Answer));
        Assert.False(result.Rounds[0].Review!.Accepted);
        Assert.True(Is(client.Calls[2].Messages, Revise));
        Assert.Contains("4 x 2, not 4 + 2", client.Calls[2].Messages[^1].Text, StringComparison.Ordinal);
        Assert.Contains("Earlier answer: 6", client.Calls[2].Messages[^1].Text, StringComparison.Ordinal);
        Assert.Equal(2, result.Trace.Steps.Count(s => s.Kind == TraceStepKind.Decision && s.Name == "review"));
    }

    [Fact]
    public async Task ProgrammaticVerifier_ReplacesTheVerifierCall()
    {
        var client = new ScriptedChatClient("The answer is 6.", "The answer is 7.", "The answer is 8.");
        var checkedAnswers = new List<string>();
        var options = Options() with
        {
            Verifier = (question, answer, _) =>
            {
                checkedAnswers.Add(answer);
                return ValueTask.FromResult(answer == "8" ? new AnswerReview(true) : new AnswerReview(false, $"{answer} is wrong: 12 pens are 4 groups."));
            },
        };

        var result = await Planner.RunAsync(client, Question, options, TestContext.Current.CancellationToken);

        Assert.True(result.Accepted);
        Assert.Equal("8", result.Answer);
        Assert.Equal(["6", "7", "8"], checkedAnswers);
        Assert.Equal(3, result.ModelCalls);
        Assert.DoesNotContain(client.Calls, c => Is(c.Messages, Verify));
        Assert.Contains("7 is wrong", client.Calls[2].Messages[^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProgrammaticVerifierThatThrows_EndsTheRun_WithItsException()
    {
        var client = new ScriptedChatClient("The answer is 8.");
        var options = Options() with { Verifier = (_, _, _) => throw new InvalidOperationException("the price list is unavailable") };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Planner.RunAsync(client, Question, options, TestContext.Current.CancellationToken));
        Assert.Equal("the price list is unavailable", error.Message);
    }

    [Fact]
    public async Task RevisionsRunOut_TheLastAnswerIsReturned_NotAccepted()
    {
        var client = new ScriptedChatClient((_, _) => Text("The answer is 6."));
        var options = Options(revisions: 1) with { Verifier = (_, _, _) => ValueTask.FromResult(new AnswerReview(false, "Still wrong.")) };

        var result = await Planner.RunAsync(client, Question, options, TestContext.Current.CancellationToken);

        Assert.Equal(PlanningOutcome.Answered, result.Outcome);
        Assert.False(result.Accepted);
        Assert.Equal("6", result.Answer);
        Assert.Equal(2, result.Rounds.Count);
        Assert.Equal(2, result.ModelCalls);
        Assert.Contains("not accepted after 1 revision(s): Still wrong.", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedVerdict_CountsAsARejection()
    {
        var client = new ScriptedChatClient("The answer is 8.", "looks fine to me", "still not json", "The answer is 8.", """{"accept": true, "feedback": ""}""");

        var result = await Planner.RunAsync(client, Question, Options(), TestContext.Current.CancellationToken);

        Assert.True(result.Accepted);
        Assert.Equal(2, result.Rounds.Count);
        Assert.Contains("could not be read", result.Rounds[0].Review!.Feedback, StringComparison.Ordinal);
        Assert.Contains(result.Trace.Steps, s => s.Name == "review" && s.Output.Contains("not valid twice", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnswerThatCannotBeRead_IsSentBackWithoutAVerifierCall()
    {
        var client = new ScriptedChatClient("I am not sure.", "The answer is 8.", """{"accept": true, "feedback": ""}""");

        var result = await Planner.RunAsync(client, Question, Options(), TestContext.Current.CancellationToken);

        Assert.Equal("8", result.Answer);
        Assert.Null(result.Rounds[0].Answer);
        Assert.True(Is(client.Calls[1].Messages, Revise));
        Assert.Equal(3, result.ModelCalls);
    }

    [Fact]
    public async Task TokenBudget_StopsTheLoop_WithTheLatestAnswer()
    {
        var client = new ScriptedChatClient((messages, _) => Is(messages, Verify) ? Text("""{"accept": false, "feedback": "no"}""", 40) : Text("The answer is 6.", 40));

        var result = await Planner.RunAsync(client, Question, Options(revisions: 5) with { Budget = new PlanningBudget { MaxTokens = 100 } }, TestContext.Current.CancellationToken);

        Assert.Equal(PlanningOutcome.BudgetExceeded, result.Outcome);
        Assert.Equal(BudgetResource.Tokens, result.BudgetExceeded!.Resource);
        Assert.Equal("6", result.Answer);
        Assert.Equal(3, result.ModelCalls);
        Assert.Null(result.Rounds[^1].Review);
    }

    [Fact]
    public async Task Cancellation_Throws()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var client = new ScriptedChatClient((_, _) =>
        {
            cts.Cancel();
            return Text("The answer is 6.");
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Planner.RunAsync(client, Question, Options(), cts.Token));
    }
}
