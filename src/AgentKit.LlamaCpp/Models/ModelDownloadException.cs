namespace AgentKit.LlamaCpp.Models;

/// <summary>
/// A model file could not be downloaded: the host is unreachable, access was refused, the file does not
/// exist, or what arrived failed the size or SHA-256 check. The message is one line naming the repository
/// and file.
/// </summary>
public sealed class ModelDownloadException : LlamaException
{
    /// <summary>Creates the exception.</summary>
    public ModelDownloadException() { }

    /// <summary>Creates the exception with a message.</summary>
    public ModelDownloadException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public ModelDownloadException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception for a model.</summary>
    /// <param name="model">The model being downloaded.</param>
    /// <param name="targetPath">Where the file would have been stored.</param>
    /// <param name="message">The one-line message.</param>
    /// <param name="isOffline">Whether the host could not be reached at all.</param>
    /// <param name="statusCode">The HTTP status the server answered, if that was the problem.</param>
    /// <param name="innerException">The cause, if any.</param>
    public ModelDownloadException(
        ModelReference model,
        string targetPath,
        string message,
        bool isOffline = false,
        int? statusCode = null,
        Exception? innerException = null)
        : base(message, innerException!)
    {
        Model = model;
        TargetPath = targetPath;
        IsOffline = isOffline;
        StatusCode = statusCode;
    }

    /// <summary>The model being downloaded.</summary>
    public ModelReference? Model { get; }

    /// <summary>Where the file would have been stored; copying the file there makes it usable without a download.</summary>
    public string? TargetPath { get; }

    /// <summary>
    /// <see langword="true"/> when the host could not be reached at all (no network, name resolution
    /// failed, connection refused or timed out), as opposed to a server that answered with an error.
    /// </summary>
    public bool IsOffline { get; }

    /// <summary>The HTTP status code the server answered with, when that was the problem.</summary>
    public int? StatusCode { get; }
}
