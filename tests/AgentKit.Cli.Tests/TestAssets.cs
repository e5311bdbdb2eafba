namespace AgentKit.Cli.Tests;

internal static class TestAssets
{
    /// <summary>
    /// llama.cpp's vocabulary-only Qwen2 GGUF from the v0.5.0 source tree. Its folder comes from
    /// <c>AGENTKIT_LLAMA_SOURCE</c>, else the checkout the build scripts make under /tmp/llamasrc.
    /// </summary>
    public static string Qwen2Vocabulary()
    {
        var root = Environment.GetEnvironmentVariable("AGENTKIT_LLAMA_SOURCE") is { Length: > 0 } configured ? configured : "/tmp/llamasrc";
        var path = Path.Combine(root, "models", "ggml-vocab-qwen2.gguf");
        if (!File.Exists(path))
        {
            Assert.Skip($"{path} is missing: clone the llama.cpp v0.5.0 source (node-llama-cpp's gitRelease.bundle) there or set AGENTKIT_LLAMA_SOURCE.");
        }

        return path;
    }
}
