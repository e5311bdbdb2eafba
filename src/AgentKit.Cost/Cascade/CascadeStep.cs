using Microsoft.Extensions.AI;

namespace AgentKit.Cost.Cascade;

/// <summary>One model of a cascade.</summary>
public sealed class CascadeStep
{
    private double _threshold = 0.5;

    /// <summary>Creates a step.</summary>
    /// <param name="name">The model's name, reported with its answers.</param>
    /// <param name="model">The model.</param>
    /// <param name="price">What its tokens cost.</param>
    public CascadeStep(string name, IChatClient model, ModelPrice price)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(price);
        Name = name;
        Model = model;
        Price = price;
    }

    /// <summary>The model's name.</summary>
    public string Name { get; }

    /// <summary>The model.</summary>
    public IChatClient Model { get; }

    /// <summary>What its tokens cost (scoring included).</summary>
    public ModelPrice Price { get; }

    /// <summary>Judges this step's answers; required on every step but the last, whose answer is always taken.</summary>
    public ICascadeScorer? Scorer { get; init; }

    /// <summary>Lowest score at which this step's answer is accepted. Default 0.5; 0 to 1.</summary>
    public double Threshold
    {
        get => _threshold;
        init
        {
            if (!(value >= 0 && value <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, $"The threshold of cascade step '{Name}' must be between 0 and 1.");
            }

            _threshold = value;
        }
    }
}
