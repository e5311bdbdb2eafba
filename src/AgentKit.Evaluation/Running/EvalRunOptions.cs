using AgentKit.Cost.Cascade;
using AgentKit.Prompts;
using Microsoft.Extensions.AI;

namespace AgentKit.Evaluation.Running;

/// <summary>How <see cref="EvalRunner"/> runs a dataset.</summary>
public sealed class EvalRunOptions
{
    private int _maxParallel = 4;
    private int _repeat = 1;
    private TimeSpan _caseTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Runs in progress at once (1–64). Default 4. Keep it at or under the model's admission limit (<c>MaxContexts</c>) for a local model.</summary>
    public int MaxParallel
    {
        get => _maxParallel;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 64);
            _maxParallel = value;
        }
    }

    /// <summary>Runs per case (1–1000). Default 1. With more, each case reports a success rate and its Wilson interval.</summary>
    public int Repeat
    {
        get => _repeat;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 1000);
            _repeat = value;
        }
    }

    /// <summary>The longest one run may take, turns, judge and checks included. Default 5 minutes.</summary>
    public TimeSpan CaseTimeout
    {
        get => _caseTimeout;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _caseTimeout = value;
        }
    }

    /// <summary>The judge model for <c>judge</c> expectations; <see langword="null"/> fails them, saying so.</summary>
    public IChatClient? Judge { get; set; }

    /// <summary>The model that plays simulated users; default: none (cases with a <c>simulator</c> fail, saying so).</summary>
    public IChatClient? UserSimulatorModel { get; set; }

    /// <summary>The judges' and the user simulator's prompt files (<c>eval/…</c>).</summary>
    public IPromptRegistry? Prompts { get; set; }

    /// <summary>The model's price, for the report's cost; <see langword="null"/> reports tokens only.</summary>
    public ModelPrice? Price { get; set; }
}
