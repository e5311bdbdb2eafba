using AgentKit.LlamaCpp.Native;

namespace AgentKit.LlamaCpp;

public sealed partial class LlamaContext
{
    /// <summary>Saves a sequence (tokens and KV state) so it can be restored later, here or in another context of the same model.</summary>
    public unsafe LlamaSequenceState SaveSequenceState(LlamaSeqId sequence)
    {
        using var scope = Enter();
        var seq = CheckSequence(sequence);
        var size = (long)NativeMethods.llama_state_seq_get_size(Pointer, seq);
        if (size > Array.MaxLength)
        {
            throw new LlamaException($"Sequence {seq} state is {size} bytes, too large for one buffer.");
        }

        var data = new byte[size];
        nuint written;
        fixed (byte* d = data)
        {
            written = NativeMethods.llama_state_seq_get_data(Pointer, d, (nuint)data.Length, seq);
        }

        if ((long)written != size)
        {
            throw new LlamaException($"llama.cpp wrote {written} of {size} bytes of sequence {seq} state.");
        }

        return new LlamaSequenceState(LlamaSequenceState.Fingerprint(Model), [.. _sequences[seq]], data);
    }

    /// <summary>Restores a saved sequence into <paramref name="sequence"/>, replacing what it held.</summary>
    /// <exception cref="LlamaException">The state belongs to another model, or llama.cpp rejected it.</exception>
    public unsafe void RestoreSequenceState(LlamaSequenceState state, LlamaSeqId sequence)
    {
        ArgumentNullException.ThrowIfNull(state);
        using var scope = Enter();
        var seq = CheckSequence(sequence);
        var expected = LlamaSequenceState.Fingerprint(Model);
        if (!string.Equals(state.ModelFingerprint, expected, StringComparison.Ordinal))
        {
            throw new LlamaException($"The saved sequence belongs to model '{state.ModelFingerprint}', not '{expected}'.");
        }

        if (state.Tokens.Count > SequenceCapacity)
        {
            throw new LlamaContextOverflowException(state.Tokens.Count, SequenceCapacity, "The saved sequence");
        }

        RemoveSequenceCore(seq);
        nuint read;
        LastErrorCapture.Begin();
        fixed (byte* d = state.KvData)
        {
            read = NativeMethods.llama_state_seq_set_data(Pointer, d, (nuint)state.KvData.Length, seq);
        }

        if (read == 0)
        {
            RemoveSequenceCore(seq);
            throw new LlamaException($"llama.cpp rejected the saved sequence state: {LastErrorCapture.Describe()}");
        }

        _sequences[seq].AddRange(state.Tokens);
    }
}
