using Microsoft.Extensions.Logging;

namespace AgentKit.Prompts;

internal static partial class PromptRegistryLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Loaded {Count} prompt files from {RootDirectory}")]
    public static partial void Loaded(ILogger logger, int count, string rootDirectory);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Prompt file {FilePath}:{Line} failed to load: {Problem}")]
    public static partial void LoadFailed(ILogger logger, string filePath, int line, string problem);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "Prompt file {FilePath}:{Line} was edited but is broken; keeping the last good version of '{Name}': {Problem}")]
    public static partial void ReloadFailed(ILogger logger, string filePath, int line, string name, string problem);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Prompt '{Name}' reloaded from {FilePath}")]
    public static partial void Reloaded(ILogger logger, string name, string filePath);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Prompt '{Name}' removed: its file is gone")]
    public static partial void Removed(ILogger logger, string name);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "The prompt folder watcher failed; rescanning {RootDirectory}")]
    public static partial void WatcherFailed(ILogger logger, Exception exception, string rootDirectory);
}
