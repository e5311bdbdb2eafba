using AgentKit.LlamaCpp.Native;

namespace AgentKit.LlamaCpp;

public sealed partial class LlamaContext
{
    /// <summary>
    /// Makes <paramref name="destination"/> hold the first <paramref name="count"/> tokens of <paramref name="source"/>
    /// (with a unified KV cache the cells are shared, not copied). Used by the batch scheduler's prefix cache.
    /// </summary>
    internal void CopySequencePrefix(int source, int destination, int count)
    {
        if (source == destination)
        {
            TruncateSequence(destination, count);
            return;
        }

        RemoveSequenceCore(destination);
        NativeMethods.llama_memory_seq_cp(_memory, source, destination, 0, count);
        _sequences[destination].AddRange(_sequences[source].Take(count));
    }

    /// <summary>
    /// Runs llama_decode on the current batch for the batch scheduler: unlike <see cref="Decode"/>, a full KV cache
    /// (llama.cpp's result 1, returned before any token is computed) leaves every sequence as it was and returns
    /// false, so the scheduler can free cells and try again. Other failures throw.
    /// </summary>
    internal unsafe bool TryDecodeBatch(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        int result;
        using (cancellationToken.CanBeCanceled ? cancellationToken.UnsafeRegister(static s => SetAbort((nint)s!), (nint)_abortFlag) : default)
        {
            LastErrorCapture.Begin();
            result = NativeMethods.llama_decode(Pointer, _batch);
        }

        Volatile.Write(ref *_abortFlag, 0);
        switch (result)
        {
            case 0:
                return true;
            case 1:
                return false;
            case 2:
                cancellationToken.ThrowIfCancellationRequested();
                throw new OperationCanceledException("The decode was aborted.");
            default:
                var detail = LastErrorCapture.Describe();
                throw new LlamaDecodeException(result, detail.Length > 0 ? detail : "see the llama.cpp log");
        }
    }
}
