using AgentKit.LlamaCpp.Grammars;

namespace AgentKit.LlamaCpp.Sampling;

/// <summary>
/// How the next token is chosen. Applied in llama.cpp's order: logit bias, penalties, grammar, then
/// top-k, typical, top-p, min-p, temperature and a seeded draw (or greedy when <see cref="Temperature"/> is 0).
/// </summary>
public sealed record LlamaSamplingOptions
{
    /// <summary>A seed value meaning "pick a random seed".</summary>
    public const uint RandomSeed = 0xFFFFFFFF;

    /// <summary>Softmax temperature; 0 picks the most likely token (greedy). Default 0.8.</summary>
    public float Temperature { get; init; } = 0.8f;

    /// <summary>Keep only the k most likely tokens; 0 disables. Default 40.</summary>
    public int TopK { get; init; } = 40;

    /// <summary>Keep the smallest set of tokens whose probabilities add up to p; 1 disables. Default 0.95.</summary>
    public float TopP { get; init; } = 0.95f;

    /// <summary>Drop tokens less likely than p times the most likely one; 0 disables. Default 0.05.</summary>
    public float MinP { get; init; } = 0.05f;

    /// <summary>Locally typical sampling mass; 1 disables. Default 1.</summary>
    public float TypicalP { get; init; } = 1f;

    /// <summary>Repetition penalty on recent tokens (1 disables). Default 1.</summary>
    public float RepetitionPenalty { get; init; } = 1f;

    /// <summary>Penalty growing with how often a token occurred recently (0 disables). Default 0.</summary>
    public float FrequencyPenalty { get; init; }

    /// <summary>Penalty for any token that occurred recently (0 disables). Default 0.</summary>
    public float PresencePenalty { get; init; }

    /// <summary>How many recent tokens the penalties look at. Default 64.</summary>
    public int PenaltyLastN { get; init; } = 64;

    /// <summary>Added to the logits of the given tokens (use <see cref="float.NegativeInfinity"/> to forbid one).</summary>
    public IReadOnlyDictionary<LlamaToken, float>? LogitBias { get; init; }

    /// <summary>The draw's seed: the same seed, prompt and options give the same output. Default: random.</summary>
    public uint Seed { get; init; } = RandomSeed;

    /// <summary>A grammar the output must follow (see <see cref="LlamaGrammar"/>).</summary>
    public LlamaGrammar? Grammar { get; init; }

    /// <summary>Greedy decoding: always the most likely token.</summary>
    public static LlamaSamplingOptions Greedy { get; } = new() { Temperature = 0 };

    internal void Validate()
    {
        Check(float.IsFinite(Temperature) && Temperature >= 0, nameof(Temperature), Temperature, "0 or more");
        Check(TopK >= 0, nameof(TopK), TopK, "0 or more");
        Check(TopP is > 0 and <= 1, nameof(TopP), TopP, "in (0, 1]");
        Check(MinP is >= 0 and <= 1, nameof(MinP), MinP, "in [0, 1]");
        Check(TypicalP is > 0 and <= 1, nameof(TypicalP), TypicalP, "in (0, 1]");
        Check(float.IsFinite(RepetitionPenalty) && RepetitionPenalty > 0, nameof(RepetitionPenalty), RepetitionPenalty, "more than 0");
        Check(float.IsFinite(FrequencyPenalty), nameof(FrequencyPenalty), FrequencyPenalty, "finite");
        Check(float.IsFinite(PresencePenalty), nameof(PresencePenalty), PresencePenalty, "finite");
        Check(PenaltyLastN >= -1, nameof(PenaltyLastN), PenaltyLastN, "-1 (whole context) or more");
        if (LogitBias is not null)
        {
            foreach (var (token, bias) in LogitBias)
            {
                Check(!float.IsNaN(bias) && !float.IsPositiveInfinity(bias), nameof(LogitBias), bias, "a finite number or negative infinity");
                Check(token.Value >= 0, nameof(LogitBias), token.Value, "keyed by valid token ids");
            }
        }
    }

    private static void Check(bool ok, string name, object value, string range)
    {
        if (!ok)
        {
            throw new ArgumentOutOfRangeException(name, value, $"LlamaSamplingOptions.{name} must be {range}.");
        }
    }
}
