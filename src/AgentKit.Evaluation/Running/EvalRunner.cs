using System.Diagnostics;
using AgentKit.Evaluation.Datasets;
using AgentKit.Evaluation.Expectations;
using AgentKit.Evaluation.Reports;
using AgentKit.Evaluation.Scenarios;
using Microsoft.Extensions.AI;

namespace AgentKit.Evaluation.Running;

/// <summary>
/// Runs a dataset's cases against a target, <see cref="EvalRunOptions.MaxParallel"/> runs at a time, each case
/// <see cref="EvalRunOptions.Repeat"/> times, and checks every run: turn errors, expectations on the last reply and
/// the run's tool calls, then end-state checks. A run that throws or times out fails with the reason; the others go on.
/// </summary>
/// <param name="target">What the cases run against.</param>
/// <param name="options">How; default <see cref="EvalRunOptions"/>.</param>
public sealed class EvalRunner(IEvalTarget target, EvalRunOptions? options = null)
{
    private readonly EvalRunOptions _options = options ?? new EvalRunOptions();

    /// <summary>Runs the cases.</summary>
    /// <param name="dataset">The dataset.</param>
    /// <param name="model">The model's name for the report.</param>
    /// <param name="progress">Told of each finished run.</param>
    /// <param name="cancellationToken">Stops the run; runs in progress are cancelled.</param>
    /// <returns>The report.</returns>
    public Task<EvalReport> RunAsync(EvalDataset dataset, string? model = null, IProgress<(EvalCase Case, EvalRunRecord Run)>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return RunAsync(dataset.Cases, dataset.FilePath, model, progress, cancellationToken);
    }

    /// <summary>Runs the given cases.</summary>
    /// <param name="cases">The cases.</param>
    /// <param name="datasetName">The dataset's name for the report.</param>
    /// <param name="model">The model's name for the report.</param>
    /// <param name="progress">Told of each finished run.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    /// <returns>The report.</returns>
    public async Task<EvalReport> RunAsync(
        IReadOnlyList<EvalCase> cases, string datasetName, string? model = null, IProgress<(EvalCase Case, EvalRunRecord Run)>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cases);
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var records = new EvalRunRecord[cases.Count, _options.Repeat];
        var work = Enumerable.Range(0, cases.Count).SelectMany(c => Enumerable.Range(0, _options.Repeat).Select(r => (Case: c, Repeat: r)));
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = _options.MaxParallel, CancellationToken = cancellationToken }, async (item, ct) =>
        {
            var record = await RunOneAsync(cases[item.Case], item.Repeat, ct).ConfigureAwait(false);
            records[item.Case, item.Repeat] = record;
            progress?.Report((cases[item.Case], record));
        }).ConfigureAwait(false);

        return new EvalReport
        {
            Dataset = datasetName,
            Target = target.Name,
            Model = model,
            StartedAt = started,
            DurationMs = clock.Elapsed.TotalMilliseconds,
            Repeat = _options.Repeat,
            Cases = [.. cases.Select((c, i) => new EvalCaseReport
            {
                Id = c.Id,
                Group = c.Group,
                Split = c.Split,
                Source = c.Source,
                Runs = [.. Enumerable.Range(0, _options.Repeat).Select(r => records[i, r])],
            })],
        };
    }

    /// <summary>Runs one case once.</summary>
    /// <param name="evalCase">The case.</param>
    /// <param name="repeat">The repeat index.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    /// <returns>The run's record.</returns>
    public async Task<EvalRunRecord> RunOneAsync(EvalCase evalCase, int repeat, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(evalCase);
        var meter = new EvalMeter(repeat);
        var outer = EvalMeter.Current;
        EvalMeter.Current = meter;
        var clock = Stopwatch.StartNew();
        var conversation = new List<ChatMessage>();
        var results = new List<ExpectationResult>();
        string? error = null;
        var turns = 0;
        var reply = string.Empty;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.CaseTimeout);
        try
        {
            var session = await target.StartAsync(evalCase, timeout.Token).ConfigureAwait(false);
            await using (session.ConfigureAwait(false))
            {
                var user = CreateUser(evalCase);
                if (user is null)
                {
                    var turn = await session.SendAsync(null, timeout.Token).ConfigureAwait(false);
                    conversation.AddRange(turn.Messages);
                    reply = turn.Text;
                    error = turn.Error;
                }
                else
                {
                    while (error is null && await user.NextAsync(conversation, timeout.Token).ConfigureAwait(false) is { } message)
                    {
                        turns++;
                        var turn = await session.SendAsync(message, timeout.Token).ConfigureAwait(false);
                        conversation.AddRange(turn.Messages);
                        reply = turn.Text;
                        error = turn.Error;
                    }
                }

                var observation = EvalObservation.FromMessages(conversation, reply);
                var context = new ExpectationContext(_options.Judge, _options.Prompts);
                foreach (var expectation in evalCase.Expectations)
                {
                    results.Add(await expectation.CheckAsync(observation, context, timeout.Token).ConfigureAwait(false));
                }

                foreach (var check in evalCase.EndState)
                {
                    results.Add(await session.CheckEndStateAsync(check, timeout.Token).ConfigureAwait(false));
                }
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            error = $"the run took longer than {_options.CaseTimeout}.";
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            error = $"{e.GetType().Name}: {e.Message}";
        }
        finally
        {
            EvalMeter.Current = outer;
        }

        var usage = new UsageDetails { InputTokenCount = meter.InputTokens, OutputTokenCount = meter.OutputTokens };
        return new EvalRunRecord
        {
            Repeat = repeat,
            Passed = error is null && results.All(r => r.Passed),
            Results = results,
            Error = error,
            LatencyMs = clock.Elapsed.TotalMilliseconds,
            ModelMs = meter.ModelTime.TotalMilliseconds,
            ModelCalls = meter.ModelCalls,
            CacheHits = meter.CacheHits,
            InputTokens = meter.InputTokens,
            OutputTokens = meter.OutputTokens,
            Cost = _options.Price?.CostOf(usage),
            Turns = turns,
            Reply = reply,
        };
    }

    private IUserSimulator? CreateUser(EvalCase evalCase)
    {
        if (evalCase.Simulator is { } spec)
        {
            if (_options.UserSimulatorModel is null || _options.Prompts is null)
            {
                throw new InvalidOperationException("the case has a simulated user but no simulator model is configured (--simulator-model, or EvalRunOptions.UserSimulatorModel and Prompts).");
            }

            return new ModelUserSimulator(_options.UserSimulatorModel, _options.Prompts.Get(ModelUserSimulator.PromptName), spec);
        }

        return evalCase.Turns.Count == 0 ? null : new ScriptedUserSimulator(evalCase.Turns);
    }
}
