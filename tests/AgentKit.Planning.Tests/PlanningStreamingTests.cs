using AgentKit.Agents;
using AgentKit.Agents.Events;
using AgentKit.Agents.Sessions;
using AgentKit.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AgentKit.Planning.Tests;

/// <summary>Streamed planning runs: the same result as the non-streaming call, with steps and model text as they happen.</summary>
public sealed class PlanningStreamingTests
{
    private const string Question = "A shop sells pens at 3 for $2. How much do 12 pens cost?";
    private const string Reasoning = "12 pens are 4 groups of 3, and each group costs $2, so they cost $8. The answer is 8.";

    private static readonly AIFunction Add = AIFunctionFactory.Create((int a, int b) => a + b, "add", "Adds two integers.");

    private static ServiceProvider Services(IChatClient? agentModel = null, AgentDefinition? agent = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AgentKit:Planning:SelfConsistency:Paths"] = "3",
            ["AgentKit:Planning:Debate:Agents"] = "2",
            ["AgentKit:Planning:TreeOfThoughts:ValueSamples"] = "1",
        }).Build();
        var services = new ServiceCollection()
            .AddAgentKitPrompts(o => { o.RootDirectory = RepositoryPrompts.Folder; o.WatchForChanges = false; })
            .AddAgentKitPlanning(configuration);
        if (agentModel is not null)
        {
            services.AddSingleton(agentModel).AddSingleton<ISessionStore, InMemorySessionStore>().AddAgentKitAgents().AddAgent(agent!);
        }

        return services.BuildServiceProvider();
    }

    /// <summary>A model that gives each planning prompt a fixed, correct reply (the same on every run, so two runs can be compared).</summary>
    private static ScriptedChatClient Model(int streamChunkLength = 0)
    {
        var executed = 0;
        return new ScriptedChatClient((messages, _) =>
        {
            string Reply()
            {
                var last = messages[^1].Text;
                if (ScriptedReplies.Is(messages, "You answer questions by interleaving"))
                {
                    return last.Contains("```observation", StringComparison.Ordinal)
                        ? """{"thought": "The tool said 8.", "finish": "8"}"""
                        : """{"thought": "Four groups of $2.", "action": {"tool": "add", "arguments": {"a": 4, "b": 4}}}""";
                }

                if (ScriptedReplies.Is(messages, "You plan."))
                {
                    return """{"steps": [{"description": "Add the cost of the four groups", "tool": "add"}]}""";
                }

                if (ScriptedReplies.Is(messages, "You execute one step"))
                {
                    return Interlocked.Increment(ref executed) % 2 == 1
                        ? """{"thought": "Add them.", "action": {"tool": "add", "arguments": {"a": 4, "b": 4}}}"""
                        : """{"thought": "Done.", "result": "8"}""";
                }

                if (ScriptedReplies.Is(messages, "You explore solutions"))
                {
                    return "The answer is 8.";
                }

                if (ScriptedReplies.Is(messages, "You judge partial solutions"))
                {
                    return """{"evaluation": "right", "verdict": "sure"}""";
                }

                if (ScriptedReplies.Is(messages, "You read a worked solution"))
                {
                    return """{"answer": "8"}""";
                }

                if (ScriptedReplies.Is(messages, ScriptedReplies.Decompose))
                {
                    return """{"subquestions": ["How many groups of 3 pens are in 12 pens?", "How much do 12 pens cost?"]}""";
                }

                if (ScriptedReplies.Is(messages, ScriptedReplies.Solve))
                {
                    return last.TrimEnd().EndsWith("groups of 3 pens are in 12 pens?\nA:", StringComparison.Ordinal) ? "12 / 3 = 4. The answer is 4." : Reasoning;
                }

                if (ScriptedReplies.Is(messages, ScriptedReplies.Pal))
                {
                    return "```javascript\nconst groups = 12 / 3;\nconsole.log(groups * 2);\n```";
                }

                if (ScriptedReplies.Is(messages, ScriptedReplies.Verify) || ScriptedReplies.Is(messages, ScriptedReplies.Critic))
                {
                    return """{"accept": true, "feedback": ""}""";
                }

                return Reasoning; // chain-of-thought, self-consistency paths, debate turns
            }

            return ScriptedReplies.Text(Reply());
        })
        { StreamChunkLength = streamChunkLength };
    }

    private static PlanningRequest Request(IPlanner planner) =>
        new(Question) { Format = AnswerFormat.Number, Tools = planner.UsesTools ? [Add] : [] };

    public static TheoryData<string> Planners =>
    [
        PlannerNames.ChainOfThought, PlannerNames.SelfConsistency, PlannerNames.TreeOfThoughts, PlannerNames.ReAct, PlannerNames.PlanAndExecute,
        PlannerNames.ProgramAided, PlannerNames.SelfCheck, PlannerNames.Critique, PlannerNames.Debate, PlannerNames.LeastToMost,
    ];

    [Theory]
    [MemberData(nameof(Planners))]
    public async Task Streamed_EndsWithTheNonStreamingResult_AndStreamsEveryCallsText(string name)
    {
        using var services = Services();
        var planner = services.GetRequiredService<IPlannerFactory>().Create(name);
        var expected = await planner.RunAsync(Model(), Request(planner), TestContext.Current.CancellationToken);

        var model = Model(streamChunkLength: 5);
        var updates = await CollectAsync(planner.RunStreamingAsync(model, Request(planner), TestContext.Current.CancellationToken));

        Assert.Equal(PlanningOutcome.Answered, expected.Outcome);
        var completed = updates[^1];
        Assert.Equal(PlanningUpdateKind.Completed, completed.Kind);
        Assert.Single(updates, u => u.Kind == PlanningUpdateKind.Completed);
        Assert.Equal(expected.Answer, completed.Text);
        var result = completed.Result!;
        Assert.Equal(expected.Answer, result.Answer);
        Assert.Equal(expected.Outcome, result.Outcome);
        Assert.Equal(expected.ModelCalls, result.ModelCalls);
        Assert.Equal(expected.Usage.TotalTokenCount, result.Usage.TotalTokenCount);
        Assert.Equal(expected.Trace.Steps.Select(s => (s.Kind, s.Name, s.Output)), result.Trace.Steps.Select(s => (s.Kind, s.Name, s.Output)));

        // Every trace step was reported, in order, as it was added.
        Assert.Equal(result.Trace.Steps, updates.Where(u => u.Kind == PlanningUpdateKind.StepCompleted).Select(u => u.Step!));

        // Single calls went to the model as streams; their pieces make up exactly what the trace recorded.
        var streamed = model.Calls.Count(c => c.Streaming);
        Assert.Equal(streamed, updates.Where(u => u.Kind == PlanningUpdateKind.TextDelta).Select(u => u.Call).Distinct().Count());
        foreach (var step in updates.Where(u => u.Kind == PlanningUpdateKind.StepCompleted && u.Call is not null))
        {
            var before = updates.Take(updates.IndexOf(step));
            Assert.Contains(before, u => u.Kind == PlanningUpdateKind.StepStarted && u.Call == step.Call && u.Name == step.Name);
            var deltas = before.Where(u => u.Kind == PlanningUpdateKind.TextDelta && u.Call == step.Call).ToList();
            if (deltas.Count > 0)
            {
                Assert.Equal(step.Step!.Output, string.Concat(deltas.Select(d => d.Text)));
                Assert.True(deltas.Count > 1 || step.Step.Output.Length <= 5);
            }
        }

        // Tool calls are announced before their observation.
        foreach (var tool in updates.Where(u => u.Kind == PlanningUpdateKind.StepCompleted && u.StepKind == TraceStepKind.ToolCall))
        {
            Assert.Contains(updates.Take(updates.IndexOf(tool)), u => u.Kind == PlanningUpdateKind.StepStarted && u.StepKind == TraceStepKind.ToolCall && u.Name == tool.Name);
        }
    }

    [Theory]
    [InlineData(PlannerNames.ChainOfThought)]
    [InlineData(PlannerNames.LeastToMost)]
    public async Task FinalAnswerStep_StreamsTheAnswerText_AsTheModelProducesIt(string name)
    {
        using var services = Services();
        var planner = services.GetRequiredService<IPlannerFactory>().Create(name);
        var request = Request(planner);
        var updates = await CollectAsync(planner.RunStreamingAsync(Model(streamChunkLength: 3), request, TestContext.Current.CancellationToken));

        // The last reasoning call is the one the answer is read from: its streamed pieces are the text the answer came from.
        var answerCall = updates.Last(u => u.Kind == PlanningUpdateKind.StepCompleted && u.Step!.Output == Reasoning).Call;
        var text = string.Concat(updates.Where(u => u.Kind == PlanningUpdateKind.TextDelta && u.Call == answerCall).Select(u => u.Text));
        Assert.Equal(Reasoning, text);
        Assert.EndsWith("The answer is 8.", text, StringComparison.Ordinal);
        Assert.Equal("8", updates[^1].Text);
    }

    [Fact]
    public async Task StepEvents_ArriveBeforeTheModelProducesItsLastResponse()
    {
        using var release = new SemaphoreSlim(0);
        var model = Model(streamChunkLength: 4);
        var inner = model.Respond!;
        model.Respond = (messages, options) =>
        {
            if (ScriptedReplies.Is(messages, "You read a worked solution") && !release.Wait(TimeSpan.FromSeconds(30)))
            {
                throw new TimeoutException("The extraction call was not released: no update reached the reader while the run waited.");
            }

            return inner(messages, options);
        };

        using var services = Services();
        var planner = services.GetRequiredService<IPlannerFactory>().Create(PlannerNames.ChainOfThought);
        var seen = new List<PlanningUpdate>();
        await foreach (var update in planner.RunStreamingAsync(model, Request(planner), TestContext.Current.CancellationToken))
        {
            seen.Add(update);
            if (update is { Kind: PlanningUpdateKind.StepCompleted, Name: "planning/cot" })
            {
                // The reasoning's pieces and its step are here, while the extraction call is held inside the model.
                Assert.True(seen.Count(u => u.Kind == PlanningUpdateKind.TextDelta) > 1);
                Assert.Contains(seen, u => u is { Kind: PlanningUpdateKind.StepStarted, Name: "planning/cot" });
                Assert.DoesNotContain(seen, u => u.Name == "planning/extract-answer");
                release.Release();
            }
        }

        Assert.Equal("8", seen[^1].Text);
        Assert.Equal(2, model.CallCount);
    }

    [Fact]
    public async Task Cancellation_MidStream_StopsTheRun()
    {
        // A slow ReAct model that never finishes: the run would take 8 turns and a fallback.
        var model = new ScriptedChatClient((_, _) => ScriptedReplies.Text("""{"thought": "Again.", "action": {"tool": "add", "arguments": {"a": 1, "b": 1}}}"""))
        {
            StreamChunkLength = 8, StreamChunkDelay = TimeSpan.FromMilliseconds(10),
        };
        using var services = Services();
        var planner = services.GetRequiredService<IPlannerFactory>().Create(PlannerNames.ReAct);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var updates = new List<PlanningUpdate>();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in planner.RunStreamingAsync(model, Request(planner), cts.Token))
            {
                updates.Add(update);
                if (update is { Kind: PlanningUpdateKind.StepCompleted, StepKind: TraceStepKind.ToolCall })
                {
                    await cts.CancelAsync();
                }
            }
        });

        var calls = model.CallCount;
        Assert.InRange(calls, 1, 2);
        Assert.DoesNotContain(updates, u => u.Kind == PlanningUpdateKind.Completed);
        await Task.Delay(200, TestContext.Current.CancellationToken);
        Assert.Equal(calls, model.CallCount);
    }

    [Fact]
    public async Task LeavingTheStreamEarly_CancelsTheRun()
    {
        var model = new ScriptedChatClient((_, _) => ScriptedReplies.Text("""{"thought": "Again.", "action": {"tool": "add", "arguments": {"a": 1, "b": 1}}}"""))
        {
            StreamChunkLength = 8, StreamChunkDelay = TimeSpan.FromMilliseconds(10),
        };
        using var services = Services();
        var planner = services.GetRequiredService<IPlannerFactory>().Create(PlannerNames.ReAct);

        await foreach (var update in planner.RunStreamingAsync(model, Request(planner), TestContext.Current.CancellationToken))
        {
            if (update.StepKind == TraceStepKind.ToolCall)
            {
                break;
            }
        }

        var calls = model.CallCount;
        await Task.Delay(200, TestContext.Current.CancellationToken);
        Assert.Equal(calls, model.CallCount);
        Assert.InRange(calls, 1, 2);
    }

    [Fact]
    public async Task BudgetStop_IsReported_BeforeTheResult()
    {
        using var services = Services();
        var planner = services.GetRequiredService<IPlannerFactory>().Create(PlannerNames.ChainOfThought);
        var request = Request(planner) with { Budget = new PlanningBudget { MaxCalls = 1 } };
        var expected = await planner.RunAsync(Model(), request, TestContext.Current.CancellationToken);

        var updates = await CollectAsync(planner.RunStreamingAsync(Model(streamChunkLength: 8), request, TestContext.Current.CancellationToken));

        Assert.Equal(PlanningOutcome.BudgetExceeded, expected.Outcome);
        var stop = Assert.Single(updates, u => u.Kind == PlanningUpdateKind.BudgetStopped);
        Assert.Equal(BudgetResource.Calls, stop.BudgetExceeded!.Resource);
        Assert.Equal(expected.BudgetExceeded, stop.BudgetExceeded with { Elapsed = expected.BudgetExceeded!.Elapsed });
        Assert.Equal(updates.Count - 2, updates.IndexOf(stop));
        Assert.Equal(PlanningOutcome.BudgetExceeded, updates[^1].Result!.Outcome);
        Assert.Equal(expected.ModelCalls, updates[^1].Result!.ModelCalls);
    }

    [Fact]
    public async Task ConcreteStrategy_WithItsOwnOptions_StreamsThroughObserve()
    {
        var planner = new SelfConsistencyPlanner(RepositoryPrompts.Registry);
        var options = new SelfConsistencyOptions { Paths = 4, Format = AnswerFormat.Number, EarlyStop = false };
        var expected = await planner.RunAsync(Model(), Question, options, TestContext.Current.CancellationToken);

        var updates = await CollectAsync(PlanningStreaming.ObserveAsync(ct => planner.RunAsync(Model(), Question, options, ct), TestContext.Current.CancellationToken));

        var result = Assert.IsType<SelfConsistencyResult>(updates[^1].Result);
        Assert.Equal(expected.Votes, result.Votes);
        Assert.Equal(4, updates.Count(u => u is { Kind: PlanningUpdateKind.StepStarted, StepKind: TraceStepKind.ModelCall }));
        Assert.Equal(expected.Trace.Steps.Count, updates.Count(u => u.Kind == PlanningUpdateKind.StepCompleted));
    }

    [Fact]
    public async Task AgentPlanner_ReportsItsStepsOnTheRunsEvents_BeforeTheAgentAnswers()
    {
        var model = Model(streamChunkLength: 6);
        var inner = model.Respond!;
        model.Respond = (messages, options) => messages.Any(m => m.Text.Contains("reasoning pass ran", StringComparison.Ordinal))
            ? ScriptedReplies.Text("They cost $8.")
            : inner(messages, options);
        var agent = new AgentDefinition
        {
            Name = "solver", Instructions = AgentInstructions.Literal("You solve problems."), Planner = new PlanningAgentPlanner(PlannerNames.ChainOfThought),
        };
        using var services = Services(model, agent);
        var session = await services.GetRequiredService<AgentRunner>().CreateSessionAsync("solver", TestContext.Current.CancellationToken);

        var events = await CollectAsync(session.RunStreamingAsync(Question, TestContext.Current.CancellationToken));

        var progress = events.OfType<PlannerProgressEvent>().ToList();
        Assert.Equal(("step_started", "model_call", "planning/cot"), (progress[0].Kind, progress[0].StepKind, progress[0].Name));
        Assert.Equal(Reasoning, string.Concat(progress.TakeWhile(p => p.Kind != "step_completed").Where(p => p.Kind == "text_delta").Select(p => p.Text)));
        Assert.Contains(progress, p => p is { Kind: "step_completed", Name: "planning/extract-answer" });
        Assert.Equal(("completed", "8"), (progress[^1].Kind, progress[^1].Text));
        Assert.All(progress, p => Assert.Equal(PlannerNames.ChainOfThought, p.Planner));
        var lastProgress = events.IndexOf(progress[^1]);
        Assert.True(lastProgress < events.FindIndex(e => e is TextDeltaEvent), "the planner's events come before the agent's answer");
        Assert.Equal("They cost $8.", string.Concat(events.OfType<TextDeltaEvent>().Select(e => e.Text)));
    }

    private static async Task<List<T>> CollectAsync<T>(IAsyncEnumerable<T> updates)
    {
        var list = new List<T>();
        await foreach (var update in updates)
        {
            list.Add(update);
        }

        return list;
    }
}
