using AgentKit.Abstractions;
using AgentKit.Cost.Caching;
using AgentKit.Cost.Usage;
using Microsoft.Extensions.AI;

namespace AgentKit.Cost.Cascade;

/// <summary>
/// Scores an answer by self-consistency: draws more samples from the same model and returns the share that agree
/// with the answer (after <see cref="Normalize"/>). Uses the engine's multi-sequence decoding
/// (<see cref="IMultiSequenceChatClient"/>) when it offers it, parallel requests otherwise.
/// </summary>
public sealed class AgreementScorer : ICascadeScorer
{
    /// <summary>Creates a scorer.</summary>
    /// <param name="samples">Extra samples per answer; 1 to 32.</param>
    /// <param name="temperature">Their sampling temperature (diversity is what makes agreement informative); 0 to 2.</param>
    public AgreementScorer(int samples = 4, float temperature = 0.8f)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(samples, 32);
        if (!(temperature >= 0 && temperature <= 2))
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The sampling temperature must be between 0 and 2.");
        }

        Samples = samples;
        Temperature = temperature;
    }

    /// <summary>Extra samples per answer.</summary>
    public int Samples { get; }

    /// <summary>Their sampling temperature.</summary>
    public float Temperature { get; }

    /// <summary>Maps an answer to the form two agreeing answers share. Default: whitespace collapsed, lower case, trailing punctuation dropped.</summary>
    public Func<string, string> Normalize { get; init; } = DefaultNormalize;

    /// <inheritdoc/>
    public async Task<CascadeScore> ScoreAsync(CascadeScoringRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var options = request.Options?.Clone() ?? new ChatOptions();
        options.Temperature = Temperature;
        IReadOnlyList<ChatResponse> samples;
        if (request.Model.GetService<IMultiSequenceChatClient>() is { } multi && multi.MaxSequences >= Samples)
        {
            samples = await multi.GetResponsesAsync(request.Messages, Samples, options, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            samples = await Task.WhenAll(Enumerable.Range(0, Samples).Select(_ => request.Model.GetResponseAsync(request.Messages, options.Clone(), cancellationToken))).ConfigureAwait(false);
        }

        var answer = Normalize(request.Response.Text);
        var usage = new UsageDetails();
        foreach (var sample in samples)
        {
            usage.Add(UsageMeter.Copy(sample.Usage));
        }

        return new CascadeScore(samples.Count(s => Normalize(s.Text) == answer) / (double)samples.Count, usage);
    }

    private static string DefaultNormalize(string text) => CacheKeyBuilder.Normalise(text).TrimEnd('.', '!', '?', ' ').ToLowerInvariant();
}
