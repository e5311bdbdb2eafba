using AgentKit.Graph.Diagnostics;
using AgentKit.Graph.Extraction;
using AgentKit.Prompts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentKit.Graph;

/// <summary>
/// Asks a model for the entities and relations of one text through the prompt file <c>graph/extract</c>, with the
/// answer constrained to the prompt's JSON Schema (the local engine turns it into a grammar; OpenAI-compatible servers
/// get it as the response format), then validates the answer: counts are bounded, names without letters, duplicates,
/// self-relations and relations whose ends are not among the entities are dropped, each with a logged reason.
/// </summary>
public sealed class GraphExtractor
{
    private readonly IChatClient _chat;
    private readonly IPromptRegistry _prompts;
    private readonly GraphExtractionOptions _options;
    private readonly GraphStoreOptions _bounds;
    private readonly ILogger _logger;

    /// <summary>Creates an extractor.</summary>
    /// <param name="chat">The model.</param>
    /// <param name="prompts">Holds <see cref="GraphExtractionOptions.PromptName"/>; read on each call.</param>
    /// <param name="options">Counts and prompt name; defaults when null.</param>
    /// <param name="bounds">The store's name and description lengths; defaults when null.</param>
    /// <param name="logger">Logs what was dropped.</param>
    public GraphExtractor(IChatClient chat, IPromptRegistry prompts, GraphExtractionOptions? options = null, GraphStoreOptions? bounds = null, ILogger<GraphExtractor>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(chat);
        ArgumentNullException.ThrowIfNull(prompts);
        _chat = chat;
        _prompts = prompts;
        _options = options ?? new GraphExtractionOptions();
        _options.Validate();
        _bounds = bounds ?? new GraphStoreOptions();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Extracts the graph of one text (one model call, two when the first answer does not fit the schema).</summary>
    /// <param name="evidenceId">The chunk or memory key, for the log.</param>
    /// <param name="text">The text.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The validated entities and relations.</returns>
    /// <exception cref="GraphLimitExceededException">The text is longer than <see cref="GraphExtractionOptions.MaxTextLength"/>.</exception>
    /// <exception cref="PromptOutputException">The model's second answer still did not fit the schema.</exception>
    public async Task<ExtractedGraph> ExtractAsync(string evidenceId, string text, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(evidenceId);
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > _options.MaxTextLength)
        {
            throw new GraphLimitExceededException(nameof(GraphExtractionOptions.MaxTextLength), _options.MaxTextLength,
                $"The text of '{evidenceId}' has {text.Length} characters, more than GraphExtractionOptions.MaxTextLength ({_options.MaxTextLength}); index it in smaller chunks.");
        }

        var inputs = new Dictionary<string, object?>
        {
            ["text"] = text,
            ["max_entities"] = _options.MaxEntities,
            ["max_relations"] = _options.MaxRelations,
        };
        var answer = await _chat.GetStructuredAsync<ExtractionAnswer>(_prompts.Get(_options.PromptName), inputs, cancellationToken: cancellationToken).ConfigureAwait(false);
        var graph = Validate(answer);
        foreach (var reason in graph.Dropped)
        {
            GraphLog.Dropped(_logger, evidenceId, reason);
        }

        return graph;
    }

    internal ExtractedGraph Validate(ExtractionAnswer answer)
    {
        var dropped = new List<string>();
        var entities = new Dictionary<string, ExtractedEntity>(StringComparer.Ordinal);
        foreach (var item in answer.Entities ?? [])
        {
            var name = (item?.Name ?? "").Trim();
            var normalized = EntityNames.Normalize(name);
            if (normalized.Length == 0)
            {
                dropped.Add($"entity '{name}' has no letters or digits.");
            }
            else if (name.Length > _bounds.MaxNameLength)
            {
                dropped.Add($"entity name '{name[..40]}…' is longer than {_bounds.MaxNameLength} characters.");
            }
            else if (entities.ContainsKey(normalized))
            {
                dropped.Add($"entity '{name}' is listed twice.");
            }
            else if (entities.Count >= _options.MaxEntities)
            {
                dropped.Add($"entity '{name}' is beyond the first {_options.MaxEntities} (GraphExtractionOptions.MaxEntities).");
            }
            else
            {
                var type = Clip((item!.Type ?? "").Trim().ToLowerInvariant(), _bounds.MaxNameLength);
                entities[normalized] = new ExtractedEntity(normalized, name, type.Length == 0 ? "other" : type, Clip((item.Description ?? "").Trim(), _bounds.MaxDescriptionLength));
            }
        }

        var relations = new List<ExtractedRelation>();
        var seen = new HashSet<(string, string, string)>();
        foreach (var item in answer.Relations ?? [])
        {
            var source = EntityNames.Normalize(item?.Source ?? "");
            var target = EntityNames.Normalize(item?.Target ?? "");
            var label = string.Join(' ', (item?.Relation ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant();
            var shown = $"'{item?.Source}' {label} '{item?.Target}'";
            if (!entities.ContainsKey(source) || !entities.ContainsKey(target))
            {
                dropped.Add($"relation {shown} has an end that is not among the entities.");
            }
            else if (source == target)
            {
                dropped.Add($"relation {shown} relates an entity to itself.");
            }
            else if (label.Length == 0 || label.Length > _bounds.MaxNameLength)
            {
                dropped.Add($"relation {shown} has an empty or over-long label.");
            }
            else if (!seen.Add((source, label, target)))
            {
                dropped.Add($"relation {shown} is listed twice.");
            }
            else if (relations.Count >= _options.MaxRelations)
            {
                dropped.Add($"relation {shown} is beyond the first {_options.MaxRelations} (GraphExtractionOptions.MaxRelations).");
            }
            else
            {
                relations.Add(new ExtractedRelation(source, label, target, Clip((item!.Description ?? "").Trim(), _bounds.MaxDescriptionLength)));
            }
        }

        return new ExtractedGraph([.. entities.Values], relations, dropped);
    }

    private static string Clip(string text, int length) => text.Length <= length ? text : text[..length];
}
