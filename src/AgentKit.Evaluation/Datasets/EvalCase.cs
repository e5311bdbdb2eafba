using System.Text.Json;

namespace AgentKit.Evaluation.Datasets;

/// <summary>
/// One case of a dataset: what is sent (prompt inputs, a first message, scripted turns or a simulated user) and what
/// must hold afterwards (expectations on the reply, end-state checks run in code).
/// </summary>
public sealed record EvalCase
{
    /// <summary>The case's id, unique in its dataset.</summary>
    public required string Id { get; init; }

    /// <summary>The group the report aggregates it under. Default <c>default</c>.</summary>
    public string Group { get; init; } = "default";

    /// <summary>The split for prompt optimisation (<c>train</c>, <c>validation</c>, <c>test</c>), if any.</summary>
    public string? Split { get; init; }

    /// <summary>The prompt file's inputs, for prompt datasets.</summary>
    public IReadOnlyDictionary<string, object?> Inputs { get; init; } = new Dictionary<string, object?>();

    /// <summary>The user's messages in order (one for a single-turn case); empty when a simulator plays the user.</summary>
    public IReadOnlyList<string> Turns { get; init; } = [];

    /// <summary>The simulated user, when the case is a scenario played by a model.</summary>
    public UserSimulatorSpec? Simulator { get; init; }

    /// <summary>What the reply (the last turn's, or the whole run's for tool trajectories) must satisfy.</summary>
    public IReadOnlyList<Expectations.Expectation> Expectations { get; init; } = [];

    /// <summary>Checks of the world after the run, run by the target in code (for ShopBot: the database and the mail sink).</summary>
    public IReadOnlyList<EndStateCheck> EndState { get; init; } = [];

    /// <summary>Fields whose names start with <c>x-</c>: data for a particular target or test double, passed through untouched.</summary>
    public IReadOnlyDictionary<string, JsonElement> Extensions { get; init; } = new Dictionary<string, JsonElement>();

    /// <summary>Where the case was read from (<c>file:line</c>), for messages.</summary>
    public string Source { get; init; } = string.Empty;
}

/// <summary>A user played by a model: a persona prompt file and a goal.</summary>
/// <param name="Goal">What the user wants to achieve; the simulator ends the conversation when it is reached or cannot be.</param>
/// <param name="Persona">Who the user is (tone, facts they know such as an order number and e-mail).</param>
/// <param name="MaxTurns">The most user messages the simulator sends.</param>
public sealed record UserSimulatorSpec(string Goal, string Persona, int MaxTurns);

/// <summary>An end-state check by name with its arguments, as the dataset states it; the target runs it.</summary>
/// <param name="Name">The check (e.g. <c>rma_exists</c>).</param>
/// <param name="Arguments">Its arguments (the JSON object without the <c>check</c> field).</param>
public sealed record EndStateCheck(string Name, JsonElement Arguments)
{
    /// <summary>A string argument, or <see langword="null"/> when absent.</summary>
    /// <param name="name">The argument.</param>
    /// <returns>Its value.</returns>
    public string? GetString(string name) =>
        Arguments.ValueKind == JsonValueKind.Object && Arguments.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <inheritdoc/>
    public override string ToString() => Arguments.ValueKind == JsonValueKind.Object && Arguments.EnumerateObject().Any() ? $"{Name} {Arguments.GetRawText()}" : Name;
}
