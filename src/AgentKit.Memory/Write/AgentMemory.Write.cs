using System.Diagnostics;
using AgentKit.Abstractions.Diagnostics;
using AgentKit.Memory.Diagnostics;
using AgentKit.Memory.Policies;
using AgentKit.Memory.Storage;
using AgentKit.Memory.Write;

namespace AgentKit.Memory;

public sealed partial class AgentMemory
{
    /// <summary>
    /// Writes a memory. The text is redacted (when <see cref="MemoryOptions.RedactPersonalData"/> is on), rated for
    /// importance by the model (<c>memory/importance</c>) unless the caller gives one, and embedded. A
    /// <see cref="MemoryKind.Fact"/> is first reconciled (<c>memory/reconcile</c>, the mem0 scheme) against the most
    /// similar memories of the scope: ADD, UPDATE, DELETE or NOOP. All changes are computed before any is applied;
    /// then the additions and updates are written in one batch and the deletions in a second one (see
    /// <c>docs/memory.md</c> on atomicity). The size cap is enforced after the write, and a reflection runs or is
    /// queued when the agent reaches its threshold.
    /// </summary>
    /// <param name="scope">Whose memory; the session is stored as provenance.</param>
    /// <param name="text">The memory's text.</param>
    /// <param name="options">Kind, importance, tags; an observation rated by the model when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the write; nothing is written when it is cancelled before the changes are applied.</param>
    /// <returns>What changed.</returns>
    /// <exception cref="ArgumentException">The text is empty or too long, the importance is not 1–10, or the kind is <see cref="MemoryKind.Reflection"/> (reflections come from <see cref="ReflectAsync"/>).</exception>
    /// <exception cref="AgentKit.Prompts.PromptOutputException">The model's rating or reconciliation answer stayed invalid after a retry.</exception>
    public async Task<MemoryWriteResult> RememberAsync(MemoryScope scope, string text, RememberOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        scope.Validate();
        var started = Stopwatch.GetTimestamp();
        using var activity = MemoryTelemetry.Start(MemoryTelemetry.WriteActivityName, scope.AgentId);
        try
        {
            var result = await WriteAsync(scope, text, options, cancellationToken).ConfigureAwait(false);
            RecordWrite(activity, result);
            return result;
        }
        catch (Exception e) when (AgentKitTelemetry.Fail(activity, e))
        {
            throw;
        }
        finally
        {
            MemoryTelemetry.RecordDuration(MemoryTelemetry.WriteActivityName, started);
        }
    }

    private static void RecordWrite(Activity? activity, MemoryWriteResult result)
    {
        if (activity is null && !MemoryTelemetry.Changes.Enabled)
        {
            return;
        }

        var counts = CountByOperation(result.Changes);

        activity?.SetTag(TelemetryAttributes.MemoryAdded, counts[(int)MemoryOperation.Add]);
        activity?.SetTag(TelemetryAttributes.MemoryUpdated, counts[(int)MemoryOperation.Update]);
        activity?.SetTag(TelemetryAttributes.MemoryDeleted, counts[(int)MemoryOperation.Delete]);
        activity?.SetTag("agentkit.memory.importance", result.Importance);
        activity?.SetTag("agentkit.memory.reflection_triggered", result.ReflectionTriggered);
        if (MemoryTelemetry.Changes.Enabled)
        {
            foreach (var operation in Enum.GetValues<MemoryOperation>())
            {
                if (counts[(int)operation] > 0)
                {
                    MemoryTelemetry.Changes.Add(counts[(int)operation], new KeyValuePair<string, object?>(TelemetryAttributes.MemoryOperation, operation.ToString().ToLowerInvariant()));
                }
            }
        }
    }

    private static int[] CountByOperation(IEnumerable<MemoryChange> changes)
    {
        var counts = new int[Enum.GetValues<MemoryOperation>().Length];
        foreach (var change in changes)
        {
            counts[(int)change.Operation]++;
        }

        return counts;
    }

    private async Task<MemoryWriteResult> WriteAsync(MemoryScope scope, string text, RememberOptions? options, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        options ??= new RememberOptions();
        if (options.Kind == MemoryKind.Reflection)
        {
            throw new ArgumentException("Reflections are written by ReflectAsync, which records their evidence and depth; use ImportAsync to restore saved ones.", nameof(options));
        }

        if (options.Importance is { } given && (given < 1 || given > 10))
        {
            throw new ArgumentOutOfRangeException(nameof(options), given, "RememberOptions.Importance must be between 1 and 10.");
        }

        if (text.Length > _options.MaxTextLength)
        {
            throw new ArgumentException($"The memory text has {text.Length} characters; at most {_options.MaxTextLength} (MemoryOptions.MaxTextLength) are accepted.", nameof(text));
        }

        var clean = Clean(text.Trim());
        var importance = options.Importance ?? await _rater.RateAsync(clean, options.Kind, scope.AgentId, cancellationToken).ConfigureAwait(false);
        var vector = await EmbedAsync(clean, cancellationToken).ConfigureAwait(false);
        FactReconciler.Plan plan;
        if (options.Kind == MemoryKind.Fact && options.Reconcile && _options.ReconcileCandidateCount > 0)
        {
            var similar = await _collection.SearchAsync(vector, _options.ReconcileCandidateCount, Filter(scope, null), cancellationToken).ConfigureAwait(false);
            plan = await _reconciler.DecideAsync(clean, [.. similar.Select(h => h.Record)], cancellationToken).ConfigureAwait(false);
        }
        else
        {
            plan = new FactReconciler.Plan(clean, options.Kind == MemoryKind.Fact ? "Stored without reconciliation." : "New memory.", [], [], [], []);
        }

        // Everything the changes need (texts, embeddings) is computed before the first write.
        var modelTexts = plan.Updates.Select(u => Clean(u.Text)).ToList();
        var addText = plan.AddText is null ? null : Clean(plan.AddText);
        var toEmbed = addText is not null && addText != clean ? [.. modelTexts, addText] : modelTexts;
        var embedded = toEmbed.Count > 0 ? await EmbedAsync(toEmbed, cancellationToken).ConfigureAwait(false) : [];
        var tags = options.Tags?.Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t.Trim()).Distinct(StringComparer.Ordinal).ToList() ?? [];

        var changes = new List<MemoryChange>();
        var rejected = new List<MemoryChange>(plan.Rejected);
        MemoryRecord? stored = null;
        bool reflectionDue;
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = _time.GetUtcNow();
            var targets = plan.Updates.Select(u => u.Memory.Id).Concat(plan.Deletes.Select(d => d.Memory.Id)).ToList();
            var current = (await _collection.GetByIdsAsync(targets, includeVectors: false, cancellationToken).ConfigureAwait(false)).ToDictionary(e => e.Id);
            var upserts = new List<MemoryEntity>();
            for (var i = 0; i < plan.Updates.Count; i++)
            {
                var (memory, _, reason) = plan.Updates[i];
                if (!current.TryGetValue(memory.Id, out var entity))
                {
                    rejected.Add(new MemoryChange(MemoryOperation.Update, memory.Id, modelTexts[i], $"Rejected: the memory was deleted meanwhile ({reason})."));
                    continue;
                }

                entity.Text = modelTexts[i];
                entity.Embedding = embedded[i];
                entity.Importance = Math.Max(entity.Importance, importance);
                entity.LastAccessed = now;
                entity.Tags = [.. entity.Tags.Union(tags, StringComparer.Ordinal)];
                upserts.Add(entity);
                changes.Add(new MemoryChange(MemoryOperation.Update, entity.Id, entity.Text, reason));
            }

            if (addText is not null)
            {
                var entity = new MemoryEntity
                {
                    Id = Guid.NewGuid(),
                    Text = addText,
                    Kind = MemoryEntity.KindName(options.Kind),
                    Created = now,
                    LastAccessed = now,
                    Importance = importance,
                    AgentId = scope.AgentId,
                    SessionId = scope.SessionId,
                    Tags = tags,
                    Embedding = addText == clean ? vector : embedded[^1],
                };
                upserts.Add(entity);
                changes.Add(new MemoryChange(MemoryOperation.Add, entity.Id, entity.Text, plan.AddReason));
            }

            var deletes = new List<Guid>();
            foreach (var (memory, reason) in plan.Deletes)
            {
                if (current.ContainsKey(memory.Id))
                {
                    deletes.Add(memory.Id);
                    changes.Add(new MemoryChange(MemoryOperation.Delete, memory.Id, memory.Text, reason));
                }
            }

            changes.AddRange(plan.Noops);
            var state = await StateAsync(scope.AgentId, cancellationToken).ConfigureAwait(false);
            await _collection.UpsertAsync(upserts, cancellationToken).ConfigureAwait(false);
            await _collection.DeleteAsync(deletes, CancellationToken.None).ConfigureAwait(false);
            foreach (var id in deletes)
            {
                _access.Forget(id);
            }

            stored = upserts.LastOrDefault()?.ToRecord();
            if (state is not null)
            {
                state.Count += (addText is null ? 0 : 1) - deletes.Count;
                if (upserts.Count > 0)
                {
                    state.ImportanceSinceReflection += importance;
                }

                changes.AddRange(await EnforceCapAsync(scope.AgentId, state, now).ConfigureAwait(false));
            }

            reflectionDue = state is not null && _options.ReflectionThreshold > 0 && state.ImportanceSinceReflection >= _options.ReflectionThreshold;
            if (reflectionDue)
            {
                MemoryLog.ReflectionDue(_logger, scope.AgentId, state!.ImportanceSinceReflection, _options.ReflectionThreshold);
            }
        }
        finally
        {
            _writeLock.Release();
        }

        foreach (var rejection in rejected)
        {
            MemoryLog.DecisionRejected(_logger, scope.AgentId, rejection.Reason);
        }

        var counts = CountByOperation(changes);

        MemoryLog.Written(_logger, scope.AgentId, counts[(int)MemoryOperation.Add], counts[(int)MemoryOperation.Update], counts[(int)MemoryOperation.Delete], counts[(int)MemoryOperation.Noop], counts[(int)MemoryOperation.Evict], rejected.Count);
        await FeedGraphAsync(changes, stored?.Created ?? _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        var triggered = reflectionDue && await TriggerReflectionAsync(scope.AgentId, cancellationToken).ConfigureAwait(false);
        return new MemoryWriteResult { Changes = changes, Rejected = rejected, Stored = stored, Importance = importance, ReflectionTriggered = triggered };
    }

    // Caller holds the write lock. Runs after the write was applied, so it is not cancelled half-way.
    private async Task<List<MemoryChange>> EnforceCapAsync(string agentId, AgentState state, DateTimeOffset now)
    {
        if (_options.MaxMemoriesPerAgent is not { } cap || state.Count <= cap)
        {
            return [];
        }

        var all = await _collection.FindAllAsync(e => e.AgentId == agentId, CancellationToken.None).ConfigureAwait(false);
        var evicted = Eviction.Choose(all, all.Count - cap, now, _options, _access);
        await _collection.DeleteAsync(evicted, CancellationToken.None).ConfigureAwait(false);
        state.Count = all.Count - evicted.Count;
        var byId = all.ToDictionary(e => e.Id);
        foreach (var id in evicted)
        {
            _access.Forget(id);
        }

        MemoryLog.Evicted(_logger, agentId, cap, evicted.Count);
        return [.. evicted.Select(id => new MemoryChange(MemoryOperation.Evict, id, byId[id].Text, $"Over the cap of {cap} memories for the agent."))];
    }

    private async Task<bool> TriggerReflectionAsync(string agentId, CancellationToken cancellationToken)
    {
        if (_reflectionScheduler is null)
        {
            await ReflectAsync(agentId, cancellationToken).ConfigureAwait(false);
            return true;
        }

        if (_reflectionScheduler.TrySchedule(agentId))
        {
            return true;
        }

        MemoryLog.ReflectionQueueFull(_logger, agentId);
        return false;
    }
}
