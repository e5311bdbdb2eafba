namespace AgentKit.Bench.Llama;

/// <summary>A problem that stops the benchmark; its message is printed as one line.</summary>
internal sealed class BenchException(string message) : Exception(message);
