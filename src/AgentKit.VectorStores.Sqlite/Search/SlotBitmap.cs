using System.Numerics;

namespace AgentKit.VectorStores.Sqlite.Search;

/// <summary>
/// A set of cache slots as one bit per slot: the live slots of a <see cref="VectorCache"/>, or the slots whose
/// records pass a filter. Scans walk the set bits in slot order, so memory is read front to back whatever the
/// selectivity, and a word of 64 slots that holds no match costs one comparison.
/// </summary>
internal sealed class SlotBitmap
{
    private ulong[] _words;

    internal SlotBitmap(int capacity) => _words = new ulong[WordsFor(capacity)];

    /// <summary>A bitmap over <paramref name="words"/>, which it takes over (64 slots per word, slot 0 in the lowest bit of word 0).</summary>
    internal SlotBitmap(ulong[] words)
    {
        _words = words;
        var count = 0;
        foreach (var word in words)
        {
            count += BitOperations.PopCount(word);
        }

        Count = count;
    }

    /// <summary>Slots that can be held without growing.</summary>
    internal int Capacity => _words.Length * 64;

    /// <summary>Set bits; maintained by <see cref="Set"/> and <see cref="Clear"/>.</summary>
    internal int Count { get; private set; }

    internal ReadOnlySpan<ulong> Words => _words;

    internal bool Contains(int slot) => (uint)slot < (uint)Capacity && (_words[slot >> 6] & (1UL << slot)) != 0;

    internal void Set(int slot)
    {
        ref var word = ref _words[slot >> 6];
        var bit = 1UL << slot;
        if ((word & bit) == 0)
        {
            word |= bit;
            Count++;
        }
    }

    internal void Clear(int slot)
    {
        ref var word = ref _words[slot >> 6];
        var bit = 1UL << slot;
        if ((word & bit) != 0)
        {
            word &= ~bit;
            Count--;
        }
    }

    internal void ClearAll()
    {
        Array.Clear(_words);
        Count = 0;
    }

    internal void EnsureCapacity(int slots)
    {
        var words = WordsFor(slots);
        if (words > _words.Length)
        {
            Array.Resize(ref _words, Math.Max(words, _words.Length * 2));
        }
    }

    /// <summary>The number of set bits in slots [<paramref name="from"/>, <paramref name="to"/>), both multiples of 64 or <paramref name="to"/> the end.</summary>
    internal int CountRange(int from, int to)
    {
        var count = 0;
        var last = Math.Min(WordsFor(to), _words.Length);
        for (var w = from >> 6; w < last; w++)
        {
            count += BitOperations.PopCount(_words[w]);
        }

        return count;
    }

    internal static int WordsFor(int slots) => (int)(((long)slots + 63) >> 6);
}
