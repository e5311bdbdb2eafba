using AgentKit.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static AgentKit.Planning.Tests.ScriptedReplies;

namespace AgentKit.Planning.Tests;

public sealed class DebateTests
{
    private const string Question = "A shop sells pens at 3 for $2. How much do 12 pens cost, in dollars?";

    private static DebatePlanner Planner => new(RepositoryPrompts.Registry);

    private static DebateOptions Options(int agents = 3, int rounds = 3) => new()
    {
        Agents = agents,
        Rounds = rounds,
        Format = AnswerFormat.Number,
        Extraction = AnswerExtraction.Parse,
        ChatOptions = new ChatOptions { Seed = 100 },
    };

    /// <summary>First round: the agent with seed 100 says 8, the others 6; later rounds: <paramref name="debate"/> of the prompt, else each agent repeats its own solution.</summary>
    private static ChatResponse Agents(IReadOnlyList<ChatMessage> messages, ChatOptions? options, Func<string, string>? debate = null)
    {
        if (Is(messages, Cot))
        {
            return Text(options!.Seed == 100 ? "4 x 2 = 8. The answer is 8." : "4 + 2 = 6. The answer is 6.");
        }

        Assert.True(Is(messages, Debate));
        var prompt = messages[^1].Text;
        return Text(debate?.Invoke(prompt) ?? (prompt.Contains("Your previous solution:\n4 x 2 = 8", StringComparison.Ordinal) ? "4 x 2 = 8. The answer is 8." : "4 + 2 = 6. The answer is 6."));
    }

    [Fact]
    public async Task Consensus_InTheFirstRound_StopsEarly()
    {
        var client = new ScriptedChatClient((_, _) => Text("The answer is 8."));

        var result = await Planner.RunAsync(client, Question, Options(), TestContext.Current.CancellationToken);

        Assert.Equal(PlanningOutcome.Answered, result.Outcome);
        Assert.Equal("8", result.Answer);
        Assert.True(result.Consensus);
        Assert.True(result.StoppedEarly);
        Assert.Equal("consensus", result.DecidedBy);
        Assert.Single(result.Rounds);
        Assert.Equal(3, result.ModelCalls);
        Assert.All(client.Calls, c => Assert.Equal(0.7f, c.Options!.Temperature));
    }

    [Fact]
    public async Task LaterRounds_ShowEachAgentTheOthers_AndTheyConverge()
    {
        // In round 2 an agent that sees an 8 among the others is convinced.
        var client = new ScriptedChatClient((m, o) => Agents(m, o, prompt => prompt.Contains("(answer: 8)", StringComparison.Ordinal) ? "Agent 1 is right: 4 x 2. The answer is 8." : "I keep mine. The answer is 8."));

        var result = await Planner.RunAsync(client, Question, Options(), TestContext.Current.CancellationToken);

        Assert.Equal("8", result.Answer);
        Assert.True(result.Consensus);
        Assert.Equal(2, result.Rounds.Count);
        Assert.Equal(["8", "6", "6"], result.Rounds[0].Select(t => t.Answer));
        var round2 = client.Calls.Skip(3).Select(c => c.Messages[^1].Text).ToList();
        Assert.Equal(3, round2.Count);
        // Agent 1 sees agents 2 and 3, not itself.
        Assert.Contains("Agent 2 (answer: 6)", round2[0], StringComparison.Ordinal);
        Assert.Contains("Agent 3 (answer: 6)", round2[0], StringComparison.Ordinal);
        Assert.DoesNotContain("Agent 1 (answer", round2[0], StringComparison.Ordinal);
        Assert.Contains("Agent 1 (answer: 8)", round2[1], StringComparison.Ordinal);
        // Round 2 seeds follow round 1's: seed + r × agents + i.
        Assert.Equal([103, 104, 105], client.Calls.Skip(3).Select(c => (int)c.Options!.Seed!));
    }

    [Fact]
    public async Task NoConsensus_TheMajorityDecides_AfterAllRounds()
    {
        var client = new ScriptedChatClient((m, o) => Agents(m, o, prompt => prompt.Contains("Agent 1 (answer", StringComparison.Ordinal) ? "The answer is 6." : "The answer is 8."));

        var result = await Planner.RunAsync(client, Question, Options(rounds: 2), TestContext.Current.CancellationToken);

        Assert.False(result.Consensus);
        Assert.False(result.StoppedEarly);
        Assert.Equal("6", result.Answer);
        Assert.Equal("majority", result.DecidedBy);
        Assert.Equal(2, result.Votes["6"]);
        Assert.Equal(6, result.ModelCalls);
    }

    [Fact]
    public async Task Judge_DecidesWithoutConsensus_AndMayOverruleTheMajority()
    {
        var client = new ScriptedChatClient((m, o) => Is(m, Judge)
            ? Text("""{"rationale": "Agent 1 multiplies the groups by the price.", "answer": "$8"}""")
            : Agents(m, o));

        var result = await Planner.RunAsync(client, Question, Options(rounds: 2) with { Decision = DebateDecision.Judge }, TestContext.Current.CancellationToken);

        Assert.Equal("8", result.Answer);
        Assert.Equal("judge", result.DecidedBy);
        Assert.Contains("multiplies", result.JudgeRationale, StringComparison.Ordinal);
        Assert.Equal(2, result.Votes["6"]);
        Assert.Contains("Agent 3 (answer: 6)", client.Calls[^1].Messages[^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JudgeModel_DecidesOnItsOwnClient_CountedInTheBudget()
    {
        var agents = new ScriptedChatClient((m, o) => Agents(m, o));
        var judge = new ScriptedChatClient((m, _) =>
        {
            Assert.True(Is(m, Judge));
            return Text("""{"rationale": "Agent 1 multiplies the groups by the price.", "answer": "8"}""");
        });

        var result = await Planner.RunAsync(agents, judge, Question, Options(rounds: 2) with { Decision = DebateDecision.Judge }, TestContext.Current.CancellationToken);

        Assert.Equal("8", result.Answer);
        Assert.Equal("judge", result.DecidedBy);
        Assert.Equal(1, judge.CallCount);
        Assert.Equal(6, agents.CallCount);
        Assert.Equal(7, result.ModelCalls);
        Assert.DoesNotContain(agents.Calls, c => Is(c.Messages, Judge));
    }

    [Fact]
    public async Task SelectedByName_TheJudgeIsTheConfiguredKeyedClient()
    {
        // Agents alternate between two answers, so the debate never reaches consensus.
        var calls = 0;
        var agents = new ScriptedChatClient((_, _) => Text(Interlocked.Increment(ref calls) % 2 == 0 ? "The answer is 8." : "The answer is 6."));
        var judge = new ScriptedChatClient("""{"rationale": "Agent 1 is right.", "answer": "8"}""");
        using var services = new ServiceCollection()
            .AddAgentKitPrompts(o => { o.RootDirectory = RepositoryPrompts.Folder; o.WatchForChanges = false; })
            .AddAgentKitPlanning(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["AgentKit:Planning:Debate:Decision"] = "Judge",
                ["AgentKit:Planning:Debate:Rounds"] = "2",
                ["AgentKit:Planning:Debate:JudgeModel"] = "strong",
            }).Build())
            .AddKeyedSingleton<IChatClient>("strong", judge)
            .BuildServiceProvider();

        var result = await services.GetRequiredService<IPlannerFactory>().Create("debate")
            .RunAsync(agents, new PlanningRequest(Question) { Format = AnswerFormat.Number }, TestContext.Current.CancellationToken);

        Assert.Equal("judge", Assert.IsType<DebateResult>(result).DecidedBy);
        Assert.Equal(1, judge.CallCount);
    }

    [Fact]
    public void UnknownJudgeModel_FailsAtStart_NamingTheKey()
    {
        using var services = new ServiceCollection()
            .AddAgentKitPrompts(o => { o.RootDirectory = RepositoryPrompts.Folder; o.WatchForChanges = false; })
            .AddAgentKitPlanning(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["AgentKit:Planning:Debate:JudgeModel"] = "missing" }).Build())
            .BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<PlanningOptions>>().Value);
        Assert.Contains("AgentKit:Planning:Debate:JudgeModel", error.Message, StringComparison.Ordinal);
        Assert.Contains("'missing'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedJudgeVerdict_FallsBackToTheMajority()
    {
        var client = new ScriptedChatClient((m, o) => Is(m, Judge) ? Text("Agent 1 wins") : Agents(m, o));

        var result = await Planner.RunAsync(client, Question, Options(rounds: 2) with { Decision = DebateDecision.Judge }, TestContext.Current.CancellationToken);

        Assert.Equal("6", result.Answer);
        Assert.Equal("majority", result.DecidedBy);
        Assert.Contains(result.Trace.Steps, s => s.Name == "judge" && s.Output.Contains("the majority decides", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SharedLocalModel_EachRoundIsOneMultiSequenceRequest()
    {
        var client = new ScriptedMultiSequenceChatClient((m, o) => Agents(m, o, _ => "The answer is 8."), maxSequences: 4);

        var result = await Planner.RunAsync(client, Question, Options(), TestContext.Current.CancellationToken);

        Assert.True(result.UsedMultiSequence);
        Assert.Equal("8", result.Answer);
        Assert.Equal(2, client.Batches.Count);
        Assert.True(client.Batches[0].SameConversation);
        Assert.False(client.Batches[1].SameConversation);
        Assert.Equal(3, client.Batches[1].Conversations.Count);
        Assert.Empty(client.Calls);
        Assert.Equal(6, result.ModelCalls);
        Assert.Equal(2, result.Requests);
    }

    [Fact]
    public async Task AgentsWithoutReadableAnswers_IsNoAnswer()
    {
        var client = new ScriptedChatClient((_, _) => Text("I would rather not say."));

        var result = await Planner.RunAsync(client, Question, Options(rounds: 2), TestContext.Current.CancellationToken);

        Assert.Equal(PlanningOutcome.NoAnswer, result.Outcome);
        Assert.Null(result.Answer);
        Assert.Contains("no agent gave a number answer", result.Reason, StringComparison.Ordinal);
        Assert.Contains("(answer: (none))", client.Calls[^1].Messages[^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CallBudget_MidRound_KeepsTheLastTurns_AndReportsTheStop()
    {
        var client = new ScriptedChatClient((m, o) => Agents(m, o, _ => "The answer is 8."));

        var result = await Planner.RunAsync(client, Question, Options() with { Budget = new PlanningBudget { MaxCalls = 4 } }, TestContext.Current.CancellationToken);

        Assert.Equal(PlanningOutcome.BudgetExceeded, result.Outcome);
        Assert.Equal(4, result.ModelCalls);
        Assert.Equal(2, result.Rounds.Count);
        Assert.Equal(["8", "6", "6"], result.Rounds[1].Select(t => t.Answer));
        Assert.Equal("6", result.Answer);
    }

    [Fact]
    public async Task Cancellation_Throws()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var client = new ScriptedChatClient((m, o) =>
        {
            cts.Cancel();
            return Agents(m, o);
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Planner.RunAsync(client, Question, Options() with { MaxConcurrency = 1 }, cts.Token));
    }

    [Fact]
    public void Options_OutOfRange_AreRefusedByName()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Options(agents: 1).Validate());
        Assert.Equal(nameof(DebateOptions.Agents), error.ParamName);
        Assert.Equal(nameof(DebateOptions.Rounds), Assert.Throws<ArgumentOutOfRangeException>(() => Options(rounds: 11).Validate()).ParamName);
    }
}
