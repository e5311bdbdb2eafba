namespace AgentKit.Cli.Commands;

/// <summary>The engine settings <c>agentkit chat</c> exposes as options; null keeps the engine's default.</summary>
internal sealed record ChatEngineSettings(int? ContextSize, int? Threads);
