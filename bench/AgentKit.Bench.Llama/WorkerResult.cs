using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AgentKit.Bench.Llama;

/// <summary>The one JSON line a worker (AgentKit, the C baseline or the node peer) prints for one workload.</summary>
internal sealed record WorkerResult(
    [property: JsonPropertyName("side")] string Side,
    [property: JsonPropertyName("mode")] string Mode,
    [property: JsonPropertyName("tokens")] int Tokens,
    [property: JsonPropertyName("seconds")] double Seconds,
    [property: JsonPropertyName("rss_kb")] long RssKb,
    [property: JsonPropertyName("checksum")] string Checksum)
{
    [JsonIgnore]
    public double TokensPerSecond => Tokens / Seconds;

    /// <summary>The figure the table shows: tokens/s for pp512 and tg128, seconds for multi and seq.</summary>
    [JsonIgnore]
    public double Figure => Workload.IsRate(Mode) ? TokensPerSecond : Seconds;

    [JsonIgnore]
    public double RssMb => RssKb / 1024.0;

    public string ToJson() => JsonSerializer.Serialize(this, WorkerResultJson.Default.WorkerResult);

    /// <summary>Finds the result line in a worker's output.</summary>
    public static WorkerResult? Parse(string output)
    {
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Reverse())
        {
            if (line.StartsWith('{') && line.Contains("\"checksum\"", StringComparison.Ordinal))
            {
                return JsonSerializer.Deserialize(line, WorkerResultJson.Default.WorkerResult);
            }
        }

        return null;
    }

    /// <summary>FNV-1a-style fold of generated token ids, the same as baseline.c and bench.mjs.</summary>
    public static ulong Mix(ulong checksum, int token) => (checksum ^ (uint)token) * 1099511628211UL;

    public const ulong ChecksumSeed = 14695981039346656037UL;

    public static string FormatChecksum(ulong checksum) => checksum.ToString("x16", CultureInfo.InvariantCulture);

    /// <summary>Peak resident set of this process in KiB (VmHWM), the same reading baseline.c makes.</summary>
    public static long PeakRssKb()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException("/proc/self/status has no VmHWM line: peak RSS cannot be measured on this system.");
    }
}

/// <summary>Source-generated JSON for <see cref="WorkerResult"/>, so the worker also runs under NativeAOT.</summary>
[JsonSerializable(typeof(WorkerResult))]
internal sealed partial class WorkerResultJson : JsonSerializerContext;
