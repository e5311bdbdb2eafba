using System.Diagnostics;
using System.Globalization;
using AgentKit.Abstractions.Diagnostics;
using AgentKit.Memory.Diagnostics;
using AgentKit.Memory.Read;
using AgentKit.Memory.Reflection;
using AgentKit.Memory.Storage;
using AgentKit.Prompts;

namespace AgentKit.Memory;

public sealed partial class AgentMemory
{
    /// <summary>The prompt that asks the salient questions.</summary>
    public const string ReflectQuestionsPrompt = "memory/reflect-questions";

    /// <summary>The prompt that writes the cited insights.</summary>
    public const string ReflectInsightsPrompt = "memory/reflect-insights";

    /// <summary>
    /// Reflects (Park et al. 2023, §4.2): from the agent's <see cref="MemoryOptions.ReflectionRecentCount"/> most recent
    /// memories the model asks the <see cref="MemoryOptions.ReflectionQuestionCount"/> most salient questions; for each,
    /// the memories retrieved for it are shown under short ids and the model writes up to
    /// <see cref="MemoryOptions.MaxInsightsPerQuestion"/> insights citing them. Cited ids that were not shown are
    /// dropped, and an insight left with no evidence is dropped. Each insight is stored as a
    /// <see cref="MemoryKind.Reflection"/> with its evidence ids, depth 1 + the deepest evidence, and a rated importance.
    /// The agent's importance sum restarts from 0 when the reflection starts.
    /// </summary>
    /// <param name="agentId">The agent.</param>
    /// <param name="cancellationToken">Cancels the reflection; insights are stored together at the end, so none are stored when it is cancelled.</param>
    /// <returns>The questions and the stored insights.</returns>
    public async Task<ReflectionResult> ReflectAsync(string agentId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(agentId);
        var started = Stopwatch.GetTimestamp();
        using var activity = MemoryTelemetry.Start(MemoryTelemetry.ReflectActivityName, agentId);
        try
        {
            var result = await ReflectCoreAsync(agentId, cancellationToken).ConfigureAwait(false);
            activity?.SetTag("agentkit.memory.questions", result.Questions.Count);
            activity?.SetTag(TelemetryAttributes.MemoryInsights, result.Insights.Count);
            return result;
        }
        catch (Exception e) when (AgentKitTelemetry.Fail(activity, e))
        {
            throw;
        }
        finally
        {
            MemoryTelemetry.RecordDuration(MemoryTelemetry.ReflectActivityName, started);
        }
    }

    private async Task<ReflectionResult> ReflectCoreAsync(string agentId, CancellationToken cancellationToken)
    {
        var taken = 0;
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (await StateAsync(agentId, cancellationToken).ConfigureAwait(false) is { } state)
            {
                taken = state.ImportanceSinceReflection;
                state.ImportanceSinceReflection = 0;
            }
        }
        finally
        {
            _writeLock.Release();
        }

        try
        {
            return await ReflectOnceAsync(agentId, cancellationToken).ConfigureAwait(false);
        }
        catch when (taken > 0)
        {
            // A failed or cancelled reflection stored nothing: give the importance it took back, so the next write
            // that crosses the threshold reflects again instead of waiting for a whole new threshold.
            await _writeLock.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                if (await StateAsync(agentId, CancellationToken.None).ConfigureAwait(false) is { } state)
                {
                    state.ImportanceSinceReflection += taken;
                }
            }
            finally
            {
                _writeLock.Release();
            }

            throw;
        }
    }

    private async Task<ReflectionResult> ReflectOnceAsync(string agentId, CancellationToken cancellationToken)
    {
        var scope = new MemoryScope(agentId);
        var recent = await _collection.FindAsync(Filter(scope, null), _options.ReflectionRecentCount, newestFirst: true, includeVectors: false, cancellationToken).ConfigureAwait(false);
        if (recent.Count == 0)
        {
            return new ReflectionResult { AgentId = agentId, Questions = [], Insights = [] };
        }

        recent.Reverse();
        var questionInputs = new Dictionary<string, object?>
        {
            ["memories"] = recent.Select(e => (object?)new Dictionary<string, object?> { ["kind"] = e.Kind, ["text"] = e.Text }).ToList(),
            ["count"] = _options.ReflectionQuestionCount,
        };
        var asked = await _chat.GetStructuredAsync<QuestionsAnswer>(_prompts.Get(ReflectQuestionsPrompt), questionInputs, cancellationToken: cancellationToken).ConfigureAwait(false);
        var questions = asked.Questions.Select(q => q.Trim()).Where(q => q.Length > 0).Distinct(StringComparer.Ordinal).Take(_options.ReflectionQuestionCount).ToList();

        var insights = new List<(string Text, List<Guid> Evidence, int Depth)>();
        var droppedInsights = 0;
        var droppedIds = 0;
        foreach (var question in questions)
        {
            var ranked = await RankAsync(scope, question, await EmbedAsync(question, cancellationToken).ConfigureAwait(false), null, cancellationToken).ConfigureAwait(false);
            var evidence = MemoryScoring.FitBudget(ranked, int.MaxValue, _options.ReflectionEvidenceCount);
            if (evidence.Count == 0)
            {
                continue;
            }

            _access.Record(evidence.Select(m => m.Record.Id), _time.GetUtcNow());
            var shown = new Dictionary<string, MemoryRecord>(StringComparer.Ordinal);
            var listed = new List<object?>();
            for (var i = 0; i < evidence.Count; i++)
            {
                var id = (i + 1).ToString(CultureInfo.InvariantCulture);
                shown[id] = evidence[i].Record;
                listed.Add(new Dictionary<string, object?> { ["id"] = id, ["text"] = evidence[i].Record.Text });
            }

            var insightInputs = new Dictionary<string, object?> { ["question"] = question, ["memories"] = listed, ["max_insights"] = _options.MaxInsightsPerQuestion };
            var answer = await _chat.GetStructuredAsync<InsightsAnswer>(_prompts.Get(ReflectInsightsPrompt), insightInputs, cancellationToken: cancellationToken).ConfigureAwait(false);
            foreach (var insight in answer.Insights.Take(_options.MaxInsightsPerQuestion))
            {
                var cited = insight.Evidence.Select(e => e.Trim().Trim('[', ']')).Distinct(StringComparer.Ordinal).ToList();
                var valid = cited.Where(shown.ContainsKey).ToList();
                droppedIds += cited.Count - valid.Count;
                var text = Clean(insight.Text.Trim());
                if (valid.Count == 0 || text.Length == 0)
                {
                    droppedInsights++;
                    continue;
                }

                insights.Add((text, [.. valid.Select(v => shown[v].Id)], 1 + valid.Max(v => shown[v].Depth)));
            }
        }

        var stored = await StoreInsightsAsync(agentId, insights, cancellationToken).ConfigureAwait(false);
        MemoryLog.Reflected(_logger, agentId, questions.Count, stored.Count, droppedInsights, droppedIds);
        return new ReflectionResult { AgentId = agentId, Questions = questions, Insights = stored, DroppedInsights = droppedInsights, DroppedEvidenceIds = droppedIds };
    }

    private async Task<List<MemoryRecord>> StoreInsightsAsync(string agentId, List<(string Text, List<Guid> Evidence, int Depth)> insights, CancellationToken cancellationToken)
    {
        if (insights.Count == 0)
        {
            return [];
        }

        var importances = new List<int>(insights.Count);
        foreach (var insight in insights)
        {
            importances.Add(await _rater.RateAsync(insight.Text, MemoryKind.Reflection, agentId, cancellationToken).ConfigureAwait(false));
        }

        var vectors = await EmbedAsync([.. insights.Select(i => i.Text)], cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        List<MemoryRecord> records;
        List<MemoryChange> changes;
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var state = await StateAsync(agentId, CancellationToken.None).ConfigureAwait(false);
            records = insights.Select((insight, i) => new MemoryRecord
            {
                Id = Guid.NewGuid(),
                Text = insight.Text,
                Kind = MemoryKind.Reflection,
                Created = now,
                LastAccessed = now,
                Importance = importances[i],
                Embedding = vectors[i],
                EvidenceIds = insight.Evidence,
                Depth = insight.Depth,
                AgentId = agentId,
            }).ToList();
            await _collection.UpsertAsync([.. records.Select(MemoryEntity.From)], cancellationToken).ConfigureAwait(false);
            changes = [.. records.Select(r => new MemoryChange(MemoryOperation.Add, r.Id, r.Text, "Reflection."))];
            if (state is not null)
            {
                state.Count += records.Count;
                changes.AddRange(await EnforceCapAsync(agentId, state, now).ConfigureAwait(false));
            }
        }
        finally
        {
            _writeLock.Release();
        }

        await FeedGraphAsync(changes, now, cancellationToken).ConfigureAwait(false);
        return records;
    }
}
