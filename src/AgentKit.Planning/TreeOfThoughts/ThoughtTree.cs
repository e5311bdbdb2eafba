using System.Globalization;
using System.Text;
using System.Text.Json;

namespace AgentKit.Planning;

/// <summary>What became of a node in the search.</summary>
public enum ThoughtNodeStatus
{
    /// <summary>Generated and scored, not (yet) chosen.</summary>
    Candidate,

    /// <summary>Kept by BFS selection, or followed by DFS.</summary>
    Selected,

    /// <summary>Not kept by BFS selection.</summary>
    Discarded,

    /// <summary>DFS: scored below the threshold and not followed.</summary>
    Pruned,

    /// <summary>DFS: followed, but no solution below it (the search backtracked).</summary>
    DeadEnd,

    /// <summary>The same state (by <see cref="IThoughtTask.StateKey"/>) as an earlier candidate of its level; scored 0.</summary>
    Duplicate,

    /// <summary>A state the task accepts as a solution.</summary>
    Solution,
}

/// <summary>One node of the search tree.</summary>
public sealed class ThoughtNode
{
    private readonly List<string> _verdicts = [];

    internal ThoughtNode(int id, ThoughtNode? parent, ThoughtState state)
    {
        Id = id;
        Parent = parent;
        State = state;
    }

    /// <summary>The node's number, from 0 (the root) in creation order.</summary>
    public int Id { get; }

    /// <summary>The parent; <see langword="null"/> for the root.</summary>
    public ThoughtNode? Parent { get; }

    /// <summary>The state.</summary>
    public ThoughtState State { get; }

    /// <summary>The score the evaluator gave (summed values or votes); <see langword="null"/> when not evaluated.</summary>
    public double? Score { get; internal set; }

    /// <summary>The evaluator's raw verdicts (sure / likely / impossible, or vote counts).</summary>
    public IReadOnlyList<string> Verdicts => _verdicts;

    /// <summary>What became of the node.</summary>
    public ThoughtNodeStatus Status { get; internal set; } = ThoughtNodeStatus.Candidate;

    internal void AddVerdict(string verdict) => _verdicts.Add(verdict);
}

/// <summary>
/// The search tree of a Tree-of-Thoughts run: every state generated, its score, its parent and what became of it,
/// and the chosen path. Export it with <see cref="ToJson"/> or print it with <see cref="ToText"/>.
/// </summary>
public sealed class ThoughtTree
{
    private readonly List<ThoughtNode> _nodes = [];
    private readonly int _maxNodes;

    internal ThoughtTree(ThoughtState root, int maxNodes)
    {
        _maxNodes = maxNodes;
        _nodes.Add(new ThoughtNode(0, null, root) { Status = ThoughtNodeStatus.Selected });
    }

    /// <summary>The root.</summary>
    public ThoughtNode Root => _nodes[0];

    /// <summary>Every node, in creation order (by <see cref="ThoughtNode.Id"/>).</summary>
    public IReadOnlyList<ThoughtNode> Nodes => _nodes;

    /// <summary>The path from the root to the answer (or to the best state reached), root first; empty before the search ends.</summary>
    public IReadOnlyList<ThoughtNode> ChosenPath { get; private set; } = [];

    internal ThoughtNode Add(ThoughtNode parent, ThoughtState state)
    {
        if (_nodes.Count >= _maxNodes)
        {
            throw new SearchLimitException(_maxNodes);
        }

        var node = new ThoughtNode(_nodes.Count, parent, state);
        _nodes.Add(node);
        return node;
    }

    internal void Choose(ThoughtNode end)
    {
        var path = new List<ThoughtNode>();
        for (var n = end; n is not null; n = n.Parent)
        {
            path.Add(n);
        }

        path.Reverse();
        ChosenPath = path;
    }

    /// <summary>
    /// The tree as JSON: <c>{"nodes": [{"id", "parent", "depth", "steps", "current", "score", "verdicts", "status"}], "chosenPath": [ids]}</c>.
    /// </summary>
    /// <param name="indented">Whether to indent.</param>
    /// <returns>The JSON text.</returns>
    public string ToJson(bool indented = false)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = indented }))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("nodes");
            foreach (var node in _nodes)
            {
                writer.WriteStartObject();
                writer.WriteNumber("id", node.Id);
                if (node.Parent is { } parent)
                {
                    writer.WriteNumber("parent", parent.Id);
                }
                else
                {
                    writer.WriteNull("parent");
                }

                writer.WriteNumber("depth", node.State.Depth);
                writer.WriteStartArray("steps");
                foreach (var step in node.State.Steps)
                {
                    writer.WriteStringValue(step);
                }

                writer.WriteEndArray();
                writer.WriteString("current", node.State.Current);
                if (node.Score is { } score)
                {
                    writer.WriteNumber("score", score);
                }
                else
                {
                    writer.WriteNull("score");
                }

                writer.WriteStartArray("verdicts");
                foreach (var verdict in node.Verdicts)
                {
                    writer.WriteStringValue(verdict);
                }

                writer.WriteEndArray();
                writer.WriteString("status", JsonNamingPolicy.CamelCase.ConvertName(node.Status.ToString()));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteStartArray("chosenPath");
            foreach (var node in ChosenPath)
            {
                writer.WriteNumberValue(node.Id);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>
    /// The tree as indented text, one node per line: <c>* [3] 4 + 8 = 12 (left: 6 8 12)  score=21  selected</c>; the
    /// chosen path is marked <c>*</c>, children are indented under their parent.
    /// </summary>
    /// <returns>The text.</returns>
    public string ToText()
    {
        var chosen = ChosenPath.Select(n => n.Id).ToHashSet();
        var children = _nodes.Where(n => n.Parent is not null).ToLookup(n => n.Parent!.Id);
        var text = new StringBuilder();
        Write(Root, 0);
        return text.ToString();

        void Write(ThoughtNode node, int indent)
        {
            text.Append(' ', indent * 2)
                .Append(chosen.Contains(node.Id) ? "* " : "  ")
                .Append(CultureInfo.InvariantCulture, $"[{node.Id}] ")
                .Append(node.Parent is null ? $"(root) {node.State.Current}" : node.State.Steps[^1]);
            if (node.Score is { } score)
            {
                text.Append(CultureInfo.InvariantCulture, $"  score={score:0.###}");
            }

            text.Append("  ").Append(JsonNamingPolicy.CamelCase.ConvertName(node.Status.ToString())).Append('\n');
            foreach (var child in children[node.Id])
            {
                Write(child, indent + 1);
            }
        }
    }
}

/// <summary>The tree reached its node bound or DFS its step cap.</summary>
internal sealed class SearchLimitException(long limit) : Exception($"The search reached its size limit of {limit}.")
{
    public long Limit { get; } = limit;
}
