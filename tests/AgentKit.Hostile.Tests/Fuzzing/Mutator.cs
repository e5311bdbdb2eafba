using System.Text;

namespace AgentKit.Hostile.Tests.Fuzzing;

/// <summary>Byte-level mutations of a seed input: bit flips, interesting values, deletions, duplications and splices of tokens.</summary>
internal static class Mutator
{
    private static readonly byte[] Interesting = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0xC0, 0xE2, 0xF0, (byte)'\n', (byte)'"', (byte)'\\', (byte)'{', (byte)'}', (byte)'[', (byte)']', (byte)'%'];

    /// <summary>Applies 1 to 8 random mutations, inserting tokens from <paramref name="dictionary"/> among them.</summary>
    public static byte[] Mutate(Random random, byte[] seed, IReadOnlyList<string> dictionary)
    {
        var bytes = new List<byte>(seed);
        for (var n = random.Next(1, 9); n > 0; n--)
        {
            var at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            switch (random.Next(7))
            {
                case 0 when bytes.Count > 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when bytes.Count > 0:
                    bytes[at] = Interesting[random.Next(Interesting.Length)];
                    break;
                case 2 when bytes.Count > 0:
                    bytes.RemoveRange(at, Math.Min(bytes.Count - at, random.Next(1, 64)));
                    break;
                case 3 when bytes.Count > 0:
                    var length = Math.Min(bytes.Count - at, random.Next(1, 256));
                    var copy = bytes.GetRange(at, length);
                    bytes.InsertRange(random.Next(bytes.Count), Enumerable.Repeat(copy, random.Next(1, 4)).SelectMany(c => c));
                    break;
                case 4:
                    bytes.InsertRange(at, Encoding.UTF8.GetBytes(dictionary[random.Next(dictionary.Count)]));
                    break;
                case 5 when bytes.Count > 0:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                default:
                    bytes.Insert(at, (byte)random.Next(256));
                    break;
            }
        }

        return [.. bytes];
    }
}
