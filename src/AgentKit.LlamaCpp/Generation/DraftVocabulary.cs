using System.Runtime.CompilerServices;

namespace AgentKit.LlamaCpp.Generation;

/// <summary>Checks that a draft model reads and writes the same tokens as its target (once per pair).</summary>
internal static class DraftVocabulary
{
    // The target each draft model was last proven compatible with.
    private static readonly ConditionalWeakTable<LlamaModel, LlamaModel> Verified = new();

    /// <exception cref="LlamaVocabularyMismatchException">The vocabularies differ.</exception>
    public static void EnsureCompatible(LlamaModel target, LlamaModel draft)
    {
        if (ReferenceEquals(target, draft) || (Verified.TryGetValue(draft, out var known) && ReferenceEquals(known, target)))
        {
            return;
        }

        var t = target.Vocabulary;
        var d = draft.Vocabulary;
        string Problem(string what) =>
            $"The draft model '{draft.Path}' cannot draft for '{target.Path}': {what}. A draft model must have the target's vocabulary (a smaller model of the same family, or a quantized copy of the target).";

        if (t.Count != d.Count)
        {
            throw new LlamaVocabularyMismatchException(Problem($"its vocabulary has {d.Count} tokens, the target's {t.Count}"));
        }

        if (t.Bos != d.Bos || t.Eos != d.Eos || t.Eot != d.Eot || t.AddsBos != d.AddsBos)
        {
            throw new LlamaVocabularyMismatchException(Problem($"the special tokens differ (BOS {d.Bos.Value}/{t.Bos.Value}, EOS {d.Eos.Value}/{t.Eos.Value}, EOT {d.Eot.Value}/{t.Eot.Value})"));
        }

        for (var i = 0; i < t.Count; i++)
        {
            var token = new LlamaToken(i);
            var expected = t.GetTokenText(token);
            var actual = d.GetTokenText(token);
            if (!string.Equals(expected, actual, StringComparison.Ordinal))
            {
                throw new LlamaVocabularyMismatchException(Problem($"token {i} is '{actual}' in the draft and '{expected}' in the target"));
            }
        }

        Verified.AddOrUpdate(draft, target);
    }
}
