namespace AgentKit.LlamaCpp.Models;

/// <summary>How far a model download has come.</summary>
/// <param name="BytesDownloaded">Bytes of the file on disk so far, including any resumed part.</param>
/// <param name="TotalBytes">The size of the file, when the server announced it.</param>
/// <param name="ResumedFrom">The number of bytes that were already on disk when this download resumed; 0 for a fresh download.</param>
public readonly record struct DownloadProgress(long BytesDownloaded, long? TotalBytes, long ResumedFrom);
